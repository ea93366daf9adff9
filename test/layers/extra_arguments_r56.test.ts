// Every rl.layers factory, and new rl.layerClasses.X, takes one options object: a second argument (Keras's keywords
// written as a second object) was dropped, building a layer without those options. Now it is refused.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const call = (f: unknown, ...args: unknown[]) => (f as (...a: unknown[]) => unknown)(...args);

describe('rl.layers factories refuse a second argument', () => {
  it('dense({units}, {activation}) is refused with the one object to write; that object builds a relu layer', () => {
    expect(() => call(rl.layers.dense, { units: 1 }, { activation: 'relu' })).toThrow(
      'rl.layers.dense takes one argument (options), got 2: argument 2, {"activation":"relu"}, would be ignored; put every option in the one object: rl.layers.dense({units, activation})');
    expect(rl.layers.dense({ units: 1, activation: 'relu' }).getConfig()).toMatchObject({ activation: 'relu' });
  });

  it('lstm({units}, {returnSequences: true}) is refused; the one object gives returnSequences', () => {
    expect(() => call(rl.layers.lstm, { units: 2 }, { returnSequences: true })).toThrow('rl.layers.lstm takes one argument (options), got 2');
    expect(rl.layers.lstm({ units: 2, returnSequences: true }).returnSequences).toBe(true);
  });

  it('a refused call takes no automatic name', () => {
    const before = rl.layers.dense({ units: 1 }).name;
    expect(() => call(rl.layers.dense, { units: 1 }, 3)).toThrow('argument 2, 3, would be ignored');
    const after = rl.layers.dense({ units: 1 }).name;
    expect(Number(after.split('_').pop()) - Number(before.split('_').pop())).toBe(1);
  });

  it('every factory of the table refuses it, those built outside checkThenConstruct too (merge, rnn, cells, input)', () => {
    // The classes (Layer, RNN) and the refusals of layers rnnlab has not (conv2d: an error whatever the arguments) aside.
    const refused = (name: string, f: unknown) => { try { call(f, {}); return false; } catch (e) { return (e as Error).message.startsWith(`layers.${name}:`); } };
    const factories = Object.entries(rl.layers).filter(([n, f]) => typeof f === 'function' && !/^[A-Z]/.test(n) && !refused(n, f));
    expect(factories.length).toBeGreaterThan(60);
    for (const [name, f] of factories) {
      expect(() => call(f, {}, { extra: 1 }), name).toThrow(`rl.layers.${name} takes one argument (options), got 2`);
      // Keras's positional form is refused by the factory itself, never built with the second argument dropped.
      expect(() => call(f, 5, { extra: 1 }), name).toThrow();
    }
    const cell = rl.layers.lstmCell({ units: 2 });
    expect(() => call(rl.layers.rnn, { cell }, { returnSequences: true })).toThrow('rl.layers.rnn takes one argument (options), got 2');
    expect(rl.layers.rnn({ cell, returnSequences: true }).getConfig()).toMatchObject({ returnSequences: true });
    const a = rl.input({ shape: [2] }), b = rl.input({ shape: [2] });
    expect(() => call(rl.layers.add, [a, b], { name: 'sum' })).toThrow('rl.layers.add takes one argument (options), got 2');
    expect((rl.layers.add([a, b]) as rl.SymbolicTensor).shape).toEqual([null, 2]);
    expect(() => call(rl.layers.input, { shape: [2] }, { dtype: 'int32' })).toThrow('rl.layers.input takes one argument (options), got 2');
  });

  it('Keras\'s positional forms keep their own refusal, saying what to write', () => {
    expect(() => call(rl.layers.embedding, 1000, 64)).toThrow('write rl.layers.embedding({inputDim: 1000, outputDim: 64})');
  });

  it('new rl.layerClasses.Dense({units}, {activation}) is refused too', () => {
    expect(() => new (rl.layerClasses.Dense as unknown as new (...a: unknown[]) => unknown)({ units: 1 }, { activation: 'relu' })).toThrow(
      'rl.layerClasses.Dense takes one argument (options), got 2: argument 2, {"activation":"relu"}, would be ignored; put every option in the one object: new rl.layerClasses.Dense({units, activation})');
  });
});

describe('the rl.layerClasses that check their own options refuse a second argument too', () => {
  it.each(['SimpleRNNCell', 'LSTMCell', 'GRUCell'] as const)('new rl.layerClasses.%s({units}, {...})', (name) => {
    const Cls = rl.layerClasses[name] as unknown as new (...a: unknown[]) => rl.layerClasses.Layer;
    expect(() => new Cls({ units: 2 }, { activation: 'relu' })).toThrow(`rl.layerClasses.${name} takes one argument (options), got 2`);
    expect(new Cls({ units: 2 })).toBeInstanceOf(rl.layerClasses.Layer);
  });

  it('new rl.layerClasses.RNN / CellRNN / StackedRNNCells', () => {
    const cell = () => rl.layers.lstmCell({ units: 2 });
    for (const name of ['RNN', 'CellRNN'] as const) {
      const Cls = rl.layerClasses[name] as unknown as new (...a: unknown[]) => rl.layerClasses.Layer;
      expect(() => new Cls({ cell: cell() }, { returnSequences: true })).toThrow(`rl.layerClasses.${name} takes one argument (options), got 2`);
      expect(new Cls({ cell: cell(), returnSequences: true }).getConfig()).toMatchObject({ returnSequences: true });
    }
    const Stacked = rl.layerClasses.StackedRNNCells as unknown as new (...a: unknown[]) => unknown;
    expect(() => new Stacked({ cells: [cell()] }, { name: 's' })).toThrow('rl.layerClasses.StackedRNNCells takes one argument (options), got 2');
  });

  it('a subclass of an exported class keeps its own constructor\'s arguments', () => {
    class Mine extends rl.layerClasses.LSTMCell {
      readonly extra: number;
      constructor(args: { units: number }, extra: number) { super(args); this.extra = extra; }
    }
    expect(new Mine({ units: 2 }, 3).extra).toBe(3);
  });
});
