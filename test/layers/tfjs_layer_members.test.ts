/**
 * tfjs members ported code reaches for: the base resetStates, SymbolicTensor's inputs / callArgs / originalName, and
 * the classes tf.RNN, tf.layers.RNN and tf.LayerVariable (for instanceof), each checked against tfjs 4.22.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

type Sym = rl.SymbolicTensor;

describe('base resetStates', () => {
  it('throws tfjs\'s error on a layer that keeps no states, naming it', () => {
    expect(() => tf.layers.dense({ units: 2 }).resetStates()).toThrow('Cannot call the resetStates() method of a non-stateful Layer object');
    const d = rl.layers.dense({ units: 2, name: 'plain' });
    expect(() => d.resetStates()).toThrow('plain (Dense): Cannot call the resetStates() method of a non-stateful Layer object');
  });

  it('leaves the stateful checks as they were: stateful = true still needs a resetStates of the layer\'s own', () => {
    expect(() => { rl.layers.dense({ units: 2, name: 'd_own' }).stateful = true; }).toThrow(/d_own \(Dense\): stateful = true needs a resetStates\(\) method/);
    let resets = 0;
    class Counter extends rl.layers.Layer {
      static override readonly className: string = 'Counter';
      constructor() { super({}); this.stateful = true; }
      override resetStates(): void { resets++; }
      call(x: rl.Tensor): rl.Tensor { return x; }
    }
    const inp = rl.input({ shape: [2] });
    const m = rl.model({ inputs: inp, outputs: new Counter().apply(inp) as Sym });
    m.resetStates();
    expect(resets).toBe(1);
  });
});

describe('SymbolicTensor inputs, callArgs and originalName', () => {
  it('read as tfjs\'s for an input, a dense call, a second call and a merge', () => {
    const read = (lib: typeof tf | typeof rl) => {
      const i = lib.input({ shape: [3], name: 'i' }) as Sym;
      const d = lib.layers.dense({ units: 2, name: 'dd' });
      const o = d.apply(i as never, { training: true }) as Sym;
      const o2 = d.apply(i as never) as Sym;
      const c = lib.layers.concatenate({ name: 'cat' }).apply([i, i] as never) as Sym;
      return {
        input: [i.originalName, i.inputs.length, i.callArgs],
        first: [o.name, o.originalName, o.inputs.map((t) => t.name), o.callArgs],
        second: [o2.name, o2.originalName, o2.callArgs],
        merge: [c.originalName, c.inputs.length],
      };
    };
    expect(read(rl)).toEqual(read(tf));
  });

  it('callArgs holds a recurrent call\'s initialState, and inputs lists the states after x, as tfjs', () => {
    const read = (lib: typeof tf | typeof rl) => {
      const x = lib.input({ shape: [4, 3], name: 'x' });
      const h = lib.input({ shape: [2], name: 'h' });
      const c = lib.input({ shape: [2], name: 'c' });
      const [y] = lib.layers.lstm({ units: 2, returnState: true }).apply(x as never, { initialState: [h, c] as never }) as Sym[];
      return { inputs: y.inputs.map((t) => t.name), states: (y.callArgs.initialState as Sym[]).map((t) => t.name) };
    };
    expect(read(rl)).toEqual({ inputs: ['x', 'h', 'c'], states: ['h', 'c'] });
    expect(read(rl)).toEqual(read(tf));
  });
});

describe('tfjs class names for instanceof', () => {
  it('rl.RNN and rl.layers.RNN are rl.layerClasses.RNN, as tf.RNN is tf.layers.RNN', () => {
    expect(tf.layers.RNN).toBe(tf.RNN);
    expect(rl.RNN).toBe(rl.layerClasses.RNN);
    expect(rl.layers.RNN).toBe(rl.layerClasses.RNN);
    for (const lib of [tf, rl] as const) {
      const t = lib as typeof tf;
      expect(t.layers.rnn({ cell: t.layers.gruCell({ units: 2 }) }) instanceof t.layers.RNN).toBe(true);
      expect(t.layers.lstm({ units: 2 }) instanceof t.RNN).toBe(true);
      expect(t.layers.dense({ units: 2 }) instanceof t.RNN).toBe(false);
    }
  });

  it('a layer\'s weights are instanceof rl.LayerVariable, as in tfjs; a tensor is not; it makes no weights itself', () => {
    for (const lib of [tf, rl] as const) {
      const t = lib as typeof tf;
      const d = t.layers.dense({ units: 2 });
      d.apply(t.zeros([1, 3]));
      expect(d.weights.every((w) => w instanceof t.LayerVariable)).toBe(true);
      expect(t.zeros([2]) instanceof t.LayerVariable).toBe(false);
    }
    expect(() => new (rl.LayerVariable as unknown as new () => unknown)()).toThrow(/rl.LayerVariable is for instanceof checks only/);
  });
});
