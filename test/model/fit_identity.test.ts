/**
 * fit's numbers do not depend on how the loop is built: the trace of two small fits (every callback's logs,
 * the history, the final weights) matches, to the last bit, the one recorded from the loop of 0.1.0
 * (fit_fixture.json, on the reference kernels so that every machine computes the same bits), and fit's
 * weights equal those of a manual trainOnBatch loop over the same batches on the active backend.
 * RNNLAB_RECORD_FIT_FIXTURE=1 rewrites the fixture (only when the arithmetic is meant to change).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { envFlag } from '../../src/env.js';
import * as rl from '../../src/index.js';
import { globalRandom } from '../../src/random.js';
import { fixtureTraces, recorder, seqData, seqModel, textData, textModel, type FitTrace } from './fit_scenarios.js';

const FIXTURE = new URL('./fit_fixture.json', import.meta.url);
const native = rl.backendInfo().addon;

describe('fit is bit-identical to its recorded trace', () => {
  afterEach(() => { if (native) rl.setBackend('native'); });

  it('reproduces every log, history value and weight of the fixture (reference kernels)', async () => {
    rl.setBackend('reference');
    const traces = await fixtureTraces();
    if (envFlag('RNNLAB_RECORD_FIT_FIXTURE')) writeFileSync(FIXTURE, `${JSON.stringify(traces)}\n`);
    const want = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, FitTrace>;
    for (const name of Object.keys(want)) {
      expect(traces[name].calls, name).toEqual(want[name].calls);
      expect(traces[name].history, name).toEqual(want[name].history);
      expect(traces[name].weights, name).toEqual(want[name].weights);
    }
  });
});

describe('fit against a manual trainOnBatch loop', () => {
  /** The batches fit takes for this seed: globalRandom's permutation, cut into batchSize rows. */
  function manualLoop(model: rl.Sequential, x: rl.Tensor, y: rl.Tensor, batchSize: number, epochs: number, shuffle: boolean): number[][] {
    const n = x.shape[0];
    const take = (t: rl.Tensor, idx: number[]) => {
      const row = t.size / n;
      const out = t.dtype === 'int32' ? new Int32Array(idx.length * row) : new Float32Array(idx.length * row);
      idx.forEach((r, i) => out.set(t.values.subarray(r * row, (r + 1) * row), i * row));
      return rl.tensor(out, [idx.length, ...t.shape.slice(1)], t.dtype);
    };
    const perBatch: number[][] = [];
    rl.setSeed(5);
    for (let e = 0; e < epochs; e++) {
      const order = shuffle ? Array.from(globalRandom.permutation(n)) : Array.from({ length: n }, (_, i) => i);
      for (let s = 0; s < n; s += batchSize) {
        const idx = order.slice(s, s + batchSize);
        perBatch.push([model.trainOnBatch(take(x, idx), take(y, idx))].flat());
      }
    }
    return perBatch;
  }

  for (const shuffle of [true, false]) {
    it(`gives the same weights and per-batch losses (shuffle ${shuffle})`, async () => {
      const { x, y } = seqData();
      const manual = seqModel();
      const perBatch = manualLoop(manual, x, y, 8, 2, shuffle);
      const fitted = seqModel();
      const calls: FitTrace['calls'] = [];
      rl.setSeed(5);
      await fitted.fit(x, y, { epochs: 2, batchSize: 8, shuffle, verbose: 0, callbacks: [recorder(calls)] });
      const w = fitted.getWeights(), m = manual.getWeights();
      w.forEach((t, i) => expect(Array.from(t.values), `weight ${i}`).toEqual(Array.from(m[i].values)));
      // onBatchEnd reports running means: rebuild them from trainOnBatch's per-batch values, which are the float32
      // values its Scalars hold (tfjs's), where fit sums the unrounded ones: equal to float32's precision.
      const ends = calls.filter((c) => c[0] === 'onBatchEnd');
      expect(ends).toHaveLength(perBatch.length);
      let sum = 0, seen = 0, k = 0;
      for (const [, b, logs] of ends) {
        if (b === 0) { sum = 0; seen = 0; }
        sum += perBatch[k][0] * logs.size;
        seen += logs.size;
        expect(Math.abs(logs.loss - sum / seen)).toBeLessThanOrEqual(2 ** -23 * Math.abs(sum / seen));
        k++;
      }
    });
  }

  it('a masked text model too (threshold metrics, partial batch)', async () => {
    const { x, y } = textData();
    const manual = textModel();
    manualLoop(manual, x, y, 6, 1, true);
    const fitted = textModel();
    rl.setSeed(5);
    await fitted.fit(x, y, { epochs: 1, batchSize: 6, verbose: 0 });
    const w = fitted.getWeights(), m = manual.getWeights();
    w.forEach((t, i) => expect(Array.from(t.values), `weight ${i}`).toEqual(Array.from(m[i].values)));
  });
});
