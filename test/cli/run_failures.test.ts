/**
 * A run whose training throws part-way (a non-finite loss, an error out of a callback) is recorded as failed: its
 * results.json keeps what it trained (the models, the epochs done), names the error as a dashboard job's record does,
 * and the command still prints the error and exits 1; its report says n/a where no number was measured (never NaN),
 * and `rnnlab experiment NAME` records its failure too (never over an earlier run's record). The fault is injected into
 * the real task functions: a weight set to NaN as the chosen model's second epoch begins (fit then throws
 * NonFiniteLossError), or an error thrown by the epoch hook of addition's chosen epoch (the experiments train addition
 * models).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { run as cli, schemaProblems, syntheticImdb } from './helpers.js';

/** The IMDb model whose second epoch gets a NaN weight (none: no fault). */
const fault = vi.hoisted(() => ({ imdbModel: '', additionEpoch: -1 }));

vi.mock('../../src/experiments/imdb_task.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/experiments/imdb_task.js')>();
  return {
    ...actual,
    trainImdb: (name: string, data: never, o: Parameters<typeof actual.trainImdb>[2] = {}) => {
      if (name !== fault.imdbModel) return actual.trainImdb(name as never, data, o);
      let model: { trainableWeights: { size: number; assign(v: ArrayLike<number>): void }[] } | null = null;
      const poison = { onEpochBegin: (epoch: number) => { if (epoch === 1) { const w = model!.trainableWeights[0]; w.assign(new Float32Array(w.size).fill(NaN)); } } };
      return actual.trainImdb(name as never, data, { ...o, onBuilt: (m, s) => { model = m as never; o.onBuilt?.(m, s); }, callbacks: [...(o.callbacks ?? []), poison] });
    },
  };
});

vi.mock('../../src/experiments/addition_task.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/experiments/addition_task.js')>();
  return {
    ...actual,
    trainAddition: (o: Parameters<typeof actual.trainAddition>[0] = {}, d?: never) => actual.trainAddition({
      ...o,
      onEpochEnd: async (epoch, logs, seconds) => {
        await o.onEpochEnd?.(epoch, logs, seconds);
        if (epoch === fault.additionEpoch) throw new Error('injected fault after the epoch');
      },
    }, d),
  };
});

const fx = syntheticImdb('rnnlab-run-failures-', { reviews: 40 });


const SMALL = ['--vocab', '60', '--maxlen', '12', '--units', '4', '--embedding-dim', '4', '--batch-size', '8', '--epochs', '2', '--verbose', '0'];
const results = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
const REVERSE = ['experiment', 'reverse', '--digits', '1', '--training-size', '50', '--hidden', '4', '--epochs', '3', '--batch-size', '8', '--verbose', '0', '--threads', '1'];
/** The report's headline numbers: each <dt> name with its <dd> value. */
function headline(dir: string): Record<string, string> {
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  const results = html.slice(html.indexOf('<h2>Results</h2>'));
  const list = results.slice(0, results.indexOf('</dl>'));
  return Object.fromEntries([...list.matchAll(/<dt>([^<]*)<\/dt><dd>([^<]*)<\/dd>/g)].map((m) => [m[1], m[2]]));
}

