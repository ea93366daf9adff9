// A custom layer whose build makes a non-trainable weight before a trainable one: layer.weights, getWeights and
// setWeights list the trainable weight first (tfjs's `trainableWeights.concat(nonTrainableWeights)`, Keras's
// `trainable_weights + non_trainable_weights`), so values pass to and from tfjs by position; the model's lists agree,
// and files and checkpoints saved with the other order still load into the right weights (by name).
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-weight-order-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** (x + k) * t, with k (non-trainable, zeros) created before t (trainable, ones). */
class ShiftScale extends rl.layers.Layer {
  static className = 'ShiftScaleOrder';
  k!: ReturnType<rl.layerClasses.Layer['addWeight']>;
  t!: ReturnType<rl.layerClasses.Layer['addWeight']>;
  override build(shape: unknown): void {
    const n = (shape as number[])[(shape as number[]).length - 1];
    this.k = this.addWeight('k', [n], 'float32', 'zeros', undefined, false);
    this.t = this.addWeight('t', [n], 'float32', 'ones');
  }
  override call(x: rl.Tensor | rl.Tensor[]): rl.Tensor {
    const v = Array.isArray(x) ? x[0] : x;
    return rl.mul(rl.add(v, this.k.read()), this.t.read());
  }
}
rl.serialization.registerClass(ShiftScale);

const leaves = (ws: { name: string }[]) => ws.map((w) => w.name.split('/').pop());
const values = (ts: rl.Tensor[]) => ts.map((t) => Array.from(t.dataSync()));

function built(args: Record<string, unknown> = {}): ShiftScale {
  const l = new ShiftScale(args);
  l.apply(rl.zeros([1, 2]));
  return l;
}

