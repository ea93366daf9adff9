/**
 * `rnnlab compare` stopped by Ctrl-C: the model in training stops at its next batch, the models not started are not
 * trained, and the run folder records what was trained, as cancelled (exit code 130). On a synthetic tarball, in
 * process: the test calls the SIGINT handler compare installed, as a terminal's Ctrl-C would.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { checkReport, schemaProblems, syntheticImdb } from './helpers.js';

const fx = syntheticImdb('rnnlab-compare-stop-', { reviews: 40 });

/** Runs compare and presses Ctrl-C once when its output first matches `when`. */
async function compareStopped(out: string, when: RegExp): Promise<{ code: number; text: string }> {
  const before = process.listeners('SIGINT');
  let text = '', pressed = false;
  const write = (s: string) => {
    text += s;
    if (!pressed && when.test(text)) {
      pressed = true;
      for (const l of process.listeners('SIGINT').filter((x) => !before.includes(x))) (l as () => void)();
    }
    return true;
  };
  const code = await main(['compare', '--models', 'lstm,cnn,gru', '--data', fx.tar, '--vocab', '60', '--maxlen', '12', '--units', '4', '--embedding-dim', '4',
    '--batch-size', '8', '--epochs', '2', '--verbose', '0', '--out', out], { out: { write }, err: { write } });
  expect(pressed).toBe(true);
  expect(process.listeners('SIGINT')).toEqual(before);
  return { code, text };
}

describe('rnnlab compare, Ctrl-C', () => {
  it('stops the model in training, skips the rest and records the models trained so far as cancelled', async () => {
    const out = join(fx.root, 'second');
    // Pressed as the second model starts: lstm is whole, cnn stops after its first batch, gru never starts.
    const r = await compareStopped(out, /\[2\/3\] cnn/);
    expect(r.code).toBe(130);
    expect(r.text).toMatch(/Stopping: the model in training stops at its next batch/);
    expect(r.text).not.toMatch(/\[3\/3\]/);
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(schemaProblems(res)).toEqual([]);
    expect(res.status).toBe('cancelled');
    expect(res.cancellation).toEqual({ afterEpochs: 0, partialLastEpoch: true });
    expect(res.models.map((m: { name: string }) => m.name)).toEqual(['lstm', 'cnn']);
    expect(res.models[0].history.loss).toHaveLength(2);
    expect(res.models[1].history.loss).toHaveLength(1);
    expect(res.metrics.lstm.testAccuracy).toBeGreaterThanOrEqual(0);
    expect(res.metrics.cnn.testAccuracy).toBeNull();
    expect(res.finding).toMatch(/^lstm reaches the best test accuracy .*; lstm is the fastest at /);
    expect(res.finding).toMatch(/ Stopped while training cnn \(in epoch 1 of 2\); not trained: gru\.$/);
    expect(Object.keys(res.details.confusionByModel)).toEqual(['lstm']);
    expect(checkReport(out).html).toContain('Stopped while training cnn');
  });

  it('pressed before the first batch, the first model stops at once and nothing else is trained', async () => {
    const out = join(fx.root, 'first');
    const r = await compareStopped(out, /\[1\/3\] lstm/);
    expect(r.code).toBe(130);
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(res.status).toBe('cancelled');
    expect(res.cancellation).toEqual({ afterEpochs: 0, partialLastEpoch: true });
    expect(res.models.map((m: { name: string }) => m.name)).toEqual(['lstm']);
    expect(res.finding).toBe('No model was evaluated (lstm started). Stopped while training lstm (in epoch 1 of 2); not trained: cnn, gru.');
  });
});
