// The exported Maximum, Minimum and Multiply leave padded values out as rnnlab's predict does (Keras >= 3.4): a
// masked input's padded values give way to the running result (Maximum/Minimum) or 1 (Multiply); a step padded in
// every input keeps the first input's value (Maximum/Minimum) or gives 0 (Multiply, when every input has a mask).
// The merged tensors themselves are model outputs, compared with predict in ONNX Runtime (<= 1e-5), and with values
// worked out by hand; an unmasked merge keeps its plain graph.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { toOnnx } from '../../src/onnx/index.js';
import { onnxSchema } from '../../src/onnx/proto.js';
import type { SymbolicTensor } from '../../src/layers/symbolic.js';
import { expectSameAsOrt, ortSession, randomize, tokenIds } from './helpers.js';
import * as ort from 'onnxruntime-node';

const L = rl.layers;
const V = 12;
const MODES = ['maximum', 'minimum', 'multiply'] as const;
type Mode = (typeof MODES)[number];
const one = (t: SymbolicTensor | SymbolicTensor[]) => (Array.isArray(t) ? t[0] : t);
const mergeOf = (mode: string, name: string) => (L[mode as Mode] as unknown as (o: object) => { apply(x: SymbolicTensor[]): SymbolicTensor })({ name });
const ids = (n: number, T: number, seed: number) => tokenIds(n, T, V, seed, { pad: true, holes: true, allowEmpty: true });
/** The operators of the nodes a layer added (their names start with the layer's). */
const layerOps = (bytes: Uint8Array, layer: string) => (onnxSchema().ModelProto.decode(bytes).graph!.node ?? []).filter((n) => n.name!.startsWith(`${layer}/`)).map((n) => n.opType);

/** k int32 inputs, each embedded into [B, T, 4] with maskZero where masked[k] (the padded ids embed to non-zero). */
function sequences(masked: boolean[]): { ins: SymbolicTensor[]; seqs: SymbolicTensor[] } {
  const ins = masked.map((_, k) => rl.input({ shape: [null], dtype: 'int32', name: `in${k}` }));
  const seqs = ins.map((x, k) => one(L.embedding({ inputDim: V, outputDim: 4, maskZero: masked[k], name: `emb${k}` }).apply(x)));
  return { ins, seqs };
}

/** Every output against predict for a few batches; the inputs' padding differs, and row 1 is padded in all of them. */
async function check(m: rl.Functional, seed: number): Promise<void> {
  randomize(m, seed);
  for (const [n, T, s] of [[5, 6, 1], [3, 4, 2], [2, 1, 3]]) await expectSameAsOrt(m, m.inputs.map((_, k) => ids(n, T, s + 10 * k)));
}

