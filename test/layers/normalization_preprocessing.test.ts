/**
 * Keras 3's Normalization preprocessing layer (src/layers/normalization_layer.ts): Keras's documented examples, adapt
 * and call against NumPy for each kind of axis, invert, given statistics, gradients, training behind it, saving and
 * loading, and bad options and inputs as errors naming the layer and the option.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { layerFromKeras } from '../../src/io/keras_config.js';
import { deserializeLayer, serializeLayer } from '../../src/layers/registry.js';
import { toOnnx } from '../../src/onnx/index.js';
import { removeDir, tempDir } from '../compat/functional_helpers.js';

const root = tempDir('rnnlab-normalization-');
afterAll(() => removeDir(root));
const L = rl.layers;
const values = (t: rl.Tensor | rl.Tensor[]) => Array.from((t as rl.Tensor).dataSync());
const close = (got: number[], want: number[], digits = 6) => {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(g, `index ${i}`).toBeCloseTo(want[i], digits));
};
const weight = (layer: rl.layerClasses.Layer, leaf: string) => values(layer.weights.find((w) => w.name.endsWith(`/${leaf}`))!);

// NumPy 2 in float64, then the call in float32 as Keras computes it:
//   m, v = X.mean(axis=reduce), X.var(axis=reduce)
//   ((Q.astype(f32) - m.astype(f32)) / np.maximum(np.sqrt(v.astype(f32)), np.float32(1e-7))).astype(f32)
// with reduce = (0, 1) for axis -1, (0, 2) for axis 1, (0,) for axis [1, 2] and (0, 1, 2) for axis null.
const X = [[[1, 2], [3, 5], [-2, 0.5]], [[4, -1], [0, 2], [6, 1.5]]]; // (2, 3, 2)
const Q = [[[0.5, 1], [2, 2], [-1, 3]]]; // (1, 3, 2)
const NUMPY: [string, number | number[] | null, number[], number[], number[]][] = [
  ['-1', -1, [2.0, 1.6666666666666667], [7.0, 3.3055555555555554],
    [-0.5669467449188232, -0.3666793704032898, 0.0, 0.18333971500396729, -1.1338934898376465, 0.7333588004112244]],
  ['1', 1, [1.5, 2.5, 1.5], [3.25, 3.25, 8.375],
    [-0.5547001957893372, -0.2773500978946686, -0.2773500978946686, -0.2773500978946686, -0.8638684153556824, 0.5183210372924805]],
  ['[1, 2]', [1, 2], [2.5, 0.5, 1.5, 3.5, 2.0, 1.0], [2.25, 2.25, 2.25, 2.25, 16.0, 0.25],
    [-1.3333333730697632, 0.3333333432674408, 0.3333333432674408, -1.0, -0.75, 4.0]],
  ['null', null, [1.8333333333333333], [5.180555555555556],
    [-0.5858016610145569, -0.36612606048583984, 0.07322519272565842, 0.07322519272565842, -1.2448285818099976, 0.5125764608383179]],
];

describe('Normalization: Keras 3\'s documented examples', () => {
  it('axis null, axis -1, a given mean and variance, and invert', () => {
    const all = L.normalization({ axis: null });
    all.adapt(rl.tensor([1, 2, 3, 4, 5]));
    close(values(all.apply(rl.tensor([1, 2, 3])) as rl.Tensor), [-1.4142135, -0.70710677, 0]);
    const data = rl.tensor([[0, 7, 4], [2, 9, 6], [0, 7, 4], [2, 9, 6]]);
    const last = L.normalization({ axis: -1 });
    last.adapt(data);
    close(values(last.apply(rl.tensor([[0, 7, 4]])) as rl.Tensor), [-1, -1, -1]);
    const given = L.normalization({ mean: 3, variance: 2 });
    close(values(given.apply(rl.tensor([[1], [2], [3]])) as rl.Tensor), [-1.4142135, -0.70710677, 0]);
    const inverse = L.normalization({ axis: -1, invert: true });
    inverse.adapt(data);
    close(values(inverse.apply(rl.tensor([[1, 2, 3]])) as rl.Tensor), [2, 10, 8]);
  });
});

describe('Normalization: adapt and call against NumPy on rank-3 input (2, 3, 2)', () => {
  it.each(NUMPY)('axis %s: the learned mean and (population) variance, and the normalized values', (_n, axis, mean, variance, out) => {
    const layer = L.normalization({ axis });
    layer.adapt(rl.tensor(X));
    close(weight(layer, 'mean'), mean);
    close(weight(layer, 'variance'), variance, 5);
    const y = layer.apply(rl.tensor(Q)) as rl.Tensor;
    expect(y.shape).toEqual([1, 3, 2]);
    close(values(y), out);
  });

  it('nested arrays are one batch, as a tensor is; a list of tensors is Keras\'s batches, merged to the whole data\'s statistics', () => {
    const nested = L.normalization();
    nested.adapt(X);
    close(weight(nested, 'mean'), NUMPY[0][2]);
    // NumPy: np.concatenate([X, X2]) with X2 = [[[2, 2], [1, -3], [0, 0]]], reduced over (0, 1).
    const batched = L.normalization();
    batched.adapt([rl.tensor(X), rl.tensor([[[2, 2], [1, -3], [0, 0]]])]);
    close(weight(batched, 'mean'), [1.6666666666666667, 1.0]);
    close(weight(batched, 'variance'), [5.111111111111111, 4.5], 5);
    expect(weight(batched, 'count')).toEqual([0]);
  });

  it('invert undoes the normalization; NumPy: m.astype(f32) + Q.astype(f32) * np.maximum(np.sqrt(v.astype(f32)), 1e-7)', () => {
    const inverse = L.normalization({ invert: true });
    inverse.adapt(rl.tensor(X));
    close(values(inverse.apply(rl.tensor(Q)) as rl.Tensor),
      [3.322875499725342, 3.484785318374634, 7.291502475738525, 5.30290412902832, -0.6457512378692627, 7.121022701263428], 5);
    const forward = L.normalization();
    forward.adapt(rl.tensor(X));
    close(values(inverse.apply(forward.apply(rl.tensor(Q)) as rl.Tensor) as rl.Tensor), Q.flat(2), 5);
  });

  it('a constant feature divides by 1e-7 (Keras\'s backend.epsilon()), not by zero', () => {
    const layer = L.normalization();
    layer.adapt(rl.tensor([[1, 0], [1, 2]]));
    // (1.5 - 1) / max(sqrt(0), 1e-7) in float32: 5e6; the other feature has mean 1 and variance 1.
    close(values(layer.apply(rl.tensor([[1.5, 3]])) as rl.Tensor).map((v, i) => (i === 0 ? v / 5e6 : v)), [1, 2]);
  });

  it('takes integer input as float32, and any size on the axes it reduces', () => {
    const layer = L.normalization();
    layer.adapt(rl.tensor(X));
    const y = layer.apply(rl.tensor([[[2, 1]]], [1, 1, 2], 'int32')) as rl.Tensor;
    expect(y.dtype).toBe('float32');
    close(values(y), [0, (1 - 1.6666666666666667) / Math.sqrt(3.3055555555555554)]);
  });
});

describe('Normalization: given mean and variance', () => {
  it('broadcast to the kept axes aligned from the last (NumPy: (Q - [1, 2]) / sqrt([4, 0.25]) for axis [1, 2])', () => {
    const layer = L.normalization({ axis: [1, 2], mean: [1, 2], variance: [4, 0.25] });
    close(values(layer.apply(rl.tensor(Q)) as rl.Tensor), [-0.25, -2.0, 0.5, 0.0, -1.0, 2.0]);
    expect(layer.weights).toEqual([]);
    // Per step (shape [3, 1] against kept sizes [3, 2]): steps 0, 1, 2 take means 0, 1, 2 and variance 1.
    const perStep = L.normalization({ axis: [1, 2], mean: [[0], [1], [2]], variance: [[1], [1], [1]] });
    close(values(perStep.apply(rl.tensor(Q)) as rl.Tensor), [0.5, 1, 1, 1, -3, 1]);
    const tensors = L.normalization({ mean: rl.tensor([1, 2]), variance: rl.tensor([4, 0.25]) });
    close(values(tensors.apply(rl.tensor([[3, 3]])) as rl.Tensor), [1, 2]);
    expect(tensors.getConfig()).toMatchObject({ mean: [1, 2], variance: [4, 0.25] });
  });

  it('refuses a value that does not broadcast, at build, naming it', () => {
    const layer = L.normalization({ mean: [1, 2], variance: [1, 1] });
    expect(() => layer.apply(rl.tensor([[1, 2, 3]]))).toThrow(/normalization.*\(Normalization\): mean of shape \[2\] does not broadcast to the kept axes \[1\] of sizes \[3\]/);
  });
});

describe('Normalization: gradients and training', () => {
  it('is differentiable in its input: d sum(y) / dx = 1 / std per feature (its inverse: std)', () => {
    const layer = L.normalization();
    layer.adapt(rl.tensor([[0, 1], [4, 1], [2, 7]])); // variances 8/3 and 8
    close(values(rl.grad((x) => rl.sum(layer.apply(x) as rl.Tensor))(rl.tensor([[1, 1]]))), [1 / Math.sqrt(8 / 3), 1 / Math.sqrt(8)]);
    const inverse = L.normalization({ mean: 0, variance: 9, invert: true });
    close(values(rl.grad((x) => rl.sum(inverse.apply(x) as rl.Tensor))(rl.tensor([[1, 1]]))), [3, 3]);
    expect(layer.trainableWeights).toEqual([]);
    expect(layer.nonTrainableWeights.map((w) => w.name)).toEqual(['normalization/mean', 'normalization/variance', 'normalization/count'].map((n) => n.replace('normalization', layer.name)));
  });

  it('a Normalization in front of a Dense fits features of very different scales', async () => {
    rl.setSeed(2);
    const r = new rl.Random(4);
    const n = 64, xs: number[][] = [], ys: number[][] = [];
    for (let i = 0; i < n; i++) {
      const a = r.uniform(500, 1500), b = r.uniform(0, 0.01);
      xs.push([a, b]);
      ys.push([(a - 1000) / 300 - (b - 0.005) * 200]);
    }
    const x = rl.tensor(xs), y = rl.tensor(ys);
    const norm = L.normalization({ inputShape: [2] });
    norm.adapt(x);
    const m = rl.sequential({ layers: [norm, L.dense({ units: 1 })] });
    m.compile({ optimizer: rl.train.sgd(0.1), loss: 'meanSquaredError' });
    const h = await m.fit(x, y, { epochs: 60, batchSize: 16, verbose: 0 });
    const loss = h.history.loss as number[];
    expect(loss[loss.length - 1]).toBeLessThan(1e-3);
    expect(loss[loss.length - 1]).toBeLessThan(loss[0] / 100);
    close(weight(norm, 'mean'), values(rl.mean(x, 0)), 2);
  });
});

describe('Normalization: config, saving and loading', () => {
  it('writes Keras 3\'s keys (axis as a list, [] for null; mean and variance null once adapted) and reads Keras\'s files', () => {
    expect(L.normalization({ name: 'n' }).getConfig()).toEqual({ name: 'n', trainable: true, dtype: 'float32', axis: [-1], invert: false, mean: null, variance: null });
    expect(L.normalization({ axis: null }).getConfig().axis).toEqual([]);
    expect(L.normalization({ axis: [1, 2], mean: [[1, 2]], variance: [[3, 4]] }).getConfig()).toMatchObject({ axis: [1, 2], mean: [[1, 2]], variance: [[3, 4]] });
    const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
    const keras = layerFromKeras({ class_name: 'Normalization', config: { name: 'nk', trainable: true, dtype: policy, axis: [], invert: true, mean: 3, variance: 4 } }, 'Keras 3 file');
    close(values(keras.apply(rl.tensor([[1], [2]])) as rl.Tensor), [5, 7]);
  });

  it('build creates exactly weightSpecs, and fromConfig(getConfig()) is the same layer (adapted and given)', () => {
    const adapted = L.normalization({ axis: [1, 2] });
    adapted.adapt(rl.tensor(X));
    for (const [layer, shape] of [[adapted, [null, 3, 2]], [L.normalization({ mean: [1, 2], variance: [1, 4] }), [null, 2]]] as const) {
      const specs = layer.weightSpecs([...shape]);
      if (!layer.built) layer.build([...shape]);
      expect(layer.weights.map((w) => w.shape)).toEqual(specs.map((s) => s.shape));
      const back = deserializeLayer(serializeLayer(layer));
      expect(back.className).toBe('Normalization');
      expect(back.getConfig()).toEqual(layer.getConfig());
    }
  });

  it('an adapted layer saves its statistics as weights and loads back giving identical outputs', async () => {
    const norm = L.normalization({ name: 'norm', axis: [1, 2] });
    norm.adapt(rl.tensor(X));
    rl.setSeed(7);
    const m = rl.sequential({ layers: [L.inputLayer({ inputShape: [3, 2] }), norm, L.flatten(), L.dense({ units: 2 })] });
    const dir = join(root, 'adapted');
    await m.save(dir);
    const cfg = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).modelTopology.config.layers.find((l: { class_name: string }) => l.class_name === 'Normalization').config;
    expect(cfg).toMatchObject({ axis: [1, 2], invert: false, mean: null, variance: null });
    const back = await rl.loadModel(dir);
    const q = rl.tensor([...Q, [[9, -4], [0, 0], [1, 1]]]);
    expect(values(back.predict(q))).toEqual(values(m.predict(q)));
    const loaded = back.layers.find((l) => l.name === 'norm')!;
    expect(weight(loaded, 'mean')).toEqual(weight(norm, 'mean'));
    expect(weight(loaded, 'variance')).toEqual(weight(norm, 'variance'));
  });

  it('a layer given mean and variance saves them in its config and loads back the same', async () => {
    const m = rl.sequential({ layers: [L.normalization({ inputShape: [2], mean: [1, 2], variance: [4, 0.25], invert: true }), L.dense({ units: 1 })] });
    const dir = join(root, 'given');
    await m.save(dir);
    const back = await rl.loadModel(dir);
    const q = rl.tensor([[1, 1], [0.5, -2]]);
    expect(values(back.predict(q))).toEqual(values(m.predict(q)));
  });

  it('the ONNX export refuses it by name, as it refuses the other Keras 3 preprocessing layers', () => {
    const m = rl.sequential({ layers: [L.normalization({ inputShape: [2], mean: 0, variance: 1, name: 'norm' }), L.dense({ units: 1 })] });
    expect(() => toOnnx(m)).toThrow(/layer 'norm' \(Normalization\) has no ONNX export/);
  });
});

describe('Normalization: bad options and inputs are errors naming the layer and the option', () => {
  it('options', () => {
    expect(() => L.normalization({ mean: 1 })).toThrow(/\(Normalization\): mean and variance must be given together, got mean alone/);
    expect(() => L.normalization({ variance: 1 })).toThrow(/\(Normalization\): mean and variance must be given together, got variance alone/);
    expect(() => L.normalization({ mean: [1, 2], variance: [1, 2, 3] })).toThrow(/mean and variance must have the same shape, got \[2\] and \[3\]/);
    expect(() => L.normalization({ axis: null, mean: [1], variance: [1] })).toThrow(/mean of rank 1 has more axes than axis \[\] keeps \(0\)/);
    expect(() => L.normalization({ mean: [1, 2], variance: [1, -2] })).toThrow(/variance must be >= 0, got -2 at flat index 1/);
    expect(() => L.normalization({ mean: [[1], [2, 3]], variance: [[1], [2, 3]] })).toThrow(/mean must be a number or rectangular nested arrays/);
    expect(() => L.normalization({ mean: 'a' as never, variance: 1 })).toThrow(/mean must hold finite numbers, got/);
    expect(() => L.normalization({ axis: 1.5 })).toThrow(/\(Normalization\): axis must be an integer, a list of integers or null, got 1.5/);
    expect(() => L.normalization({ invert: 1 as never })).toThrow(/invert/);
    expect(() => L.normalization({ epsilon: 1e-3 } as never)).toThrow(/unknown option 'epsilon'/);
  });

  it('adapt and call', () => {
    const given = L.normalization({ name: 'g', mean: 0, variance: 1 });
    expect(() => given.adapt(rl.tensor([[1, 2]]))).toThrow(/g \(Normalization\): was given mean and variance, so there is nothing to adapt/);
    const fresh = L.normalization({ name: 'f' });
    expect(() => fresh.apply(rl.tensor([[1, 2]]))).toThrow(/f \(Normalization\): call adapt\(data\) first, or give mean and variance/);
    expect(() => fresh.adapt(rl.tensor(5))).toThrow(/f \(Normalization\): adapt data needs at least one axis/);
    expect(() => fresh.adapt([])).toThrow(/f \(Normalization\): adapt data of shape \[0\] holds no values/);
    expect(fresh.built).toBe(false);
    expect(() => fresh.adapt(rl.tensor([[1, NaN]]))).toThrow(/adapt data holds NaN at flat index 1/);
    expect(() => fresh.adapt([rl.tensor([[1, 2]]), rl.tensor([[Infinity, 2]])])).toThrow(/adapt data\[1\] holds Infinity at flat index 0/);
    expect(fresh.built).toBe(false);
    expect(() => fresh.adapt([rl.tensor([[1, 2]]), [[3, 4]]] as never)).toThrow(/adapt's list of batches must hold tensors only/);
    fresh.adapt(rl.tensor([[1, 2], [3, 4]]));
    expect(() => fresh.apply(rl.tensor([[1, 2, 3]]))).toThrow(/f \(Normalization\): expected input of shape \(None, 2\), got \[1, 3\]/);
    expect(() => fresh.adapt(rl.tensor([[1, 2, 3]]))).toThrow(/f \(Normalization\): adapt data of shape \[1, 3\] does not fit the input \(None, 2\) the layer is built for/);
    expect(() => L.normalization({ name: 'r', axis: 2 }).adapt(rl.tensor([[1, 2]]))).toThrow(/r \(Normalization\): axis 2 is out of range for input of rank 2/);
    expect(() => L.normalization({ name: 'd', axis: [1, -1] }).adapt(rl.tensor([[1, 2]]))).toThrow(/d \(Normalization\): axis \[1,-1\] names an axis twice/);
    // Keeping the batch axis needs its size: a model's free batch axis cannot be kept.
    expect(() => rl.sequential({ layers: [L.normalization({ name: 'b', axis: 0, inputShape: [2] })] })).toThrow(/b \(Normalization\): kept axis 0 of input \(None, 2\) must have a known size/);
    const fixed = L.normalization({ name: 'w', axis: [1, 2], mean: [1, 2], variance: [1, 1] });
    fixed.apply(rl.tensor([[[1, 2]]]));
    expect(() => fixed.apply(rl.tensor([[[1]]]))).toThrow(/w \(Normalization\): expected size 2 on kept axis 2 \(axis \[1,2\]\), got input \[1, 1, 1\]/);
  });
});
