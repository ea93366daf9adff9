/**
 * A Sequential takes x and y as {name: tensor} keyed by model.inputNames / outputNames, as tfjs's Sequential does
 * through LayersModel.fit/evaluate/predict (a NamedTensorMap), and as rnnlab's Functional models do: the same numbers
 * as the tensors themselves. A key that names no input or output is an error naming it, the nearest name and the
 * model's names.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const X = [[1, 2], [0.5, -1], [3, 0], [-2, 1]];
const Y = [[1], [0], [2], [-1]];

function model(withShape = true): rl.Sequential {
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, name: 'out', ...(withShape ? { inputShape: [2] } : {}), kernelInitializer: 'ones' })] });
  m.compile({ optimizer: rl.train.sgd(0.1), loss: 'mse', metrics: ['mae'] });
  return m;
}

const values = (t: unknown) => Array.from((t as rl.Tensor).dataSync());
const weights = (m: rl.Sequential) => m.getWeights().map(values);

describe('a Sequential given {name: tensor}', () => {
  it('keys by inputNames and outputNames, with the numbers of plain tensors', async () => {
    const m = model(), ref = model();
    expect(m.inputNames).toEqual(['out_input']);
    expect(m.outputNames).toEqual(['out']);
    const x = rl.tensor(X), y = rl.tensor(Y);
    const h = await m.fit({ out_input: x }, { out: y }, { epochs: 2, batchSize: 2, shuffle: false, verbose: 0, validationData: [{ out_input: x }, { out: y }] });
    const hr = await ref.fit(x, y, { epochs: 2, batchSize: 2, shuffle: false, verbose: 0, validationData: [x, y] });
    expect(h.history).toEqual(hr.history);
    expect(weights(m)).toEqual(weights(ref));
    expect((m.evaluate({ out_input: x }, { out: y }) as rl.Tensor[]).map(values)).toEqual((ref.evaluate(x, y) as rl.Tensor[]).map(values));
    expect(values(m.predict({ out_input: x }))).toEqual(values(ref.predict(x)));
    expect(values(m.predictOnBatch({ out_input: x }))).toEqual(values(ref.predictOnBatch(x)));
    expect(m.testOnBatch({ out_input: x }, { out: y })).toEqual(ref.testOnBatch(x, y));
    expect(m.trainOnBatch({ out_input: x }, { out: y })).toEqual(ref.trainOnBatch(x, y));
    expect(weights(m)).toEqual(weights(ref));
    // Plain arrays under the name are read as the tensor would be.
    expect(values((m.evaluate({ out_input: X }, { out: Y }) as rl.Tensor[])[0])).toEqual(values((ref.evaluate(X, Y) as rl.Tensor[])[0]));
  });

  it('a model built by its first fit takes its input name (<first layer>_input) too', async () => {
    const m = model(false);
    await m.fit({ out_input: rl.tensor(X) }, { out: rl.tensor(Y) }, { verbose: 0 });
    expect(m.inputNames).toEqual(['out_input']);
  });

  it('a misspelt key is an error naming it and the nearest name', async () => {
    const m = model();
    const x = rl.tensor(X), y = rl.tensor(Y);
    await expect(m.fit(x, { outt: y }, { verbose: 0 })).rejects.toThrow(/fit: unknown output 'outt' \(did you mean 'out'\?\); the model's output is out$/);
    await expect(m.fit({ out_inputt: x }, y, { verbose: 0 })).rejects.toThrow(/fit: unknown input 'out_inputt' \(did you mean 'out_input'\?\); the model's input is out_input$/);
    expect(() => m.evaluate({ out_input: x }, { out: y, extra: y })).toThrow(/evaluate: unknown output 'extra'; the model's output is out/);
    expect(() => m.predict({ input: x })).toThrow(/predict: unknown input 'input'; the model's input is out_input/);
    expect(() => m.trainOnBatch({ out_input: x }, { ou: y })).toThrow(/trainOnBatch: unknown output 'ou' \(did you mean 'out'\?\)/);
    // An object of neither the name nor tensors stays the tensor conversion's error.
    await expect(m.fit({ data: [1, 2, 3] } as never, y, { verbose: 0 })).rejects.toThrow(/fit: x: tensor: expected numbers, found object/);
  });

  it("a Functional model's misspelt key names the nearest input too", async () => {
    const a = rl.input({ shape: [1], name: 'left' }), b = rl.input({ shape: [1], name: 'right' });
    const o = rl.layers.dense({ units: 1, name: 'o' }).apply(rl.layers.concatenate({}).apply([a, b]) as rl.SymbolicTensor) as rl.SymbolicTensor;
    const f = rl.model({ inputs: [a, b], outputs: o });
    f.compile({ optimizer: 'sgd', loss: 'mse' });
    const one = rl.ones([2, 1]);
    await expect(f.fit({ left: one, rigth: one }, one, { verbose: 0 })).rejects.toThrow(/fit: unknown input 'rigth' \(did you mean 'right'\?\); the model's inputs are left, right/);
  });
});
