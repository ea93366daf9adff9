// rl.regularizers, rl.constraints, rl.initializers and rl.callbacks refuse arguments past their signatures (tfjs's
// take one options object; Keras's callbacks learningRateScheduler and csvLogger take more): an argument past them
// was dropped, its setting lost.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const call = (f: unknown, ...args: unknown[]) => (f as (...a: unknown[]) => unknown)(...args);

describe('rl.regularizers', () => {
  it('l1l2({l1}, {l2}) is refused; {l1, l2} works; Keras\'s l1l2(0.01, 0.02) keeps its refusal', () => {
    expect(() => call(rl.regularizers.l1l2, { l1: 0.1 }, { l2: 0.2 })).toThrow('rl.regularizers.l1l2 takes one argument (options), got 2: argument 2, {"l2":0.2}, would be ignored');
    expect(() => call(rl.regularizers.l2, { l2: 0.1 }, 0.5)).toThrow('rl.regularizers.l2 takes one argument (options), got 2: argument 2, 0.5, would be ignored');
    expect(rl.regularizers.l1l2({ l1: 0.1, l2: 0.2 }).getConfig()).toEqual({ l1: 0.1, l2: 0.2 });
    expect(() => call(rl.regularizers.l1l2, 0.01, 0.02)).toThrow('write rl.regularizers.l1l2({l1: 0.01, l2: 0.02})');
  });
});

describe('rl.constraints', () => {
  it('maxNorm({maxValue}, {axis}) is refused; one object works', () => {
    expect(() => call(rl.constraints.maxNorm, { maxValue: 2 }, { axis: 1 })).toThrow('rl.constraints.maxNorm takes one argument (options), got 2: argument 2, {"axis":1}, would be ignored');
    expect(rl.constraints.maxNorm({ maxValue: 2, axis: 1 }).getConfig()).toMatchObject({ maxValue: 2, axis: 1 });
  });
});

describe('rl.initializers', () => {
  it('randomNormal({mean}, {stddev}) and constant({value}, 2) are refused; one object works', () => {
    expect(() => call(rl.initializers.randomNormal, { mean: 1 }, { stddev: 2 })).toThrow('rl.initializers.randomNormal takes one argument (options), got 2');
    expect(() => call(rl.initializers.constant, { value: 1 }, 2)).toThrow('rl.initializers.constant takes one argument (options), got 2: argument 2, 2, would be ignored');
    expect(rl.initializers.constant({ value: 3 }).getConfig()).toEqual({ value: 3 });
  });
});

describe('rl.callbacks', () => {
  it('earlyStopping({monitor}, {patience}) is refused; one object works', () => {
    expect(() => call(rl.callbacks.earlyStopping, { monitor: 'loss' }, { patience: 3 })).toThrow('rl.callbacks.earlyStopping takes one argument (options), got 2: argument 2, {"patience":3}, would be ignored');
    expect(rl.callbacks.earlyStopping({ monitor: 'loss', patience: 3 }).patience).toBe(3);
  });

  it('learningRateScheduler takes (schedule, verbose, out) and csvLogger (filename, options), refusing one more', () => {
    const schedule = (_epoch: number, lr: number) => lr;
    const out = { write: () => undefined };
    expect(rl.callbacks.learningRateScheduler(schedule, 1, out)).toBeInstanceOf(rl.LearningRateScheduler);
    expect(() => call(rl.callbacks.learningRateScheduler, schedule, 1, out, 5)).toThrow('rl.callbacks.learningRateScheduler takes at most 3 arguments (schedule, verbose, out), got 4: argument 4, 5, would be ignored');
    expect(() => call(rl.callbacks.csvLogger, 'log.csv', { separator: ';' }, { append: true })).toThrow('rl.callbacks.csvLogger takes at most 2 arguments (filename, options), got 3');
  });

  it('the classes in the namespace stay classes', () => {
    class Mine extends rl.callbacks.Callback {}
    expect(new Mine()).toBeInstanceOf(rl.Callback);
  });
});
