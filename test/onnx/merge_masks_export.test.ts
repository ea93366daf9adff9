// Functional export of merges whose inputs carry different padding masks: the ONNX graph must give the merged
// tensor the mask rnnlab's merge layers give it (Keras 3's rule: none unless every input has one, else a step is
// real where any input's is; Dot none), so the masked LSTM and average after the merge match predict in ONNX
// Runtime (<= 1e-5) at batch sizes and lengths other than the first run's; Maximum, Minimum and Multiply also leave
// the padded values out of the merged values, as predict does (merge_mask_values_export.test.ts checks those values).
import { describe, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { SymbolicTensor } from '../../src/layers/symbolic.js';
import { expectSameAsOrt, randomize, tokenIds } from './helpers.js';

const L = rl.layers;
const V = 12;
const one = (t: SymbolicTensor | SymbolicTensor[]) => (Array.isArray(t) ? t[0] : t);
const ids = (n: number, T: number, seed: number) => tokenIds(n, T, V, seed, { pad: true, holes: true, allowEmpty: true });

/** Two int32 inputs, each embedded with maskZero into its own sequence, so their masks differ step by step. */
function twoMaskedSequences(maskB = true, T: number | null = null): { a: SymbolicTensor; b: SymbolicTensor; sa: SymbolicTensor; sb: SymbolicTensor } {
  const a = rl.input({ shape: [T], dtype: 'int32', name: 'a' }), b = rl.input({ shape: [T], dtype: 'int32', name: 'b' });
  const sa = one(L.embedding({ inputDim: V, outputDim: 4, maskZero: true, name: 'emb_a' }).apply(a));
  const sb = one(L.embedding({ inputDim: V, outputDim: 4, maskZero: maskB, name: 'emb_b' }).apply(b));
  return { a, b, sa, sb };
}

async function check(m: rl.Functional): Promise<void> {
  randomize(m, 4);
  for (const [n, T, seed] of [[6, 5, 1], [3, 9, 2], [1, 2, 3]]) await expectSameAsOrt(m, [ids(n, T, seed), ids(n, T, seed + 10)]);
}

describe('merged padding masks in the exported graph', () => {
  for (const merge of ['add', 'subtract', 'multiply', 'average', 'maximum', 'minimum', 'concatenate'] as const) {
    it(`${merge} of two differently masked sequences into a masked LSTM and a masked average`, async () => {
      rl.setSeed(1);
      const { a, b, sa, sb } = twoMaskedSequences();
      const joined = one((L[merge] as unknown as (o: object) => { apply(x: SymbolicTensor[]): SymbolicTensor | SymbolicTensor[] })({ name: 'joined' }).apply([sa, sb]));
      const m = rl.model({ inputs: [a, b], outputs: [one(L.lstm({ units: 3, name: 'last' }).apply(joined)), one(L.globalAveragePooling1d({ name: 'pooled' }).apply(joined))] });
      await check(m);
    });
  }

  it('a masked and an unmasked sequence added: no mask after the merge', async () => {
    rl.setSeed(2);
    const { a, b, sa, sb } = twoMaskedSequences(false);
    const joined = one(L.add({ name: 'joined' }).apply([sa, sb]));
    const m = rl.model({ inputs: [a, b], outputs: [one(L.gru({ units: 3, name: 'last' }).apply(joined)), one(L.globalAveragePooling1d({ name: 'pooled' }).apply(joined))] });
    await check(m);
  });

  it('a Dot of two masked sequences passes no mask to the LSTM after it', async () => {
    rl.setSeed(3);
    const { a, b, sa, sb } = twoMaskedSequences(true, 5);
    const scores = one(L.dot({ axes: 2, name: 'scores' }).apply([sa, sb]));
    const m = rl.model({ inputs: [a, b], outputs: one(L.lstm({ units: 2, name: 'last' }).apply(scores)) });
    randomize(m, 5);
    // The Dot's steps are a's, its features b's steps: a fixed length keeps the LSTM's input width fixed.
    for (const [n, seed] of [[6, 1], [2, 2]]) await expectSameAsOrt(m, [ids(n, 5, seed), ids(n, 5, seed + 10)]);
  });
});
