/**
 * evaluate lives on ModelBase alone (Sequential and Functional inherit it): tfjs's Scalars, or with Keras's
 * returnDict / return_dict the dict keyed by metricsNames, and Keras's snake_case option names, for either model.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { ModelBase } from '../../src/models/model_base.js';

const X = [[1, 2], [0.5, -1], [3, 0], [-2, 1], [1, 1], [0, 2]];
const Y = [[1], [0], [2], [-1], [0.5], [1]];
const numbers = (r: rl.Tensor | rl.Tensor[]) => (Array.isArray(r) ? r : [r]).map((t) => t.dataSync()[0]);

describe('ModelBase.evaluate', () => {
  it('is the one evaluate: neither Sequential nor Functional overrides it', () => {
    expect(Object.hasOwn(rl.Sequential.prototype, 'evaluate')).toBe(false);
    expect(Object.hasOwn(rl.Functional.prototype, 'evaluate')).toBe(false);
    expect(rl.Sequential.prototype.evaluate).toBe(ModelBase.prototype.evaluate);
    expect(rl.Functional.prototype.evaluate).toBe(ModelBase.prototype.evaluate);
  });

  it("takes returnDict and Keras's names itself, for a Sequential and a Functional model", () => {
    rl.setSeed(8);
    const s = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
    s.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['mae'] });
    const list = numbers(ModelBase.prototype.evaluate.call(s, X, Y) as rl.Tensor[]);
    const dict = ModelBase.prototype.evaluate.call(s, X, Y, { returnDict: true }) as Record<string, number>;
    expect(Object.keys(dict)).toEqual(['loss', 'mae']);
    expect(Object.values(dict)).toEqual(list);
    expect(ModelBase.prototype.evaluate.call(s, X, Y, { return_dict: true, batch_size: 2 })).toEqual(dict);

    const i = rl.input({ shape: [2], name: 'i' });
    const a = rl.layers.dense({ units: 1, name: 'a' }).apply(i) as rl.SymbolicTensor;
    const b = rl.layers.dense({ units: 1, name: 'b' }).apply(i) as rl.SymbolicTensor;
    const f = rl.model({ inputs: i, outputs: [a, b] });
    f.compile({ optimizer: 'sgd', loss: 'mse' });
    const fd = ModelBase.prototype.evaluate.call(f, X, [Y, Y], { returnDict: true }) as Record<string, number>;
    expect(Object.keys(fd)).toEqual(['loss', 'a_loss', 'b_loss']);
    numbers(f.evaluate(X, [Y, Y])).forEach((v, k) => expect(Object.values(fd)[k]).toBeCloseTo(v, 6));
  });

  it('checks its options as before: unknown names, steps refused, a disposed model refused', () => {
    rl.setSeed(8);
    const s = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2], name: 'd' })], name: 'seq' });
    s.compile({ optimizer: 'sgd', loss: 'mse' });
    expect(() => s.evaluate(X, Y, { batchSzie: 2 } as never)).toThrow(/seq\.evaluate: unknown option 'batchSzie' \(did you mean 'batchSize'\?\)/);
    expect(() => s.evaluate(X, Y, { steps: 1 } as never)).toThrow(/seq\.evaluate: option 'steps' is not supported by rnnlab/);
    expect(numbers(s.evaluate(X, Y, null as never))).toEqual(numbers(s.evaluate(X, Y)));
    s.dispose();
    expect(() => s.evaluate(X, Y)).toThrow(/has been disposed/);
  });
});
