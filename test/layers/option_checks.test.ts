/**
 * Every public factory and constructor of layers, cells, optimizers and rl.data.csv reports an unknown option in
 * src/near_name.ts's one shape, naming the function the user called; `new rl.layerClasses.X({...})` is held to the
 * factories' check, while subclasses, fromConfig and loaded model files stay lenient (Keras writes keys of other versions).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { removeDir, tempDir } from '../io/helpers.js';

const L = rl.layers;
const root = tempDir('rnnlab-option-checks-');
afterAll(() => removeDir(root));

describe('factories name themselves in the one message shape', () => {
  it('layers, cells, rnn, input and stackedRNNCells', () => {
    expect(() => L.dense({ units: 2, activaton: 'relu' } as never)).toThrow(/^rl\.layers\.dense: unknown option 'activaton' \(did you mean 'activation'\?\); options: name, inputShape, .*units, activation, useBias/);
    expect(() => L.maxPool1d({ poolSiz: 2 } as never)).toThrow(/^rl\.layers\.maxPool1d: unknown option 'poolSiz' \(did you mean 'poolSize'\?\)/);
    expect(() => L.concatenate({ axes: 1 } as never)).toThrow(/^rl\.layers\.concatenate: unknown option 'axes' \(did you mean 'axis'\?\)/);
    expect(() => L.lstmCell({ units: 2, unitz: 3 } as never)).toThrow(/^rl\.layers\.lstmCell: unknown option 'unitz' \(did you mean 'units'\?\); options: units, activation/);
    expect(() => L.simpleRNNCell({ units: 2, recurrentActivation: 'sigmoid' } as never)).toThrow(/^rl\.layers\.simpleRNNCell: unknown option 'recurrentActivation'; options: /);
    expect(() => L.stackedRNNCells({ cells: [L.gruCell({ units: 2 })], cell: 1 } as never)).toThrow("rl.layers.stackedRNNCells: unknown option 'cell' (did you mean 'cells'?); options: cells, name, trainable, dtype");
    expect(() => L.rnn({ cell: L.gruCell({ units: 2 }), units: 2 } as never)).toThrow(/^rl\.layers\.rnn: unknown option 'units'; options: cell, returnSequences/);
    expect(() => rl.input({ shape: [2], shap: [3] } as never)).toThrow("rl.input: unknown option 'shap' (did you mean 'shape'?); options: shape, batchShape, batchSize, dtype, sparse, name");
  });

  it('optimizers: the factory, the class, a non-object argument, and a loaded config', async () => {
    expect(() => rl.optimizers.nadam({ beta_3: 0.8 } as never)).toThrow(/^rl\.optimizers\.nadam: unknown option 'beta_3' \(did you mean 'beta_1'\?\); options: learningRate, lr, clipnorm, clipvalue, weightDecay, beta1, beta2, epsilon, name, learning_rate, weight_decay, beta_1, beta_2$/);
    expect(() => new rl.SGD({ momentun: 0.9 } as never)).toThrow(/^rl\.SGD: unknown option 'momentun' \(did you mean 'momentum'\?\)/);
    // A bare learning rate would otherwise train at the default rate without a word.
    expect(() => new rl.Adam(0.01 as never)).toThrow('rl.Adam: the options argument must be an object, got 0.01');
    expect(() => rl.optimizers.adam(0.01 as never)).toThrow('rl.optimizers.adam: the options argument must be an object, got 0.01');
    expect(rl.optimizers.adam({ name: 'Adam', amsgrad: false, learningRate: 0.1 } as never).learningRate).toBe(0.1);

    const m = rl.sequential({ layers: [L.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: rl.optimizers.adam({ learningRate: 0.1 }), loss: 'meanSquaredError' });
    const dir = join(root, 'opt');
    await m.save(dir);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    json.trainingConfig.optimizer_config.config.beta_one = 0.5;
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    await expect(rl.loadLayersModel(dir)).rejects.toThrow(/optimizer Adam: config: unknown option 'beta_one'; options: learningRate, lr, clipnorm, clipvalue, weightDecay, beta1, beta2, epsilon, name, decay, learning_rate, weight_decay, beta_1, beta_2$/);
  });

  it('rl.data.csv and its columnConfigs', () => {
    const f = join(root, 'a.csv');
    writeFileSync(f, 'a,b\n1,2\n');
    expect(() => rl.data.csv(f, { hasHeadr: true } as never)).toThrow(/^rl\.data\.csv: unknown option 'hasHeadr' \(did you mean 'hasHeader'\?\); options: hasHeader, columnNames/);
    expect(() => rl.data.csv(f, { header: undefined } as never)).toThrow(/^rl\.data\.csv: unknown option 'header'/);
    expect(() => rl.data.csv(f, { columnConfigs: { a: { islabel: true } } } as never)).toThrow("rl.data.csv: columnConfigs.a: unknown key 'islabel' (did you mean 'isLabel'?); keys: isLabel, required, default, dtype");
    expect(() => rl.data.csv(f, null as never)).toThrow('rl.data.csv: the options argument must be an object, got null');
  });
});

describe('new rl.layerClasses.X({...}) is checked like the factories', () => {
  it('refuses an option the layer would not read, naming the class as exported', () => {
    expect(() => new rl.layerClasses.Dense({ units: 2, activaton: 'relu' } as never)).toThrow(/^rl\.layerClasses\.Dense: unknown option 'activaton' \(did you mean 'activation'\?\)/);
    expect(() => new rl.layerClasses.LSTM({ units: 2, returnSequence: true } as never)).toThrow(/^rl\.layerClasses\.LSTM: unknown option 'returnSequence' \(did you mean 'returnSequences'\?\)/);
    expect(() => new rl.layerClasses.ReverseTime({ revers: true } as never)).toThrow(/^rl\.layerClasses\.ReverseTime: unknown option 'revers'/);
    expect(() => new rl.layerClasses.Add({ foo: 1 } as never)).toThrow(/^rl\.layerClasses\.Add: unknown option 'foo'/);
    expect(() => new rl.layerClasses.InputLayer({ inputShape: [2], shap: [2] } as never)).toThrow(/^rl\.layerClasses\.InputLayer: unknown option 'shap' \(did you mean 'shape'\?\)/);
  });

  it('builds what the factory builds, an instance of the exported class', () => {
    const kernel = rl.tensor([[1, -2], [0.5, 3], [-1, 0.25]]);
    const a = new rl.layerClasses.Dense({ units: 2, inputShape: [3], useBias: false, name: 'direct', weights: [kernel] });
    const b = L.dense({ units: 2, inputShape: [3], useBias: false, name: 'made', weights: [kernel] });
    expect(a).toBeInstanceOf(rl.layerClasses.Dense);
    expect(b).toBeInstanceOf(rl.layerClasses.Dense);
    expect(a.getConfig()).toEqual({ ...b.getConfig(), name: 'direct' });
    const x = rl.tensor([[1, 2, 3]]);
    const [ya, yb] = [a, b].map((l) => Array.from((rl.sequential({ layers: [l] }).predict(x) as rl.Tensor).dataSync()));
    expect(ya).toEqual(yb);
    expect(ya).toEqual([-1, 4.75]);
  });

  it('leaves a subclass its own options, and fromConfig and loaded files lenient', async () => {
    class Scaled extends rl.layerClasses.Dense {
      static override readonly className: string = 'R12Scaled';
      readonly factor: number;
      constructor(args: rl.layerClasses.DenseArgs & { factor: number }) {
        const { factor, ...rest } = args;
        super(rest);
        this.factor = factor;
      }
    }
    const s = new Scaled({ units: 1, factor: 3 });
    expect(s.factor).toBe(3);
    expect(s).toBeInstanceOf(rl.layerClasses.Dense);
    // A Keras config with a key rnnlab does not read (Keras 3's quantization_config, camelCased) builds as loading does.
    const fromCfg = rl.layerClasses.Dense.fromConfig({ units: 2, quantizationConfig: null, name: 'cfg' });
    expect(fromCfg).toBeInstanceOf(rl.layerClasses.Dense);
    expect(fromCfg.getConfig().units).toBe(2);

    const m = rl.sequential({ layers: [L.dense({ units: 2, inputShape: [3], name: 'd' })] });
    const x = rl.tensor([[0.5, -1, 2]]);
    const dir = join(root, 'lenient');
    await m.save(dir);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const layers = json.modelTopology.config.layers as { class_name: string; config: Record<string, unknown> }[];
    const dense = layers.find((l) => l.class_name === 'Dense')!;
    dense.config.quantization_config = null;
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    const back = await rl.loadLayersModel(dir);
    expect(Array.from((back.predict(x) as rl.Tensor).dataSync())).toEqual(Array.from((m.predict(x) as rl.Tensor).dataSync()));
  });
});
