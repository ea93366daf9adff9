/**
 * `rnnlab seq2seq --precision mixed_bfloat16` trains with bf16 products but decodes its held-out pairs in float32, as
 * `translate` and `evaluate` run the saved model: `evaluate --data RUN/heldout.jsonl` gives the run's validation
 * numbers back exactly (docs/CLI.md). The policy the process had is back when the run ends, however it ends.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getBackend, nativeKernels } from '../../src/backend/index.js';
import { getGlobalPolicy, setGlobalPolicy } from '../../src/mixed_precision.js';
import { cleanup, readResults, run, tempDir } from '../cli/helpers.js';

const addon = nativeKernels() as unknown as { bf16Supported?: () => boolean } | null;
const bf16Runs = getBackend() === 'reference' || !!addon?.bf16Supported?.();

afterAll(() => { cleanup(); setGlobalPolicy('float32'); });

// Three epochs of the date task: held-out outputs partly right, so a decode in another precision shows in the numbers.
const DATE = ['seq2seq', '--generate', 'date', '--count', '600', '--epochs', '3', '--lr', '0.01', '--units', '32', '--embedding-dim', '16',
  '--validation-split', '0.5', '--seed', '1', '--samples', '0', '--beam', '2', '--threads', '1', '--verbose', '0'];

describe.skipIf(!bf16Runs)('seq2seq --precision mixed_bfloat16', () => {
  const out = path.join(tempDir('rnnlab-s2s-bf16-'), 'run');

  it('records the precision it trained in, and leaves the process in the policy it had', async () => {
    expect(getGlobalPolicy().name).toBe('float32');
    const r = await run([...DATE, '--precision', 'mixed_bfloat16', '--out', out]);
    expect(r.code, r.err).toBe(0);
    expect(readResults(out).environment.engine.precision).toBe('mixed_bfloat16');
    expect(getGlobalPolicy().name).toBe('float32');
    // A refused run puts it back too.
    const bad = await run([...DATE, '--precision', 'mixed_bfloat16', '--max-target-len', '1', '--out', path.join(out, '..', 'refused')]);
    expect(bad.code).toBe(2);
    expect(getGlobalPolicy().name).toBe('float32');
  }, 300_000);

  it('evaluate on its heldout.jsonl (in float32, as a process of its own runs) gives back its validation numbers exactly', async () => {
    // As a fresh process starts, whatever the run before left.
    setGlobalPolicy('float32');
    const evalOut = path.join(out, '..', 'eval');
    const e = await run(['evaluate', '--model', out, '--data', path.join(out, 'heldout.jsonl'), '--beam', '2', '--samples', '0', '--threads', '1', '--out', evalOut]);
    expect(e.code, e.err).toBe(0);
    const trained = readResults(out).metrics, scored = readResults(evalOut).metrics;
    expect(trained.validationPerToken).toBeGreaterThan(0.1);
    expect(scored).toEqual({ testPerToken: trained.validationPerToken, testExact: trained.validationExact, beamPerToken: trained.beamPerToken, beamExact: trained.beamExact });
  }, 300_000);
});
