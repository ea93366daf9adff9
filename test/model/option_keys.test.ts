// One check of option keys for every function (src/near_name.ts checkOptionKeys): an unknown key names the
// function, the key, the nearest known name and every option; options rnnlab does not implement are refused by
// name; a refused call leaves nothing behind.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { checkOptionKeys } from '../../src/near_name.js';
import { DataError } from '../../src/data/errors.js';
import { ModelFormatError } from '../../src/io/errors.js';

const X = rl.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]);
const Y = rl.tensor2d([[1], [0], [1], [0]]);

function model(): rl.Sequential {
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2], activation: 'sigmoid' })] });
  m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
  return m;
}

describe('checkOptionKeys', () => {
  it('names the function, the key, the nearest known name and the options; refused keys say why', () => {
    expect(() => checkOptionKeys('f', { patiense: 1 }, ['patience', 'mode'])).toThrow("f: unknown option 'patiense' (did you mean 'patience'?); options: patience, mode");
    expect(() => checkOptionKeys('f', { zzz: 1 }, ['patience'])).toThrow("f: unknown option 'zzz'; options: patience");
    expect(() => checkOptionKeys('f', { steps: 1 }, ['a'], { refused: { steps: 'slice x' } })).toThrow("f: option 'steps' is not supported by rnnlab (slice x)");
    expect(() => checkOptionKeys('f', [1], ['a'])).toThrow('f: the options argument must be an object, got a list');
    expect(() => checkOptionKeys('f', 'abc', ['a'])).toThrow('f: the options argument must be an object, got "abc"');
  });

  it('keeps each caller\'s rules: undefined values, null, and the error class', () => {
    expect(checkOptionKeys('f', undefined, ['a'])).toEqual({});
    expect(checkOptionKeys('f', { b: undefined }, ['a'])).toEqual({ b: undefined });
    expect(() => checkOptionKeys('f', { b: undefined }, ['a'], { undefinedIsAbsent: false })).toThrow("unknown option 'b'");
    expect(checkOptionKeys('f', null, ['a'], { nullIsNone: true })).toEqual({});
    expect(() => checkOptionKeys('f', null, ['a'])).toThrow('must be an object, got null');
    expect(() => checkOptionKeys('f', { b: 1 }, ['a'], { error: DataError })).toThrow(DataError);
  });
});

describe('every option check has the one shape', () => {
  it('fit, compile, evaluate, predict, sequential, model and CustomCallback', async () => {
    const m = model();
    await expect(m.fit(X, Y, { epoch: 2, verbose: 0 } as never)).rejects.toThrow("fit: unknown option 'epoch' (did you mean 'epochs'?); options: epochs, batchSize");
    const masked = rl.sequential({ layers: [rl.layers.embedding({ inputDim: 5, outputDim: 2, maskZero: true }), rl.layers.lstm({ units: 2 }), rl.layers.dense({ units: 1 })] });
    masked.compile({ optimizer: 'sgd', loss: 'mse' });
    const ids = rl.tensor2d([[1, 2, 0], [3, 0, 0]], [2, 3], 'int32');
    await expect(masked.fit(ids, rl.tensor2d([[1], [0]]), { verbose: 0, bucket: { poolBatch: 2 } } as never)).rejects.toThrow(/fit: bucket: unknown option 'poolBatch' \(did you mean 'poolBatches'\?\)/);
    expect(() => m.compile({ optimizer: 'sgd', loss: 'mse', lossWeight: 1 } as never)).toThrow(/compile: unknown option 'lossWeight' \(did you mean 'lossWeights'\?\); options: optimizer, loss/);
    expect(() => m.evaluate(X, Y, { batchsize: 2 } as never)).toThrow(/\.evaluate: unknown option 'batchsize' \(did you mean 'batchSize'\?\); options: batchSize, verbose, sampleWeight, out/);
    // null is no options for evaluate and predict, as in tfjs (evaluate used to read fields of it).
    expect((m.evaluate(X, Y, null as never) as rl.Scalar).dataSync()[0]).toBe((m.evaluate(X, Y) as rl.Scalar).dataSync()[0]);
    expect(Array.from((m.predict(X, null as never) as rl.Tensor).dataSync())).toEqual(Array.from((m.predict(X) as rl.Tensor).dataSync()));
    expect(() => m.predict(X, { verbos: 0 } as never)).toThrow(/\.predict: unknown option 'verbos' \(did you mean 'verbose'\?\)/);
    expect(() => rl.sequential({ layer: [] } as never)).toThrow("sequential: unknown option 'layer' (did you mean 'layers'?); options: layers, name");
    const input = rl.input({ shape: [2] });
    expect(() => rl.model({ inputs: input, output: input } as never)).toThrow("model: unknown option 'output' (did you mean 'outputs'?); options: inputs, outputs, name");
    expect(() => new rl.CustomCallback({ onEpochEnds: () => undefined } as never)).toThrow(/CustomCallback: unknown option 'onEpochEnds' \(did you mean 'onEpochEnd'\?\)/);
    expect(() => new rl.CustomCallback({ onYield: () => undefined } as never)).toThrow("CustomCallback: option 'onYield' is not supported by rnnlab");
    await expect(m.fit(X, Y, { verbose: 0, callbacks: [{ onEpochEnds: () => undefined } as never] })).rejects.toThrow(/unknown hook 'onEpochEnds' \(did you mean 'onEpochEnd'\?\); hooks: /);
  });

  it('callbacks (earlyStopping, reduceLROnPlateau, CSVLogger) point at the nearest option', () => {
    expect(() => rl.callbacks.earlyStopping({ monitr: 'val_loss' } as never)).toThrow("earlyStopping: unknown option 'monitr' (did you mean 'monitor'?); options: monitor");
    expect(() => rl.callbacks.reduceLROnPlateau({ patiense: 1 } as never)).toThrow("ReduceLROnPlateau: unknown option 'patiense' (did you mean 'patience'?)");
    expect(() => rl.callbacks.csvLogger(join(tmpdir(), 'never.csv'), { seperator: ';' } as never)).toThrow("CSVLogger: unknown option 'seperator' (did you mean 'separator'?); options: separator, append");
  });

  it('fitDataset and evaluateDataset', async () => {
    const m = model();
    const ds = rl.data.array([{ xs: [[1, 2]], ys: [[1]] }]);
    await expect(m.fitDataset(ds, { epoch: 1 } as never)).rejects.toThrow(/fitDataset: unknown option 'epoch' \(did you mean 'epochs'\?\); options: epochs, batchesPerEpoch/);
    await expect(m.evaluateDataset(ds, { batch: 1 } as never)).rejects.toThrow(/evaluateDataset: unknown option 'batch' \(did you mean 'batches'\?\); options: batches, verbose, out/);
  });
});

