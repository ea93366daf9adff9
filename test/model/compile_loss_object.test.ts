// compile takes the optimizer as a Keras-style {className, config}; the same form for the loss reads as
// {outputName: loss} (as in Keras 3, which refuses it too). The error must say what the object was taken for.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

function model() {
  return rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
}

describe('compile with a serialized loss object', () => {
  for (const key of ['className', 'class_name']) {
    it(`{${key}: 'Huber', config} names the form and says built-in losses take no options`, () => {
      expect(() => model().compile({ optimizer: 'sgd', loss: { [key]: 'Huber', config: { delta: 2 } } as never }))
        .toThrow(new RegExp(`loss \\{${key}, config\\} is not read: a loss is a loss name or a function.*Huber's delta`));
    });
  }

  it('an output that is really named className still takes its loss', () => {
    const input = rl.input({ shape: [2] });
    const out = rl.layers.dense({ units: 1, name: 'className' }).apply(input) as rl.SymbolicTensor;
    const m = rl.model({ inputs: input, outputs: out });
    m.compile({ optimizer: 'sgd', loss: { className: 'meanSquaredError' } });
    const r = m.evaluate(rl.tensor2d([[1, 2]]), rl.tensor2d([[0]])) as rl.Tensor;
    expect(Number.isFinite(r.dataSync()[0])).toBe(true);
  });
});
