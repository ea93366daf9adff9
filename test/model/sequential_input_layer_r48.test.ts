/**
 * A Sequential whose first layer is an explicit InputLayer takes that layer's tensor as its input, as tfjs 4.22's
 * Sequential.add does: model.inputs name it, its layers are connected to it (so rl.model({inputs: model.inputs, ...})
 * and execute work), and {name: tensor} data is keyed by its name. Without an InputLayer nothing changes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { folderSaveHandler, maxDiff, removeDir, tempDir } from '../compat/functional_helpers.js';
import { oneStep, randomF32, tfjsReady, tfjsTwin, toTf, weightDiff } from '../layers/tfjs_twin.js';

beforeAll(() => tfjsReady());
const root = tempDir('rnnlab-seq-input-');
afterAll(() => removeDir(root));

const x = () => randomF32([4, 3], 7);

function withInputLayer(name: string): rl.Sequential {
  return rl.sequential({ name, layers: [rl.layers.inputLayer({ inputShape: [3], name: 'inp' }), rl.layers.dense({ units: 2, name: 'q' })] });
}

/** The model's graph starts at the InputLayer's own tensor and reaches every layer. */
function expectConnected(m: rl.Sequential, inputName: string, xs = x()): void {
  const first = m.layers[0];
  expect(m.inputs.map((t) => t.sourceLayer.name)).toEqual([inputName]);
  expect(m.inputNames).toEqual([inputName]);
  expect(m.feedInputNames).toEqual([inputName]);
  expect(m.inputs[0]).toBe(first.output);
  const sub = rl.model({ inputs: m.inputs, outputs: m.outputs });
  expect(sub.layers.map((l) => l.name)).toEqual(m.layers.map((l) => l.name));
  expect(maxDiff((sub.predict(xs) as rl.Tensor).dataSync(), m.predict(xs).dataSync())).toBe(0);
}

describe('Sequential with an explicit InputLayer', () => {
  it('sequential({layers}) uses the InputLayer as its input: inputs, rl.model, execute, named predict', () => {
    const m = withInputLayer('seq_in_a');
    expect(m.layers.map((l) => l.name)).toEqual(['inp', 'q']);
    expectConnected(m, 'inp');
    const xs = x(), y = m.predict(xs);
    expect(maxDiff((m.execute(xs, 'q') as rl.Tensor).dataSync(), y.dataSync())).toBe(0);
    expect(maxDiff(m.predict({ inp: xs }).dataSync(), y.dataSync())).toBe(0);
    expect(() => m.predict({ inp_input: xs })).toThrow(/inp/);
    // The InputLayer's output is its own tensor, and each layer's output a step of the model's graph.
    expect(rl.model({ inputs: m.inputs, outputs: m.layers[1].output }).outputs[0]).toBe(m.outputs[0]);
  });

  it('model.add(inputLayer) then add(dense) builds the same graph', () => {
    const m = rl.sequential({ name: 'seq_in_b' });
    m.add(rl.layers.inputLayer({ inputShape: [3], name: 'inp2' }));
    m.add(rl.layers.dense({ units: 2, name: 'q2' }));
    expectConnected(m, 'inp2');
  });

  it('pop back to the InputLayer and add again keeps the graph connected', () => {
    const m = withInputLayer('seq_in_c');
    m.pop();
    expect(m.outputs[0]).toBe(m.inputs[0]);
    m.add(rl.layers.dense({ units: 5, name: 'r' }));
    expectConnected(m, 'inp');
    expect(m.outputShape).toEqual([null, 5]);
  });

  it('summary rows and parameter counts list the InputLayer with 0 parameters', () => {
    const m = withInputLayer('seq_in_d');
    const lines: string[] = [];
    m.summary(80, undefined, (s) => lines.push(s));
    expect(lines.some((l) => /^inp \(InputLayer\)\s+\(None, 3\)\s+0\s*$/.test(l))).toBe(true);
    expect(lines.some((l) => /^q \(Dense\)\s+\(None, 2\)\s+8\s*$/.test(l))).toBe(true);
    expect(m.countParams()).toBe(8);
  });

  it('positional training steps as its tfjs twin does, and fit lowers the loss', async () => {
    const m = withInputLayer('seq_in_e');
    const twin = await tfjsTwin(m, root, 'twin');
    const xs = x(), ys = randomF32([4, 2], 8);
    const [ours, theirs] = await oneStep(m, twin, xs, ys);
    expect(Math.abs(ours - theirs)).toBeLessThan(1e-6);
    expect(weightDiff(m, twin)).toBeLessThan(1e-6);
    const before = (m.evaluate(xs, ys) as rl.Tensor).dataSync()[0];
    await m.fit(xs, ys, { epochs: 5, batchSize: 4, verbose: 0 });
    expect((m.evaluate(xs, ys) as rl.Tensor).dataSync()[0]).toBeLessThan(before);
  });

  it('a tfjs file holding the InputLayer loads connected to it, and saves it back first', async () => {
    const t = tf.sequential({ name: 'seq_in_f', layers: [tf.layers.inputLayer({ inputShape: [5, 2], name: 'inp' }), tf.layers.lstm({ units: 3, name: 'l' }), tf.layers.dense({ units: 1, name: 'd' })] });
    await t.save(folderSaveHandler(tf.io as never, join(root, 'tfjs')) as tf.io.IOHandler);
    const m = await rl.loadModel(`file://${join(root, 'tfjs')}`) as rl.Sequential;
    expect(m.layers.map((l) => l.name)).toEqual(['inp', 'l', 'd']);
    const xs = randomF32([2, 5, 2], 3);
    expectConnected(m, 'inp', xs);
    expect(maxDiff(m.predict({ inp: xs }).dataSync(), (t.predict(toTf(xs)) as tf.Tensor).dataSync())).toBeLessThan(1e-5);
    await m.save(`file://${join(root, 'again')}`);
    const layers = JSON.parse(readFileSync(join(root, 'again', 'model.json'), 'utf8')).modelTopology.config.layers as { class_name: string; config: { name: string; batch_input_shape?: unknown } }[];
    expect(layers.map((l) => [l.class_name, l.config.name])).toEqual([['InputLayer', 'inp'], ['LSTM', 'l'], ['Dense', 'd']]);
    expect(layers[0].config.batch_input_shape).toEqual([null, 5, 2]);
    const back = await rl.loadModel(`file://${join(root, 'again')}`);
    expect(back.inputNames).toEqual(['inp']);
  });

  it('a Sequential without an InputLayer keeps its made input, <first layer>_input', () => {
    const m = rl.sequential({ name: 'seq_in_g', layers: [rl.layers.dense({ units: 2, inputShape: [3], name: 'q' })] });
    expect(m.inputNames).toEqual(['q_input']);
    expect(m.layers.map((l) => l.name)).toEqual(['q']);
    const xs = x();
    expect(maxDiff(m.predict({ q_input: xs }).dataSync(), m.predict(xs).dataSync())).toBe(0);
    expect(m.layers[0].input).toBe(m.inputs[0]);
  });
});