describe('save and load options', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlab-options-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an unknown or unimplemented save option is refused before anything is written', async () => {
    const m = model();
    const target = join(dir, 'm1');
    await expect(m.save(`file://${target}`, { shardSize: 10 } as never)).rejects.toThrow(/save: unknown option 'shardSize'; options: shardSizeBytes, includeTrainingConfig, weightsFileName/);
    await expect(m.save(`file://${target}`, { trainableOnly: true } as never)).rejects.toThrow("save: option 'trainableOnly' is not supported by rnnlab");
    await expect(m.save(`file://${target}`, { shardSizeBytes: 'x' } as never)).rejects.toThrow(/shardSizeBytes must be a positive integer/);
    expect(existsSync(target)).toBe(false);
    await expect(m.save(rl.io.withSaveHandler(async () => ({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }) as never), { shardSizeBytes: 64 }))
      .rejects.toThrow("save: option 'shardSizeBytes' does not apply to an IO handler");
    await expect(m.save(join(dir, 'm.onnx'), { weightsFileName: 'w.bin' })).rejects.toThrow("save: option 'weightsFileName' does not apply to an ONNX file");
    expect(readdirSync(dir)).toEqual([]);
  });

  it('load options: the nearest name, the refused HTTP ones, with ModelFormatError', async () => {
    const m = model();
    await m.save(`file://${join(dir, 'ok')}`, { weightsFileName: 'w.bin' });
    expect(readdirSync(join(dir, 'ok')).sort()).toEqual(['model.json', 'w.bin']);
    const url = `file://${join(dir, 'ok')}`;
    await expect(rl.loadLayersModel(url, { strictt: true } as never)).rejects.toThrow(ModelFormatError);
    await expect(rl.loadLayersModel(url, { strictt: true } as never)).rejects.toThrow("loadLayersModel: unknown option 'strictt' (did you mean 'strict'?)");
    await expect(rl.loadLayersModel(url, { fetchFunc: () => null } as never)).rejects.toThrow("loadLayersModel: option 'fetchFunc' is not supported by rnnlab (rnnlab loads file:// paths and IO handlers, without HTTP)");
  });
});

describe('rl.data options keep DataError and refuse undefined-valued unknown keys', () => {
  it('padSequences', () => {
    expect(() => rl.preprocessing.padSequences([[1]], { maxLen: 2 } as never)).toThrow(DataError);
    expect(() => rl.preprocessing.padSequences([[1]], { maxLen: 2 } as never)).toThrow("padSequences: unknown option 'maxLen' (did you mean 'maxlen'?); options: ");
    expect(() => rl.preprocessing.padSequences([[1]], { pading: undefined } as never)).toThrow("unknown option 'pading' (did you mean 'padding'?)");
  });
});
