/**
 * hard_sigmoid means clip(0.2x + 0.5, 0, 1) in Keras 2 and tfjs, but relu6(x + 3)/6 = clip(x/6 + 0.5, 0, 1) in Keras 3.
 * rnnlab computes the first, so a file Keras 3 wrote with hard_sigmoid is refused by name (the model would predict
 * other numbers), while Keras 2 and tfjs files keep loading with it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { ModelFormatError } from '../../src/io/errors.js';
import { checkKeras3HardSigmoid } from '../../src/io/keras_config.js';
import type { Tensor } from '../../src/tensor.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'converter_files');
const fixture = (name: string): Json => JSON.parse(readFileSync(join(FIXTURES, name, 'model.json'), 'utf8'));
const layersOf = (j: Json): Json[] => j.modelTopology.model_config.config.layers;

/** The converter file of `name` with one layer's option set to `value`. */
function withOption(name: string, cls: string, option: string, value: unknown): Json {
  const j = fixture(name);
  layersOf(j).find((l) => l.class_name === cls)!.config[option] = value;
  return j;
}

/** The file's weights, every one a float32 of small made-up values, as fromMemory artifacts. */
function artifacts(j: Json): rl.io.ModelArtifacts {
  const specs = j.weightsManifest.flatMap((g: Json) => g.weights).map(({ name, shape }: Json) => ({ name, shape, dtype: 'float32' }));
  const n = specs.reduce((s: number, w: Json) => s + w.shape.reduce((a: number, b: number) => a * b, 1), 0);
  const data = Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin(i * 1.3));
  return { modelTopology: j.modelTopology, generatedBy: j.generatedBy, weightSpecs: specs, weightData: data.buffer };
}

/** A converter file of Dense(1, activation) on one feature, kernel 1 and bias 0, in `name`'s Keras version's dialect. */
function denseFile(name: string, activation: unknown): rl.io.ModelArtifacts {
  const j = fixture(name);
  const [input, , , dense] = layersOf(j);
  const shapeKey = 'batch_shape' in input.config ? 'batch_shape' : 'batch_input_shape';
  input.config[shapeKey] = [null, 1];
  dense.config.activation = activation;
  if (dense.build_config) dense.build_config.input_shape = [null, 1];
  j.modelTopology.model_config.config.layers = [input, dense];
  return { modelTopology: j.modelTopology, generatedBy: j.generatedBy,
    weightSpecs: [{ name: 'dense/kernel', shape: [1, 1], dtype: 'float32' }, { name: 'dense/bias', shape: [1], dtype: 'float32' }],
    weightData: new Float32Array([1, 0]).buffer };
}

const keras3Refusal = (option: string, cls: string, layer: string): RegExp => new RegExp(
  `^where/model\\.json: layer '${layer}' \\(${cls}\\): ${option} 'hard_sigmoid' in a file written by Keras 3\\.6\\.0 is Keras 3's hard_sigmoid, `
  + "relu6\\(x \\+ 3\\)/6 = clip\\(x/6 \\+ 0\\.5, 0, 1\\), but rnnlab computes Keras 2's and tfjs's clip\\(0\\.2x \\+ 0\\.5, 0, 1\\)");

function refusal(j: Json): unknown {
  try { checkKeras3HardSigmoid(j, j.modelTopology, 'where/model.json'); } catch (e) { return e; }
  return null;
}

describe('a Keras 3 file with hard_sigmoid', () => {
  it("LSTM recurrent_activation: refused naming the file, the layer, the option and both formulas", () => {
    const e = refusal(withOption('keras3_lstm', 'LSTM', 'recurrent_activation', 'hard_sigmoid'));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect((e as Error).message).toMatch(keras3Refusal('recurrent_activation', 'LSTM', 'lstm'));
  });

  it("Dense activation, also as Keras 3's {class_name: 'function', config} and with only generatedBy naming the version", () => {
    expect((refusal(withOption('keras3_lstm', 'Dense', 'activation', 'hard_sigmoid')) as Error).message).toMatch(keras3Refusal('activation', 'Dense', 'dense'));
    const j = withOption('keras3_lstm', 'Dense', 'activation', { module: 'keras.activations', class_name: 'function', config: 'hard_sigmoid', registered_name: null });
    delete j.modelTopology.keras_version;
    expect((refusal(j) as Error).message).toMatch(keras3Refusal('activation', 'Dense', 'dense'));
  });

  it('a wrapped layer is found too (Bidirectional)', () => {
    const j = fixture('keras3_bidirectional');
    const bi = layersOf(j).find((l) => l.class_name === 'Bidirectional')!;
    bi.config.layer.config.recurrent_activation = 'hard_sigmoid';
    expect((refusal(j) as Error).message).toMatch(new RegExp(`layer '${bi.config.layer.config.name}' \\(${bi.config.layer.class_name}\\): recurrent_activation 'hard_sigmoid'`));
  });

  it('without hard_sigmoid the Keras 3 file passes the check and loads', async () => {
    const j = fixture('keras3_lstm');
    expect(refusal(j)).toBeNull();
    const m = await rl.loadModel(rl.io.fromMemory(artifacts(j)), { compile: false });
    expect(m.layers.map((l) => l.className)).toContain('LSTM');
  });
});

describe('Keras 2 and tfjs files keep loading with clip(0.2x + 0.5, 0, 1)', () => {
  const x = [-2.8, -1, 0.5, 2, 2.8];
  const keras2 = [0, 0.3, 0.6, 0.9, 1];

  it('a Keras 2 Dense file passes the check and predicts the Keras 2 numbers', async () => {
    const file = denseFile('keras2_lstm', 'hard_sigmoid');
    expect(refusal({ generatedBy: file.generatedBy, modelTopology: file.modelTopology })).toBeNull();
    const m = await rl.loadModel(rl.io.fromMemory(file), { compile: false });
    const y = Array.from((m.predict(rl.tensor(x, [5, 1])) as Tensor).dataSync());
    y.forEach((v, i) => expect(v).toBeCloseTo(keras2[i], 6));
  });

  it('a Keras 2 LSTM file with recurrent_activation hard_sigmoid passes the check and loads with it', async () => {
    const j = withOption('keras2_lstm', 'LSTM', 'recurrent_activation', 'hard_sigmoid');
    expect(refusal(j)).toBeNull();
    const m = await rl.loadModel(rl.io.fromMemory(artifacts(j)), { compile: false });
    const lstm = m.layers.find((l) => l.className === 'LSTM')!;
    expect(lstm.getConfig().recurrentActivation).toBe('hardSigmoid');
  });

  it('a file rnnlab (tfjs format, no Keras version) wrote passes the check and predicts the same numbers', async () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [1], activation: 'hardSigmoid', kernelInitializer: 'ones', biasInitializer: 'zeros' })] });
    let saved: rl.io.ModelArtifacts | undefined;
    await m.save(rl.io.withSaveHandler((a) => { saved = a; return {}; }));
    expect(refusal({ generatedBy: saved!.generatedBy, modelTopology: saved!.modelTopology })).toBeNull();
    const back = await rl.loadModel(rl.io.fromMemory(saved!), { compile: false });
    const y = Array.from((back.predict(rl.tensor(x, [5, 1])) as Tensor).dataSync());
    y.forEach((v, i) => expect(v).toBeCloseTo(keras2[i], 6));
  });
});