describe('Sequential.fromConfig keeps a given InputLayer (tfjs\'s fromConfig adds it, as add does)', () => {
  it('the rebuilt model has the InputLayer first, its name as the input, and predicts as the original', () => {
    const s = rl.sequential({ name: 'seq_in_h', layers: [rl.layers.inputLayer({ inputShape: [3], name: 'rg' }), rl.layers.dense({ units: 2, name: 'rdg' })] });
    const config = s.getConfig();
    const m = rl.Sequential.fromConfig(rl.Sequential, config);
    // tfjs's fromConfig takes the layer list out of the config it is given.
    const t = tf.Sequential.fromConfig(tf.Sequential, structuredClone(config) as never) as tf.Sequential;
    expect(m.layers.map((l) => l.name)).toEqual(t.layers.map((l) => l.name));
    expect(m.layers.map((l) => l.name)).toEqual(['rg', 'rdg']);
    expect(m.layers[0]).toBeInstanceOf(rl.layerClasses.InputLayer);
    m.setWeights(s.getWeights());
    const xs = x();
    expectConnected(m, 'rg', xs);
    expect(maxDiff(m.predict({ rg: xs }).dataSync(), s.predict(xs).dataSync())).toBe(0);
    expect(m.getConfig()).toEqual(config);
  });

  it('Keras\'s from_config(config) form and a snake_case config keep it too', () => {
    const config = { name: 'seq_in_i', layers: [
      { class_name: 'InputLayer', config: { batch_input_shape: [null, 4], dtype: 'float32', sparse: false, name: 'ki' } },
      { class_name: 'Dense', config: { name: 'kd', units: 1 } },
    ] };
    const m = rl.Sequential.fromConfig(config);
    expect(m.layers.map((l) => l.name)).toEqual(['ki', 'kd']);
    expect(m.inputNames).toEqual(['ki']);
  });
});

describe('an InputLayer after other layers is refused at add, naming it (tfjs\'s add refuses to apply it)', () => {
  it('model.add after a built layer, after an unbuilt one, and after the first InputLayer', () => {
    const built = rl.sequential({ name: 'seq_in_j', layers: [rl.layers.dense({ units: 2, inputShape: [3], name: 'j1' })] });
    expect(() => built.add(rl.layers.inputLayer({ inputShape: [2], name: 'late_j' })))
      .toThrow('seq_in_j.add: late_j (InputLayer) may only be the first layer of a Sequential model; it comes after j1 here');
    expect(built.layers.map((l) => l.name)).toEqual(['j1']);
    const unbuilt = rl.sequential({ name: 'seq_in_k', layers: [rl.layers.dense({ units: 2, name: 'k1' })] });
    expect(() => unbuilt.add(rl.layers.inputLayer({ inputShape: [2], name: 'late_k' }))).toThrow(/late_k \(InputLayer\) may only be the first layer/);
    const twice = withInputLayer('seq_in_l');
    twice.pop();
    expect(() => twice.add(rl.layers.inputLayer({ inputShape: [3], name: 'late_l' }))).toThrow(/late_l \(InputLayer\) may only be the first layer of a Sequential model; it comes after inp/);
  });

  it('sequential({layers}) with the InputLayer second', () => {
    const late = rl.layers.inputLayer({ inputShape: [2], name: 'late_m' });
    expect(() => rl.sequential({ name: 'seq_in_m', layers: [rl.layers.dense({ units: 2, inputShape: [3], name: 'm1' }), late] }))
      .toThrow('seq_in_m.add: late_m (InputLayer) may only be the first layer of a Sequential model; it comes after m1 here');
    // Refused, so no model holds it: it starts a model of its own.
    expect(rl.sequential({ name: 'seq_in_n', layers: [late, rl.layers.dense({ units: 1, name: 'n1' })] }).inputNames).toEqual(['late_m']);
  });
});