describe('a custom layer creating a non-trainable weight first', () => {
  it('lists the trainable weight first in weights, getWeights and the trainable/non-trainable lists', () => {
    const l = built();
    expect(leaves(l.weights)).toEqual(['t', 'k']);
    expect(leaves(l.trainableWeights)).toEqual(['t']);
    expect(leaves(l.nonTrainableWeights)).toEqual(['k']);
    expect(values(l.getWeights())).toEqual([[1, 1], [0, 0]]);
    expect(values(l.getWeights(true))).toEqual([[1, 1]]);
    expect(l.getWeightValues().map((a) => Array.from(a))).toEqual([[1, 1], [0, 0]]);
  });

  it('setWeights takes the values by that position, and the output uses them', () => {
    const l = built();
    l.setWeights([rl.tensor1d([5, 5]), rl.tensor1d([2, -1])]);
    expect(Array.from(l.t.read().dataSync())).toEqual([5, 5]);
    expect(Array.from(l.k.read().dataSync())).toEqual([2, -1]);
    expect(Array.from((l.apply(rl.tensor2d([[1, 1]])) as rl.Tensor).dataSync())).toEqual([15, 0]);
    l.setWeights(l.getWeights().map((w) => rl.mul(w, 2)));
    expect(values(l.getWeights())).toEqual([[10, 10], [4, -2]]);
  });

  it("tfjs's `weights` option is read in the same order", () => {
    const l = built({ weights: [[7, 7], [3, 4]] });
    expect(Array.from(l.t.read().dataSync())).toEqual([7, 7]);
    expect(Array.from(l.k.read().dataSync())).toEqual([3, 4]);
  });

  it('freezing the layer keeps the order (tfjs: its trainable weights, then its non-trainable ones, all non-trainable)', () => {
    const l = built();
    l.trainable = false;
    expect(leaves(l.trainableWeights)).toEqual([]);
    expect(leaves(l.nonTrainableWeights)).toEqual(['t', 'k']);
    expect(leaves(l.weights)).toEqual(['t', 'k']);
    l.trainable = true;
    expect(leaves(l.weights)).toEqual(['t', 'k']);
  });

  it('a held layer\'s weights follow the holder\'s own, as Keras 3 lists them', () => {
    class Holder extends ShiftScale {
      static override className = 'ShiftScaleHolder';
      inner = rl.layers.dense({ units: 2 });
      override call(x: rl.Tensor | rl.Tensor[]): rl.Tensor { return this.inner.apply(super.call(x)) as rl.Tensor; }
    }
    const h = new Holder({ name: 'holder' });
    h.apply(rl.zeros([1, 2]));
    expect(h.weights.map((w) => w.name)).toEqual(['holder/t', 'holder/k', 'holder/inner/kernel', 'holder/inner/bias']);
  });

  it("model.getWeights agrees with the layers' getWeights concatenated, and setWeights round-trips by position", () => {
    rl.setSeed(5);
    const custom = new ShiftScale({});
    const model = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] }), custom] });
    const layerWise = model.layers.flatMap((l) => l.getWeights());
    expect(values(model.getWeights())).toEqual(values(layerWise));
    expect(model.weights.map((w) => w.name)).toEqual(model.layers.flatMap((l) => l.weights.map((w) => w.name)));
    expect(leaves(model.weights).slice(2)).toEqual(['t', 'k']);
    const x = rl.tensor2d([[1, 2, 3], [-1, 0, 2]]);
    const before = Array.from((model.predict(x) as rl.Tensor).dataSync());
    model.setWeights(model.getWeights().map((w, i) => (i >= 2 ? rl.tensor1d(i === 2 ? [2, 3] : [1, -1]) : w)));
    expect(Array.from(custom.t.read().dataSync())).toEqual([2, 3]);
    expect(Array.from(custom.k.read().dataSync())).toEqual([1, -1]);
    const after = Array.from((model.predict(x) as rl.Tensor).dataSync());
    expect(after).toEqual(before.map((v, i) => Math.fround(Math.fround(v + [1, -1][i % 2]) * [2, 3][i % 2])));
  });

  it('saves and loads back by name, and a file listing k before t (as earlier versions wrote it) loads k into k', async () => {
    const model = rl.sequential({ layers: [new ShiftScale({ name: 'ss', inputShape: [2] })] });
    model.layers[0].setWeights([[2, 3], [10, 20]]);
    const dir = join(root, 'ss');
    await model.save(`file://${dir}`);
    const back = await rl.loadLayersModel(`file://${dir}`);
    expect(values(back.layers[0].getWeights())).toEqual([[2, 3], [10, 20]]);

    // Rewrite the manifest and the bytes in creation order (k, then t).
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const group = json.weightsManifest[0];
    expect(group.weights.map((w: { name: string }) => w.name)).toEqual(['ss/t', 'ss/k']);
    group.weights.reverse();
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    writeFileSync(join(dir, group.paths[0]), Buffer.from(new Float32Array([10, 20, 2, 3]).buffer));
    const old = await rl.loadLayersModel(`file://${dir}`);
    expect(values(old.layers[0].getWeights())).toEqual([[2, 3], [10, 20]]);
    expect(Array.from((old.predict(rl.tensor2d([[1, 1]])) as rl.Tensor).dataSync())).toEqual([22, 63]);
  });
  it('restores a checkpoint listing k before t (as earlier versions wrote it) by name, k into k', () => {
    const make = () => {
      const m = rl.sequential({ layers: [new ShiftScale({ name: 'ssc', inputShape: [2] })] });
      m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      return m;
    };
    const model = make();
    model.layers[0].setWeights([[2, 3], [10, 20]]);
    const dir = join(root, 'ck');
    rl.writeCheckpoint(dir, model, { nextEpoch: 0, progress: null, history: { epoch: [], history: {} }, rng: [1, 2, 3, 4, 5], samples: 0, batchSize: 1 });
    const info = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8'));
    expect(info.weights.map((w: { name: string }) => w.name)).toEqual(['ssc/t', 'ssc/k']);
    // Rewrite it in creation order (k, then t), names, bytes and digest alike.
    info.weights.reverse();
    const bytes = Buffer.from(new Float32Array([10, 20, 2, 3]).buffer);
    writeFileSync(join(dir, info.files.weights.path), bytes);
    info.files.weights.sha256 = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(join(dir, 'checkpoint.json'), JSON.stringify(info));
    const back = make();
    rl.restoreCheckpoint(dir, back);
    expect(values(back.layers[0].getWeights())).toEqual([[2, 3], [10, 20]]);
  });
});