describe('a run whose training throws part-way', () => {
  it('compare: the models trained before the failing one keep their results; the run is failed and exits 1', async () => {
    fault.imdbModel = 'gru';
    const out = join(fx.root, 'compare');
    const r = await cli(['compare', '--models', 'lstm,cnn,gru,simple_rnn', '--data', fx.tar, ...SMALL, '--out', out]);
    fault.imdbModel = '';
    expect(r.code).toBe(1);
    const res = results(out);
    expect(schemaProblems(res)).toEqual([]);
    expect(res.status).toBe('failed');
    expect(res.error.name).toBe('NonFiniteLossError');
    expect(r.err).toContain(res.error.message);
    expect(res.cancellation).toBeNull();
    // lstm and cnn whole, with their test numbers; gru with its one finished epoch; simple_rnn never started.
    expect(res.models.map((m: { name: string }) => m.name)).toEqual(['lstm', 'cnn', 'gru']);
    expect(res.models.map((m: { history: { loss: number[] } }) => m.history.loss.length)).toEqual([2, 2, 1]);
    expect(res.metrics.lstm.testAccuracy).toBeGreaterThanOrEqual(0);
    expect(res.metrics.cnn.testAccuracy).toBeGreaterThanOrEqual(0);
    expect(res.metrics.gru.testAccuracy).toBeNull();
    expect(res.finding).toMatch(/gru failed \(after 1 of 2 epoch\(s\)\): .*; not trained: simple_rnn\./);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
  }, 120_000);

  it('imdb: the epochs done are recorded as failed with the error, no model is saved, exit 1', async () => {
    fault.imdbModel = 'lstm';
    const out = join(fx.root, 'imdb');
    const r = await cli(['imdb', '--model', 'lstm', '--data', fx.tar, ...SMALL, '--out', out]);
    fault.imdbModel = '';
    expect(r.code).toBe(1);
    const res = results(out);
    expect(schemaProblems(res)).toEqual([]);
    expect(res.status).toBe('failed');
    expect(res.error).toEqual({ name: 'NonFiniteLossError', message: expect.any(String) });
    expect(r.err).toContain(res.error.message);
    expect(res.models[0].history.loss).toHaveLength(1);
    expect(res.metrics.trainAccuracy).toBe(res.models[0].history.accuracy[0]);
    expect(res.finding).toMatch(/^lstm failed after 1 of 2 epoch\(s\)/);
    expect(existsSync(join(out, 'model'))).toBe(false);
  }, 120_000);

  it('imdb into an earlier run\'s folder: the earlier run is kept whole, never a failed record beside its model', async () => {
    const out = join(fx.root, 'imdb-over-earlier');
    expect((await cli(['imdb', '--model', 'lstm', '--data', fx.tar, ...SMALL, '--out', out])).code).toBe(0);
    const before = readFileSync(join(out, 'results.json'), 'utf8');
    const model = readFileSync(join(out, 'model', 'model.json'), 'utf8');
    fault.imdbModel = 'lstm';
    const r = await cli(['imdb', '--model', 'lstm', '--data', fx.tar, ...SMALL, '--out', out]);
    fault.imdbModel = '';
    expect(r.code).toBe(1);
    expect(r.err).toContain(`the failed run was not recorded: ${out} held an earlier run's results.json when it started; the earlier run was kept, ` +
      `but ${join(out, 'checkpoint')} now holds the failed run's checkpoint (after epoch 1), which --resume would continue`);
    expect(r.err).toMatch(/NonFiniteLossError|non-finite/i);
    expect(readFileSync(join(out, 'results.json'), 'utf8')).toBe(before);
    expect(readFileSync(join(out, 'model', 'model.json'), 'utf8')).toBe(model);
    // As the warning says: the checkpoint is the failed run's, one epoch in.
    expect(JSON.parse(readFileSync(join(out, 'checkpoint', 'checkpoint.json'), 'utf8')).state.nextEpoch).toBe(1);
  }, 180_000);

  it('addition into an earlier completed run\'s folder: the earlier run is kept, nothing recorded, a warning names the folder', async () => {
    const out = join(fx.root, 'addition-over-earlier');
    const args = ['addition', '--digits', '1', '--training-size', '50', '--hidden', '4', '--epochs', '3', '--batch-size', '8', '--verbose', '0', '--out', out];
    expect((await cli(args)).code).toBe(0);
    const before = readFileSync(join(out, 'results.json'), 'utf8');
    expect(JSON.parse(before).status).toBe('completed');
    fault.additionEpoch = 1;
    const r = await cli(args);
    fault.additionEpoch = -1;
    expect(r.code).toBe(1);
    expect(r.err).toContain(`the failed run was not recorded: ${out} held an earlier run's results.json when it started; the earlier run was kept`);
    expect(r.err).toMatch(/injected fault after the epoch$/m);
    expect(readFileSync(join(out, 'results.json'), 'utf8')).toBe(before);
  }, 120_000);

  it('compare into an earlier completed run\'s folder: the earlier run is kept, nothing recorded, a warning names the folder', async () => {
    const out = join(fx.root, 'compare-over-earlier');
    const args = ['compare', '--models', 'lstm', '--data', fx.tar, ...SMALL, '--out', out];
    expect((await cli(args)).code).toBe(0);
    const before = readFileSync(join(out, 'results.json'), 'utf8');
    fault.imdbModel = 'lstm';
    const r = await cli(args);
    fault.imdbModel = '';
    expect(r.code).toBe(1);
    expect(r.err).toContain(`the failed run was not recorded: ${out} held an earlier run's results.json when it started; the earlier run was kept`);
    expect(readFileSync(join(out, 'results.json'), 'utf8')).toBe(before);
  }, 120_000);

  it('addition: the epochs done are recorded as failed with the error, exit 1', async () => {
    fault.additionEpoch = 1;
    const out = join(fx.root, 'addition');
    const r = await cli(['addition', '--digits', '1', '--training-size', '50', '--hidden', '4', '--epochs', '3', '--batch-size', '8', '--verbose', '0', '--out', out]);
    fault.additionEpoch = -1;
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^rnnlab addition: .*injected fault after the epoch$/m);
    const res = results(out);
    expect(schemaProblems(res)).toEqual([]);
    expect(res.status).toBe('failed');
    expect(res.error).toEqual({ name: 'Error', message: 'injected fault after the epoch' });
    expect(res.models[0].history.loss).toHaveLength(2);
    expect(res.models[0].secondsPerEpoch).toHaveLength(2);
    expect(res.finding).toMatch(/^The run failed after 2 of 3 epoch\(s\): Error: injected fault/);
  }, 120_000);
});

