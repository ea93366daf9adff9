// Custom layers taking a list of inputs and returning a list of outputs, written once for @tensorflow/tfjs 4.22 and
// once for rnnlab: build and computeOutputShape get the list of shapes, call the list of tensors; predictions,
// a training run and save/load both ways agree with tfjs.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { folderArtifacts, folderSaveHandler, maxDiff, removeDir, tempDir } from './functional_helpers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Lib = any;
const root = tempDir('rnnlab-lists-');
afterAll(() => removeDir(root));
beforeAll(async () => { await tf.setBackend('cpu'); });

/** Both libraries' classes, each registered in its own library under the same names. */
function classes(lib: Lib) {
  /** a * w + b: w a weight as wide as a's features; the shapes must agree. */
  class GatedSum extends lib.layers.Layer {
    static className = 'MyGatedSum';
    declare w: Lib;
    build(shapes: (number | null)[][]) {
      if (!Array.isArray(shapes[0])) throw new Error('GatedSum expects a list of shapes');
      this.w = this.addWeight('w', [shapes[0][1] as number], 'float32', lib.initializers.constant({ value: 0.5 }));
      this.built = true;
    }
    computeOutputShape(shapes: (number | null)[][]) { return shapes[0]; }
    call(inputs: Lib) { return lib.tidy(() => lib.add(lib.mul(inputs[0], this.w.read()), inputs[1])); }
  }
  /** x -> [x * 2, sum(x)]: two outputs of different shapes. */
  class TwoHeads extends lib.layers.Layer {
    static className = 'MyTwoHeads';
    computeOutputShape(s: (number | null)[]) { return [s, [s[0], 1]]; }
    call(inputs: Lib) {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return [lib.mul(x, 2), lib.sum(x, -1, true)];
    }
  }
  lib.serialization.registerClass(GatedSum);
  lib.serialization.registerClass(TwoHeads);
  return { GatedSum, TwoHeads };
}
const tfClasses: Lib = classes(tf);
const rlClasses: Lib = classes(rl);

function build(lib: Lib) {
  const { GatedSum, TwoHeads } = lib === tf ? tfClasses : rlClasses;
  const a = lib.input({ shape: [3], name: 'a' });
  const b = lib.input({ shape: [3], name: 'b' });
  const pre = lib.layers.dense({ units: 3, name: 'pre', kernelInitializer: lib.initializers.constant({ value: 0.1 }) }).apply(b);
  const g = new GatedSum({ name: 'gate' }).apply([a, pre]);
  const [twice, total] = new TwoHeads({ name: 'heads' }).apply(g);
  const out = lib.layers.dense({ units: 1, name: 'out', kernelInitializer: lib.initializers.constant({ value: -0.2 }) }).apply(twice);
  return lib.model({ inputs: [a, b], outputs: [out, total], name: 'lists' });
}

const xs = (lib: Lib) => [lib.tensor2d([[1, 2, 3], [0, -1, 0.5]]), lib.tensor2d([[0.5, 0, 1], [2, 1, -1]])];
const ys = (lib: Lib) => [lib.tensor2d([[1], [0]]), lib.tensor2d([[2], [-1]])];
const values = (t: Lib) => (Array.isArray(t) ? t : [t]).map((v: Lib) => Array.from(v.dataSync() as Float32Array));

describe('custom layers with lists of inputs and outputs, against tfjs', () => {
  it('symbolic shapes, weights and predictions agree', () => {
    const ours = build(rl), theirs = build(tf);
    expect(ours.outputs.map((t: Lib) => t.shape)).toEqual(theirs.outputs.map((t: Lib) => t.shape));
    expect(ours.weights.map((w: Lib) => [w.name, w.shape])).toEqual(theirs.weights.map((w: Lib) => [w.name, w.shape]));
    const p = values(ours.predict(xs(rl))), q = values(theirs.predict(xs(tf)));
    p.forEach((v, i) => expect(maxDiff(v, q[i])).toBeLessThan(1e-6));
  });

  it('trains as tfjs (the list layer weight gets its gradient)', async () => {
    const ours = build(rl), theirs = build(tf);
    for (const m of [ours, theirs]) m.compile({ optimizer: (m === ours ? rl : tf).train.sgd(0.05), loss: 'meanSquaredError' });
    const h1 = await ours.fit(xs(rl), ys(rl), { epochs: 3, batchSize: 2, verbose: 0 });
    const h2 = await theirs.fit(xs(tf), ys(tf), { epochs: 3, batchSize: 2, verbose: 0 });
    expect(maxDiff(h1.history.loss as number[], h2.history.loss as number[])).toBeLessThan(1e-5);
    const w1 = ours.getLayer('gate').getWeights()[0].dataSync(), w2 = theirs.getLayer('gate').getWeights()[0].dataSync();
    expect(maxDiff(w1, w2)).toBeLessThan(1e-5);
    expect(Math.abs(w1[0] - 0.5)).toBeGreaterThan(1e-4);
  });

  it('applies to concrete tensors: a list in, a list out', () => {
    const gate = new rlClasses.GatedSum({});
    const y = gate.apply([rl.tensor2d([[2, 4]]), rl.tensor2d([[1, 1]])]) as rl.Tensor;
    expect(Array.from(y.dataSync())).toEqual([2, 3]);
    const outs = new rlClasses.TwoHeads({}).apply(rl.tensor2d([[1, 2]])) as rl.Tensor[];
    expect(outs.map((t) => t.shape)).toEqual([[1, 2], [1, 1]]);
  });

  it('saves and loads both ways with the same predictions', async () => {
    const ours = build(rl), theirs = build(tf);
    await ours.save(`file://${root}/rl`);
    await theirs.save(folderSaveHandler(tf.io as never, `${root}/tf`) as tf.io.IOHandler);
    const tfLoadsOurs = await tf.loadLayersModel(tf.io.fromMemory(folderArtifacts(`${root}/rl`)));
    const weLoadTheirs = await rl.loadLayersModel(`file://${root}/tf`);
    const ref = values(ours.predict(xs(rl)));
    [values(tfLoadsOurs.predict(xs(tf))), values(weLoadTheirs.predict(xs(rl)))]
      .forEach((got) => got.forEach((v, i) => expect(maxDiff(v, ref[i])).toBeLessThan(1e-6)));
  });

  it('a call returning something else than tensors is an error naming the layer', () => {
    class Bad extends rl.layers.Layer {
      static readonly className = 'MyBad';
      call() { return [1, 2] as unknown as rl.Tensor; }
    }
    expect(() => new Bad({ name: 'my_bad' }).apply(rl.ones([1, 2]))).toThrow(/my_bad \(MyBad\): call\(\) returned an array; expected a tensor or a list of tensors/);
  });
});
