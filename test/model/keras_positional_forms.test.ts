/**
 * Keras's positional and keyword call forms on models, optimizers and callbacks (Model(i, o), Adam(0.01),
 * summary(print_fn=...), train_on_batch(class_weight=...), CSVLogger(filename)) are refused saying what to write;
 * they used to be read as something else and refused naming options the user never wrote.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

describe('rl.model(inputs, outputs)', () => {
  it('says to pass {inputs, outputs}, for rl.model and new rl.Model, one tensor or lists', () => {
    const i = rl.input({ shape: [3] });
    const o = rl.layers.dense({ units: 2 }).apply(i) as rl.SymbolicTensor;
    const msg = "model: takes one options object, not Keras's positional (inputs, outputs): write rl.model({inputs, outputs}) (or new rl.Model({inputs, outputs}))";
    expect(() => (rl.model as (...a: unknown[]) => unknown)(i, o)).toThrow(msg);
    expect(() => new (rl.Model as unknown as new (...a: unknown[]) => unknown)(i, o)).toThrow(msg);
    expect(() => (rl.model as (...a: unknown[]) => unknown)([i], [o])).toThrow(msg);
    expect(rl.model({ inputs: i, outputs: o }).outputs).toHaveLength(1);
  });
});

describe("Keras's compile(optimizer, loss)", () => {
  it('says compile takes one options object, on Sequential and functional models; a missing loss keeps its message', () => {
    const seq = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
    const compile = (m: { compile: unknown }, ...a: unknown[]) => (m.compile as (...x: unknown[]) => void).apply(m, a);
    expect(() => compile(seq, 'rmsprop', 'mse')).toThrow(`${seq.name}.compile: takes one options object {optimizer, loss, metrics}, not Keras's positional compile(optimizer, loss): write compile({optimizer: "rmsprop", loss: ...})`);
    expect(() => compile(seq, rl.train.adam(0.01), 'mse')).toThrow(/compile: takes one options object .*write compile\(\{optimizer: opt, loss: \.\.\.\}\)/);
    const i = rl.input({ shape: [2] });
    const fn = rl.model({ inputs: i, outputs: rl.layers.dense({ units: 1 }).apply(i) as rl.SymbolicTensor });
    expect(() => compile(fn, 'sgd', 'mse')).toThrow(`${fn.name}.compile: takes one options object`);
    expect(() => compile(seq, { optimizer: 'sgd' })).toThrow(`${seq.name}.compile: 'optimizer' and 'loss' are required`);
  });
});

describe('optimizer factories given a learning rate', () => {
  it('rl.optimizers.adam(0.01) names {learningRate} and tfjs\'s rl.train.adam, which still takes it', () => {
    expect(() => rl.optimizers.adam(0.01 as never))
      .toThrow("rl.optimizers.adam: the options argument must be an object, got 0.01; write rl.optimizers.adam({learningRate: 0.01}) or tfjs's positional rl.train.adam(0.01)");
    expect(() => rl.optimizers.nadam(0.01 as never)).toThrow(/got 0\.01; write rl\.optimizers\.nadam\(\{learningRate: 0\.01\}\)$/);
    expect(rl.train.adam(0.01).learningRate).toBe(0.01);
    expect(rl.optimizers.adam({ learningRate: 0.01 }).learningRate).toBe(0.01);
    // The classes, as Keras's Adam(0.01) reads.
    expect(() => new (rl.Adam as unknown as new (a: unknown) => unknown)(0.01)).toThrow('rl.Adam: the options argument must be an object, got 0.01; write new rl.Adam({learningRate: 0.01})');
    expect(() => new (rl.Adam as unknown as new (a: unknown) => unknown)('fast')).toThrow('rl.Adam: the options argument must be an object, got "fast"');
  });
});

describe('Keras keywords gathered into an object', () => {
  const compiled = () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [3], name: 'out' })] });
    m.compile({ loss: 'mse', optimizer: 'sgd' });
    return m;
  };

  it('summary({print_fn}) says summary takes (lineLength, positions, printFn)', () => {
    const m = compiled();
    expect(() => m.summary({ print_fn: console.log } as never)).toThrow(
      `${m.name}.summary: takes (lineLength, positions, printFn) positionally, as tfjs's, not an options object (got one with 'print_fn'); for print_fn write summary(undefined, undefined, printFn)`);
    expect(() => m.summary({ expand_nested: true } as never)).toThrow(/not an options object \(got one with 'expand_nested'\)$/);
    const lines: string[] = [];
    m.summary(undefined, undefined, (l) => lines.push(l));
    expect(lines[0]).toBe(`Model: "${m.name}"`);
  });

  it('trainOnBatch(x, y, {class_weight}) says classWeight is the fourth argument; testOnBatch takes none', () => {
    const m = compiled();
    const x = rl.ones([2, 3]), y = rl.ones([2, 1]);
    const before = m.getWeights()[0].dataSync().slice();
    expect(() => m.trainOnBatch(x, y, { class_weight: { 0: 2 } } as never)).toThrow(
      "trainOnBatch: the third argument is sampleWeight, got an object with 'class_weight': trainOnBatch takes Keras's keywords positionally, " +
      '(x, y, sampleWeight, classWeight, returnDict); write trainOnBatch(x, y, null, classWeight)');
    expect(() => m.trainOnBatch(x, y, { return_dict: true } as never)).toThrow(/; write trainOnBatch\(x, y, null, null, true\)$/);
    expect(() => m.testOnBatch(x, y, { class_weight: { 0: 2 } } as never)).toThrow(
      "testOnBatch: the third argument is sampleWeight, got an object with 'class_weight': testOnBatch takes Keras's keywords positionally, " +
      "(x, y, sampleWeight, returnDict); it takes no classWeight (Keras's test_on_batch neither: weigh samples with sampleWeight)");
    expect(m.getWeights()[0].dataSync()).toEqual(before);
    // The per-output form, naming the output, still works.
    expect(typeof m.trainOnBatch(x, y, { out: [1, 2] })).toBe('number');
  });

  it('csvLogger({filename}) says the file name comes first', () => {
    expect(() => rl.callbacks.csvLogger({ filename: 't.log', append: true } as never)).toThrow(
      "CSVLogger: filename must be a non-empty path, got an object: the file name is the first argument and the options (separator, append) the second, " +
      "as in Keras's CSVLogger(filename, separator, append): write rl.callbacks.csvLogger(\"t.log\", {append})");
    expect(() => rl.callbacks.csvLogger('' as never)).toThrow('CSVLogger: filename must be a non-empty path, got ""');
  });
});
