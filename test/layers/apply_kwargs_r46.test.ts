/**
 * apply() on real tensors always reads its second argument as a user's kwargs (tfjs's), whatever its shape: an object
 * that looks like the engine's context ({training: false, mask: null}) keeps its initialState, and a key apply does
 * not take is refused by name. The engine reaches a layer through engineApply, not apply.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const values = (t: unknown) => Array.from((t as rl.Tensor).dataSync());
const maxAbsDiff = (a: number[], b: number[]) => (a.length === b.length ? Math.max(...a.map((v, i) => Math.abs(v - b[i]))) : Infinity);

function lstmAndInputs() {
  rl.setSeed(5);
  const lstm = rl.layers.lstm({ units: 3 });
  const x = rl.randomNormal([2, 4, 2]);
  const h = rl.randomNormal([2, 3]);
  const c = rl.randomNormal([2, 3]);
  return { lstm, x, h, c };
}

describe('apply(x, kwargs) shaped like the engine context', () => {
  it('an LSTM given {training: false, mask: null, initialState} starts from those states', () => {
    const { lstm, x, h, c } = lstmAndInputs();
    const plain = values(lstm.apply(x));
    const withStates = values(lstm.apply(x, { training: false, mask: null, initialState: [h, c] }));
    const statesAlone = values(lstm.apply(x, { initialState: [h, c] }));
    expect(maxAbsDiff(withStates, plain)).toBeGreaterThan(1e-3);
    expect(withStates).toEqual(statesAlone);
  });

  it('refuses a key apply does not take, naming it', () => {
    const { lstm, x } = lstmAndInputs();
    expect(() => lstm.apply(x, { training: false, mask: null, foo: 1 } as never)).toThrow(/apply does not take 'foo'/);
  });

  it('a dense layer given {training: false, mask: null, foo} refuses foo too', () => {
    const dense = rl.layers.dense({ units: 2 });
    expect(() => dense.apply(rl.ones([1, 3]), { training: false, mask: null, foo: 1 } as never)).toThrow(/apply does not take 'foo'/);
  });

  it('refuses kwargs that are not an object', () => {
    const dense = rl.layers.dense({ units: 2 });
    expect(() => dense.apply(rl.ones([1, 3]), 5 as never)).toThrow(/takes kwargs as an object/);
  });

  it('attention given {training: false, mask: null} reads them as kwargs: no mask, same as none given', () => {
    rl.setSeed(9);
    const q = rl.randomNormal([1, 2, 4]);
    const v = rl.randomNormal([1, 3, 4]);
    const att = rl.layers.attention({ dropout: 0.5 });
    const plain = values(att.apply([q, v]));
    expect(values(att.apply([q, v], { training: false, mask: null }))).toEqual(plain);
    // A first use on real tensors holds the layer once (tfjs's), as a first apply without kwargs does.
    const holds = (kw?: { training: boolean; mask: null }) => { const a = rl.layers.attention({ useScale: true }); a.apply([q, v], kw); return a.modelRefs; };
    expect(holds()).toBe(1);
    expect(holds({ training: false, mask: null })).toBe(1);
    // As kwargs, a single mask tensor is refused (Keras's list rule), which the engine's context never met.
    expect(() => att.apply([q, v], { training: false, mask: rl.ones([1, 2], 'bool') })).toThrow(/mask must be a list \[queryMask, valueMask\]/);
    // Its training: true is read as kwargs too: dropout on the scores changes the output.
    rl.setSeed(1);
    expect(maxAbsDiff(values(att.apply([q, v], { training: true, mask: null })), plain)).toBeGreaterThan(1e-4);
  });

  it('a Sequential with an LSTM still fits and predicts through the engine', async () => {
    rl.setSeed(2);
    const m = rl.sequential({ layers: [rl.layers.lstm({ units: 3, inputShape: [4, 2] }), rl.layers.dense({ units: 1 })] });
    m.compile({ loss: 'meanSquaredError', optimizer: 'sgd' });
    const x = rl.randomNormal([6, 4, 2]);
    const y = rl.randomNormal([6, 1]);
    const before = m.evaluate(x, y) as rl.Tensor;
    await m.fit(x, y, { epochs: 3, batchSize: 6, verbose: 0 });
    const after = m.evaluate(x, y) as rl.Tensor;
    expect(after.dataSync()[0]).toBeLessThan(before.dataSync()[0]);
    const p = m.predict(x) as rl.Tensor;
    const layerByLayer = m.layers[1].apply(m.layers[0].apply(x) as rl.Tensor) as rl.Tensor;
    expect(maxAbsDiff(values(p), values(layerByLayer))).toBeLessThan(1e-6);
  });
});
