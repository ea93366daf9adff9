/**
 * Arguments that used to be accepted and fail later, or fail with a bare TypeError: model.optimizer assigned a
 * non-optimizer, summary's printFn and lineLength, summary given tfjs 4.22's four Sequential positions, and
 * modelFromJSON's tfjs customObjects argument. Each is an error naming the call and the argument.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

function model(): rl.Sequential {
  rl.setSeed(5);
  const m = rl.sequential({ name: 'tiny', layers: [rl.layers.dense({ units: 1, inputShape: [2], name: 'd' })] });
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  return m;
}

const x = rl.tensor2d([[1, 2], [3, 4]]);
const y = rl.tensor2d([[1], [0]]);

describe('model.optimizer assignment', () => {
  it.each([['adam', /got "adam"; to choose one by name, call compile/], [42, /got 42/], [null, /got null/], [{ applyGradients() {} }, /got an object of class Object/]])(
    'refuses %j, naming the property, and keeps the optimizer it had', (value, detail) => {
      const m = model();
      const had = m.optimizer;
      expect(() => { (m as { optimizer: unknown }).optimizer = value; }).toThrow(/tiny: model\.optimizer must be an rnnlab optimizer object/);
      expect(() => { (m as { optimizer: unknown }).optimizer = value; }).toThrow(detail);
      expect(m.optimizer).toBe(had);
    });

  it('takes another optimizer object, which fit then uses (tfjs)', async () => {
    const m = model();
    const frozen = rl.train.sgd(0);
    m.optimizer = frozen;
    expect(m.optimizer).toBe(frozen);
    const before = m.getWeights().map((w) => Array.from(w.dataSync()));
    await m.fit(x, y, { epochs: 2, verbose: 0 });
    // A learning rate of 0 moves nothing: the compiled SGD (0.01) would have.
    expect(m.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    expect(frozen.iterations).toBe(2);
    m.optimizer = new rl.SGD({ learningRate: 0.1 });
    await m.fit(x, y, { epochs: 1, verbose: 0 });
    expect(m.getWeights().map((w) => Array.from(w.dataSync()))).not.toEqual(before);
  });
});

describe('summary arguments', () => {
  const graph = () => {
    const inp = rl.input({ shape: [2], name: 'in' });
    return rl.model({ inputs: inp, outputs: rl.layers.dense({ units: 1, name: 'g' }).apply(inp) as rl.SymbolicTensor, name: 'graph' });
  };

  it('a printFn that is not a function is an error naming summary and printFn', () => {
    expect(() => model().summary(undefined, undefined, 5 as never)).toThrow(/^tiny\.summary: printFn must be a function \(line\) => void, got number 5$/);
    expect(() => model().summary(undefined, undefined, null as never)).toThrow(/tiny\.summary: printFn must be a function .*got null/);
    const input = rl.input({ shape: [3] });
    const functional = rl.model({ inputs: input, outputs: rl.layers.dense({ units: 1 }).apply(input) as rl.SymbolicTensor, name: 'graph' });
    expect(() => functional.summary(undefined, undefined, 5 as never)).toThrow(/^graph\.summary: printFn must be a function \(line\) => void, got number 5$/);
  });

  it('a lineLength that is a string is shown quoted', () => {
    expect(() => model().summary('50' as never)).toThrow(/^tiny\.summary: lineLength must be an integer >= 10, got the string "50"$/);
    expect(() => graph().summary('50' as never)).toThrow(/^graph\.summary: lineLength must be an integer >= 10, got the string "50"$/);
    expect(() => model().summary(9.5)).toThrow(/lineLength must be an integer >= 10, got number 9\.5/);
  });

  it("tfjs 4.22's four Sequential positions are refused, saying its extra column is Input Shape", () => {
    expect(() => model().summary(90, [0.32, 0.61, 0.89, 1]))
      .toThrow(/tiny\.summary: positions must be three increasing positive numbers, the ends of the columns Layer \(type\), Output Shape, Param #, got \[0\.32,0\.61,0\.89,1\]; tfjs 4\.22's 4 positions place its extra Input Shape column/);
    expect(() => graph().summary(115, [0.24, 0.48, 0.7, 0.8, 1])).toThrow(/graph\.summary: positions must be four .*Receives inputs, got .*tfjs 4\.22's 5 positions/);
    expect(() => model().summary(90, [0.5, 0.4, 1])).toThrow(/positions must be three increasing positive numbers, the ends of the columns .*got \[0\.5,0\.4,1\]$/);
  });
});

describe('modelFromJSON customObjects', () => {
  it("takes tfjs's second argument as a map of classes; a map of another kind is an error naming it", async () => {
    const json = model().toJSON();
    class MyLayer extends rl.layers.Layer {
      static className = 'MyLayer';
      call(x: rl.Tensor): rl.Tensor { return x; }
    }
    const m = await rl.models.modelFromJSON(json, { MyLayer });
    expect(m.layers.map((l) => l.name)).toEqual(['d']);
    await expect(rl.models.modelFromJSON(json, 'x' as never)).rejects.toThrow(/customObjects must be an object \{className: LayerClass\}/);
  });

  it('an empty map, or none, asks for nothing and builds the model', async () => {
    const json = model().toJSON();
    for (const none of [{}, undefined, null]) {
      const m = await rl.models.modelFromJSON(json, none as never);
      expect(m.layers.map((l) => l.name)).toEqual(['d']);
    }
  });
});
