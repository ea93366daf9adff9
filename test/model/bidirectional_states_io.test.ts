/**
 * A Functional model whose Bidirectional takes initial states (the forward layer's, then the backward one's) saves
 * and loads with the same node (one input, the states as extras) and the same predictions, and in tfjs 4.22's
 * format: tfjs lists the input and the states in one inbound node, [[x, 0, 0, {}], [s0, 0, 0, {}], ...].
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { folderArtifacts, folderSaveHandler, maxDiff, removeDir, tempDir } from '../compat/functional_helpers.js';
import { randomF32, tfjsReady, toTf } from '../layers/tfjs_twin.js';

beforeAll(() => tfjsReady());
const root = tempDir('rnnlab-bi-');
afterAll(() => removeDir(root));

const B = 2, T = 4, D = 2, U = 3;
type Lib = typeof rl | typeof tf;

/** x and four LSTM states into a Bidirectional, then a Dense head; built the same way in rnnlab and tfjs. */
function biModel(lib: Lib, viaList: boolean) {
  const l = lib as any;
  const x = l.input({ shape: [T, D], name: 'x' });
  const states = [0, 1, 2, 3].map((i) => l.input({ shape: [U], name: `s${i}` }));
  const bi = l.layers.bidirectional({ layer: l.layers.lstm({ units: U, recurrentActivation: 'sigmoid' }), name: 'bi' });
  const h = viaList ? bi.apply([x, ...states]) : bi.apply(x, { initialState: states });
  const y = l.layers.dense({ units: 2, name: 'head' }).apply(h);
  return l.model({ inputs: [x, ...states], outputs: y, name: 'bi_states' });
}

const feeds = () => [randomF32([B, T, D], 1), ...[0, 1, 2, 3].map((i) => randomF32([B, U], 10 + i))];

function expectOneInputFourStates(m: rl.Functional): void {
  const node = m.getLayer('bi').inboundNodes[0];
  expect(node.inputCount).toBe(1);
  expect(node.inputs.map((t) => t.sourceLayer.name)).toEqual(['x', 's0', 's1', 's2', 's3']);
}

describe('Bidirectional with initial states: save and load', () => {
  it('apply(x, {initialState}) and apply([x, ...states]) record the same node and compute the same', () => {
    rl.setSeed(3);
    const a = biModel(rl, false) as rl.Functional;
    rl.setSeed(3);
    const b = biModel(rl, true) as rl.Functional;
    expectOneInputFourStates(a);
    expectOneInputFourStates(b);
    const f = feeds();
    expect(Array.from((b.predict(f) as rl.Tensor).dataSync())).toEqual(Array.from((a.predict(f) as rl.Tensor).dataSync()));
  });

  it('rnnlab -> rnnlab: the same node structure and predictions; the states matter', async () => {
    rl.setSeed(4);
    const m = biModel(rl, false) as rl.Functional;
    const dir = join(root, 'ours');
    await m.save(`file://${dir}`);
    const back = await rl.loadLayersModel(`file://${dir}`) as rl.Functional;
    expectOneInputFourStates(back);
    const f = feeds();
    const want = (m.predict(f) as rl.Tensor).dataSync();
    expect(Array.from((back.predict(f) as rl.Tensor).dataSync())).toEqual(Array.from(want));
    const zeroStates = (back.predict([f[0], ...f.slice(1).map((s) => rl.zeros(s.shape))]) as rl.Tensor).dataSync();
    expect(maxDiff(zeroStates, want)).toBeGreaterThan(1e-3);
  });

  it('writes the inbound node tfjs 4.22 writes for the same model', async () => {
    rl.setSeed(5);
    const m = biModel(rl, false) as rl.Functional;
    const t = biModel(tf, false) as tf.LayersModel;
    const node = (json: any) => json.config.layers.find((l: { name: string }) => l.name === 'bi').inbound_nodes;
    const ours = node(JSON.parse(m.toJSON(null, true) as string));
    const theirs = node(t.toJSON(null, false));
    expect(ours).toEqual([[['x', 0, 0, {}], ['s0', 0, 0, {}], ['s1', 0, 0, {}], ['s2', 0, 0, {}], ['s3', 0, 0, {}]]]);
    expect(ours).toEqual(theirs);
  });

  it('tfjs -> rnnlab and rnnlab -> tfjs: same predictions', async () => {
    rl.setSeed(6);
    const t = biModel(tf, false) as tf.LayersModel;
    const tDir = join(root, 'from_tfjs');
    await t.save(folderSaveHandler(tf.io as never, tDir) as tf.io.IOHandler);
    const ours = await rl.loadLayersModel(`file://${tDir}`) as rl.Functional;
    expectOneInputFourStates(ours);
    const f = feeds();
    const want = (t.predict(f.map(toTf)) as tf.Tensor).dataSync();
    expect(maxDiff((ours.predict(f) as rl.Tensor).dataSync(), want)).toBeLessThan(2e-6);

    const oDir = join(root, 'to_tfjs');
    await ours.save(`file://${oDir}`);
    const again = await tf.loadLayersModel(tf.io.fromMemory(folderArtifacts(oDir) as tf.io.ModelArtifacts));
    expect(again.getLayer('bi').inboundNodes[0].inputTensors.length).toBe(5);
    expect(maxDiff((again.predict(f.map(toTf)) as tf.Tensor).dataSync(), want)).toBeLessThan(2e-6);
  });

  it('a loaded node with the wrong number of states names the layer and the count', async () => {
    rl.setSeed(7);
    const m = biModel(rl, false) as rl.Functional;
    const topo = JSON.parse(m.toJSON(null, true) as string);
    const bi = topo.config.layers.find((l: { name: string }) => l.name === 'bi');
    bi.inbound_nodes[0] = bi.inbound_nodes[0].slice(0, 3);
    await expect(rl.models.modelFromJSON({ modelTopology: topo })).rejects.toThrow(/'bi'\), inbound node 0: bi \(Bidirectional\): expected 4 initial state tensors .* got 2/);
  });
});