describe('a failed imdb run says n/a for what it never measured', () => {
  it('the report shows n/a for the test loss and accuracy, as a stopped run does, and results.json holds null', async () => {
    fault.imdbModel = 'lstm';
    const out = join(fx.root, 'imdb-na');
    const r = await cli(['imdb', '--model', 'lstm', '--data', fx.tar, ...SMALL, '--out', out]);
    fault.imdbModel = '';
    expect(r.code).toBe(1);
    const h = headline(out);
    expect(h['test loss']).toBe('n/a');
    expect(h['test accuracy']).toBe('n/a');
    // What the one finished epoch measured is shown as a number.
    expect(h['train accuracy']).toMatch(/^\d+\.\d\d%$/);
    // No cell or headline value reads NaN (the error's own words, "non-finite (NaN or Inf)", may).
    expect(readFileSync(join(out, 'report.html'), 'utf8')).not.toMatch(/<(dd|td)[^>]*>NaN</);
    const res = results(out);
    expect(res.metrics.testLoss).toBeNull();
    expect(res.metrics.testAccuracy).toBeNull();
    expect(res.models[0].metrics.testLoss).toBeNull();
    expect(r.out).not.toMatch(/NaN/);
  }, 120_000);
});

describe('rnnlab experiment whose training throws', () => {
  it('records a failed run naming the error, prints the error and exits 1', async () => {
    fault.additionEpoch = 1;
    const out = join(fx.root, 'reverse');
    const r = await cli([...REVERSE, '--out', out]);
    fault.additionEpoch = -1;
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^rnnlab experiment reverse: .*injected fault after the epoch$/m);
    const res = results(out);
    expect(schemaProblems(res)).toEqual([]);
    expect(res.status).toBe('failed');
    expect(res.command).toBe('experiment reverse');
    expect(res.error).toEqual({ name: 'Error', message: 'injected fault after the epoch' });
    expect(res.cancellation).toBeNull();
    expect(res.config).toMatchObject({ digits: 1, trainingSize: 50, hidden: 4, epochs: 3 });
    expect(res.config.out).toBeUndefined();
    expect(res.finding).toMatch(/^Experiment reverse failed before its finding: Error: injected fault after the epoch/);
    expect(r.out).toContain(`Wrote ${join(out, 'results.json')}, report.html`);
    // Its record keeps no models or numbers: the line says what it does keep, not "what it trained".
    expect(r.out).toMatch(/report\.html( and report\.png)? \(the run failed; they record its options and the error\)$/m);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('injected fault after the epoch');
  }, 120_000);

  it('into a default folder: the failed run is recorded there', async () => {
    const cwd = process.cwd();
    const here = join(fx.root, 'default-cwd');
    const { mkdirSync, readdirSync } = await import('node:fs');
    mkdirSync(here, { recursive: true });
    process.chdir(here);
    try {
      fault.additionEpoch = 1;
      const r = await cli(REVERSE);
      fault.additionEpoch = -1;
      expect(r.code).toBe(1);
      const runs = readdirSync(join(here, 'runs'));
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatch(/-experiment-reverse$/);
      expect(results(join(here, 'runs', runs[0])).status).toBe('failed');
    } finally {
      process.chdir(cwd);
    }
  }, 120_000);

  it('into an earlier run\'s folder: the earlier run is kept whole, nothing recorded, a warning names the folder', async () => {
    const out = join(fx.root, 'reverse-over-earlier');
    expect((await cli([...REVERSE, '--out', out])).code).toBe(0);
    const before = readFileSync(join(out, 'results.json'), 'utf8');
    const report = readFileSync(join(out, 'report.html'), 'utf8');
    expect(JSON.parse(before).status).toBe('completed');
    fault.additionEpoch = 1;
    const r = await cli([...REVERSE, '--out', out]);
    fault.additionEpoch = -1;
    expect(r.code).toBe(1);
    expect(r.err).toContain(`the failed run was not recorded: ${out} held an earlier run's results.json when it started; the earlier run was kept`);
    expect(r.err).toMatch(/injected fault after the epoch$/m);
    expect(readFileSync(join(out, 'results.json'), 'utf8')).toBe(before);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toBe(report);
    expect(existsSync(join(out, 'report.png'))).toBe(true);
  }, 180_000);
});
