/**
 * Bidirectional with mergeMode null (Keras and tfjs): the two directions come out as two tensors, usable in a
 * functional model; a Sequential model refuses it by name; it saves and loads, and exports to ONNX as two outputs
 * that ONNX Runtime computes as predict does.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { removeDir, tempDir } from '../io/helpers.js';
import { expectSameAsOrt, ortSession } from '../onnx/helpers.js';

const root = tempDir('rnnlab-bidir-null-');
afterAll(() => removeDir(root));

const x = rl.tensor(Float32Array.from({ length: 2 * 4 * 3 }, (_, i) => Math.cos(i)), [2, 4, 3]);

function twoWays(mergeMode: 'concat' | null, returnSequences: boolean) {
  rl.setSeed(6);
  const input = rl.input({ shape: [4, 3] });
  const outs = rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 2, returnSequences }), mergeMode, name: 'bi' }).apply(input);
  return rl.model({ inputs: input, outputs: outs as rl.SymbolicTensor | rl.SymbolicTensor[] });
}

describe('Bidirectional mergeMode null', () => {
  it('outputs the forward and backward halves that concat joins, for sequences and last steps', () => {
    for (const seq of [true, false]) {
      const joined = twoWays('concat', seq).predict(x) as rl.Tensor;
      const [f, b] = twoWays(null, seq).predict(x) as rl.Tensor[];
      const U = 2, rows = joined.size / (2 * U);
      expect(f.shape).toEqual(seq ? [2, 4, 2] : [2, 2]);
      expect(b.shape).toEqual(f.shape);
      for (let r = 0; r < rows; r++) {
        for (let u = 0; u < U; u++) {
          expect(f.dataSync()[r * U + u]).toBe(joined.dataSync()[r * 2 * U + u]);
          expect(b.dataSync()[r * U + u]).toBe(joined.dataSync()[r * 2 * U + U + u]);
        }
      }
    }
  });

  it('trains through both outputs and saves and loads with merge_mode null', async () => {
    const m = twoWays(null, false);
    m.compile({ optimizer: 'adam', loss: ['meanSquaredError', 'meanSquaredError'] });
    const before = m.getWeights().map((w) => Array.from(w.dataSync()));
    await m.fit(x, [rl.ones([2, 2]), rl.zeros([2, 2])], { epochs: 2, verbose: 0 });
    // The backward direction's weights move too: the second output's loss reaches them.
    const after = m.getWeights().map((w) => Array.from(w.dataSync()));
    expect(after[after.length - 1]).not.toEqual(before[before.length - 1]);
    await m.save(`${root}/m`);
    const back = await rl.loadLayersModel(`${root}/m`);
    const [f0, b0] = m.predict(x) as rl.Tensor[], [f1, b1] = back.predict(x) as unknown as rl.Tensor[];
    expect(Array.from(f1.dataSync())).toEqual(Array.from(f0.dataSync()));
    expect(Array.from(b1.dataSync())).toEqual(Array.from(b0.dataSync()));
  });

  it('is refused in a Sequential model, naming mergeMode', () => {
    expect(() => rl.sequential({ layers: [rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 2 }), mergeMode: null, inputShape: [4, 3] })] }))
      .toThrow(/mergeMode null is not supported in a Sequential model/);
    expect(() => rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 2 }), mergeMode: 'max' as never })).toThrow(/mergeMode must be concat, sum, mul, ave or null, got "max"/);
  });

  it('exports to ONNX as two outputs (bi, bi_1) that ONNX Runtime computes as predict does', async () => {
    for (const seq of [true, false]) await expectSameAsOrt(twoWays(null, seq), [x]);
    // Written to a file too, and read back by ONNX Runtime with both outputs.
    const { path } = await rl.exportONNX(twoWays(null, true), `${root}/bi.onnx`);
    expect((await ortSession(path)).outputNames).toEqual(['bi', 'bi_1']);
  });

  it('exports masked GRU directions feeding later layers, each output matching predict', async () => {
    rl.setSeed(7);
    const input = rl.input({ shape: [5, 3] });
    const masked = rl.layers.masking({ maskValue: 0 }).apply(input) as rl.SymbolicTensor;
    const [f, b] = rl.layers.bidirectional({ layer: rl.layers.gru({ units: 3, returnSequences: true }), mergeMode: null, name: 'enc' }).apply(masked) as rl.SymbolicTensor[];
    const joined = rl.layers.add().apply([f, b]) as rl.SymbolicTensor;
    const last = rl.layers.lstm({ units: 2, name: 'dec' }).apply(joined) as rl.SymbolicTensor;
    const m = rl.model({ inputs: input, outputs: [last, b] });
    // Rows of padding: none, trailing, leading, all, and a hole inside.
    const pad = [[], [3, 4], [0, 1], [0, 1, 2, 3, 4], [2]];
    const data = Float32Array.from({ length: 5 * 5 * 3 }, (_, i) => (pad[Math.floor(i / 15)].includes(Math.floor(i / 3) % 5) ? 0 : Math.sin(i + 1)));
    await expectSameAsOrt(m, [rl.tensor(data, [5, 5, 3])]);
  });
});