describe('masked Maximum, Minimum and Multiply in the exported graph', () => {
  it('hand-worked values: padded in the first, in the second, and in both inputs', async () => {
    const x = rl.input({ shape: [4], dtype: 'int32', name: 'x' }), y = rl.input({ shape: [4], dtype: 'int32', name: 'y' });
    const ea = L.embedding({ inputDim: 4, outputDim: 1, maskZero: true, name: 'ea' }), eb = L.embedding({ inputDim: 4, outputDim: 1, maskZero: true, name: 'eb' });
    const sa = one(ea.apply(x)), sb = one(eb.apply(y));
    const m = rl.model({ inputs: [x, y], outputs: MODES.map((mode) => mergeOf(mode, mode).apply([sa, sb])) });
    ea.setWeights([rl.tensor([[5], [1], [2], [3]], [4, 1])]);
    eb.setWeights([rl.tensor([[-7], [4], [-1], [0.5]], [4, 1])]);
    // Step 0 real in both, 1 padded in x (embeds to 5), 2 padded in y (embeds to -7), 3 padded in both.
    const xs = [rl.tensor([[1, 0, 3, 0]], [1, 4], 'int32'), rl.tensor([[1, 2, 0, 0]], [1, 4], 'int32')];
    const session = await ortSession(toOnnx(m));
    const out = await session.run({ x: new ort.Tensor('int32', Int32Array.from(xs[0].values), [1, 4]), y: new ort.Tensor('int32', Int32Array.from(xs[1].values), [1, 4]) });
    const want = { maximum: [4, -1, 3, 5], minimum: [1, -1, 3, 5], multiply: [4, -1, 3, 0] };
    for (const mode of MODES) expect(Array.from(out[mode].data as Float32Array)).toEqual(want[mode]);
    await expectSameAsOrt(m, xs);
  });

  for (const mode of MODES) {
    it(`${mode}: a mask on the first input only, and on the second only`, async () => {
      rl.setSeed(1);
      const { ins, seqs } = sequences([true, false]);
      const m = rl.model({ inputs: ins, outputs: [mergeOf(mode, 'ab').apply(seqs), mergeOf(mode, 'ba').apply([seqs[1], seqs[0]])] });
      await check(m, 4);
    });

    it(`${mode}: masks on both inputs, steps padded in both, the merged mask reaching an LSTM`, async () => {
      rl.setSeed(2);
      const { ins, seqs } = sequences([true, true]);
      const joined = mergeOf(mode, 'joined').apply(seqs);
      const m = rl.model({ inputs: ins, outputs: [joined, one(L.lstm({ units: 3, name: 'last' }).apply(joined))] });
      await check(m, 5);
    });

    it(`${mode}: three inputs, all masked, and with the first or the middle one unmasked`, async () => {
      for (const [name, masked] of [['all', [true, true, true]], ['first_plain', [false, true, true]], ['middle_plain', [true, false, true]]] as const) {
        rl.setSeed(3);
        const { ins, seqs } = sequences([...masked]);
        await check(rl.model({ inputs: ins, outputs: mergeOf(mode, name).apply(seqs) }), 6);
      }
    });

    it(`${mode}: a masked [B, T, 1] input broadcasts its mask over the features; a rank-2 input merges unmasked`, async () => {
      rl.setSeed(4);
      const { ins, seqs } = sequences([true, true]);
      const narrow = one(L.dense({ units: 1, name: 'narrow' }).apply(seqs[1]));
      const last = one(L.gru({ units: 4, name: 'last' }).apply(seqs[1]));
      const m = rl.model({ inputs: ins, outputs: [mergeOf(mode, 'wide_narrow').apply([seqs[0], narrow]), mergeOf(mode, 'with_rank2').apply([seqs[0], last])] });
      await check(m, 8);
    });
  }

  it('unmasked merges, and Add and Average under masks, keep their plain graphs', () => {
    rl.setSeed(5);
    const plain = sequences([false, false, false]);
    const m = rl.model({ inputs: plain.ins, outputs: MODES.map((mode) => mergeOf(mode, mode).apply(plain.seqs)) });
    const bytes = toOnnx(m);
    expect(MODES.map((mode) => layerOps(bytes, mode))).toEqual([['Max'], ['Min'], ['Mul', 'Mul']]);
    const masked = sequences([true, true]);
    const outs = ['add', 'average', 'maximum'].map((mode) => (L[mode as 'add'] as unknown as (o: object) => { apply(x: SymbolicTensor[]): SymbolicTensor })({ name: mode }).apply(masked.seqs));
    const both = toOnnx(rl.model({ inputs: masked.ins, outputs: outs }));
    // Each merged mask is Max of the inputs' masks; only Maximum's values are masked.
    expect(layerOps(both, 'add')).toEqual(['Max', 'Sum']);
    expect(layerOps(both, 'average')).toEqual(['Max', 'Mean']);
    expect(layerOps(both, 'maximum')).toEqual(['Max', 'Cast', 'Unsqueeze', 'Cast', 'Unsqueeze', 'Where', 'Where', 'Max']);
  });
});
