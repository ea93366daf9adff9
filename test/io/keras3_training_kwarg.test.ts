// A layer call's fixed training mode (Keras's base(x, training=False), Monte Carlo Dropout(x, training=True)): read
// from Keras 3 ({args, kwargs}) and tf.keras 2 ([name, node, tensor, {training}]) files, taken by apply(symbolic,
// {training}), honoured by the graph's run in fit, evaluate and predict for that call only, and written back.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { toOnnx } from '../../src/onnx/index.js';

const arr = (t: unknown) => Array.from((t as rl.Tensor).dataSync() as Float32Array);
const kt = (name: string, shape: (number | null)[]) => ({ class_name: '__keras_tensor__', config: { shape, dtype: 'float32', keras_history: [name, 0, 0] } });
const init = (n: string) => ({ module: 'keras.initializers', class_name: n, config: {}, registered_name: null });
const k3Input = (name: string, width: number) => ({ module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, width], dtype: 'float32', sparse: false, ragged: false, name, optional: false }, registered_name: null, name, inbound_nodes: [] });
const k3Layer = (cls: string, name: string, config: Record<string, unknown>, kwargs: Record<string, unknown>, from = 'inp', width = 3) => ({
  module: 'keras.layers', class_name: cls, config: { name, trainable: true, dtype: 'float32', ...config }, registered_name: null,
  build_config: { input_shape: [null, width] }, name, inbound_nodes: [{ args: [kt(from, [null, width])], kwargs }],
});
const bnConfig = { axis: -1, momentum: 0.5, epsilon: 0.001, center: true, scale: true, beta_initializer: init('Zeros'), gamma_initializer: init('Ones'), moving_mean_initializer: init('Zeros'), moving_variance_initializer: init('Ones'), beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null, synchronized: false };
const dropoutConfig = { rate: 0.5, noise_shape: null, seed: null };
const k3File = (layer: unknown, width = 3, version = '3.6.0') => ({ keras_version: version, backend: 'tensorflow', model_config: { module: 'keras.src.models.functional', class_name: 'Functional', config: { name: 'f', trainable: true, layers: [k3Input('inp', width), layer], input_layers: [['inp', 0, 0]], output_layers: [[(layer as { name: string }).name, 0, 0]] } } });
const load = (topo: unknown) => rl.models.modelFromJSON({ modelTopology: topo } as never) as Promise<rl.Functional>;

const x = () => rl.tensor([[10, 20, 30], [14, 26, 38]]);
/** fit once (lr 0) and the moving statistics after it. */
async function fitStats(m: rl.Functional, name = 'bn'): Promise<{ loss: number; stats: number[][] }> {
  m.compile({ optimizer: rl.train.sgd(0), loss: 'meanSquaredError' });
  const h = await m.fit(x(), rl.zeros([2, 3]), { epochs: 1, batchSize: 2, verbose: 0 });
  const stats = (m.getLayer(name).getWeightValues() as ArrayLike<number>[]).slice(2).map((a) => Array.from(a));
  return { loss: h.history.loss[0] as number, stats };
}
const inferenceLoss = (10 ** 2 + 20 ** 2 + 30 ** 2 + 14 ** 2 + 26 ** 2 + 38 ** 2) / 6 / 1.001;
const isMcDropout = (v: number[]) => v.every((e) => e === 0 || e === 2) && v.includes(0) && v.includes(2);

describe('Keras 3 files: a call\'s training kwarg fixes that call\'s mode', () => {
  it('BatchNormalization(x, training=False) normalizes with, and never moves, its moving statistics in fit', async () => {
    const m = await load(k3File(k3Layer('BatchNormalization', 'bn', bnConfig, { training: false })));
    const { loss, stats } = await fitStats(m);
    expect(stats).toEqual([[0, 0, 0], [1, 1, 1]]);
    expect(loss).toBeCloseTo(inferenceLoss, 2);
  });

  it('without it (or training: null) fit uses and moves the batch statistics', async () => {
    for (const kwargs of [{}, { training: null }]) {
      const { stats } = await fitStats(await load(k3File(k3Layer('BatchNormalization', 'bn', bnConfig, kwargs))));
      expect(stats[0]).toEqual([6, 11.5, 17]);
    }
  });

  it('Dropout(x, training=True) stays active in predict (Monte Carlo dropout)', async () => {
    rl.setSeed(3);
    const m = await load(k3File(k3Layer('Dropout', 'do', dropoutConfig, { training: true }, 'inp', 64), 64));
    expect(isMcDropout(arr(m.predict(rl.ones([2, 64]))))).toBe(true);
  });

  it("released Keras 3 writes Dropout's and LSTM's default training=False into every call: read as that default, not fixed", async () => {
    const m = await load(k3File(k3Layer('Dropout', 'do', dropoutConfig, { training: false }, 'inp', 64), 64, '3.10.0'));
    expect(m.getLayer('do').inboundNodes[0].args.training).toBeUndefined();
    // Keras 3.16 records only what the call gave: there it is the user's, and fixes the call.
    const k316 = await load(k3File(k3Layer('Dropout', 'do', dropoutConfig, { training: false }, 'inp', 64), 64, '3.16.0'));
    expect(k316.getLayer('do').inboundNodes[0].args.training).toBe(false);
    // A layer whose call defaults to training=None (BatchNormalization) got false from the user whatever the version.
    const bn = await load(k3File(k3Layer('BatchNormalization', 'bn', bnConfig, { training: false }), 3, '3.10.0'));
    expect(bn.getLayer('bn').inboundNodes[0].args.training).toBe(false);
  });

  it('a training value that is not true, false or null is refused naming it', async () => {
    await expect(load(k3File(k3Layer('BatchNormalization', 'bn', bnConfig, { training: 'yes' })))).rejects.toThrow(/call argument training must be true, false or null, got "yes"/);
  });
});

describe('tf.keras 2 files: [name, node, tensor, {training}]', () => {
  const k2 = (kwargs: Record<string, unknown>) => ({ keras_version: '2.15.0', backend: 'tensorflow', class_name: 'Functional', config: { name: 'f', layers: [
    { class_name: 'InputLayer', config: { batch_input_shape: [null, 64], dtype: 'float32', sparse: false, ragged: false, name: 'inp' }, name: 'inp', inbound_nodes: [] },
    { class_name: 'Dropout', config: { name: 'do', trainable: true, dtype: 'float32', rate: 0.5, noise_shape: null, seed: null }, name: 'do', inbound_nodes: [[['inp', 0, 0, kwargs]]] },
  ], input_layers: [['inp', 0, 0]], output_layers: [['do', 0, 0]] } });

  it('training: true is honoured in predict; training: false in fit; other call arguments are still refused', async () => {
    rl.setSeed(4);
    expect(isMcDropout(arr((await load(k2({ training: true }))).predict(rl.ones([2, 64]))))).toBe(true);
    const off = await load(k2({ training: false }));
    expect(off.getLayer('do').inboundNodes[0].args.training).toBe(false);
    await expect(load(k2({ training: true, scale: 2 }))).rejects.toThrow(/call arguments \{"scale":2\} are not supported \(rnnlab records only training\)/);
  });
});

describe('apply(symbolic, {training}) and save/load', () => {
  const bnModel = (training?: boolean | null) => {
    const inp = rl.input({ shape: [3], name: 'inp' });
    const bn = rl.layers.batchNormalization({ momentum: 0.5, name: 'bn' });
    return rl.model({ inputs: inp, outputs: bn.apply(inp, { training }) as rl.SymbolicTensor });
  };
  const mcModel = () => {
    const inp = rl.input({ shape: [64], name: 'inp' });
    return rl.model({ inputs: inp, outputs: rl.layers.dropout({ rate: 0.5, name: 'do' }).apply(inp, { training: true }) as rl.SymbolicTensor });
  };

  it('fixes that call: BN(training: false) keeps its statistics through fit, Dropout(training: true) drops in predict', async () => {
    const { loss, stats } = await fitStats(bnModel(false));
    expect(stats).toEqual([[0, 0, 0], [1, 1, 1]]);
    expect(loss).toBeCloseTo(inferenceLoss, 2);
    expect((await fitStats(bnModel(null))).stats[0]).toEqual([6, 11.5, 17]);
    rl.setSeed(5);
    expect(isMcDropout(arr(mcModel().predict(rl.ones([2, 64]))))).toBe(true);
  });

  it('a shared layer keeps each call\'s own mode; a nested model called with training: false runs its layers so', async () => {
    const inp = rl.input({ shape: [64], name: 'inp' });
    const drop = rl.layers.dropout({ rate: 0.5, name: 'do' });
    const both = rl.model({ inputs: inp, outputs: [drop.apply(inp, { training: true }) as rl.SymbolicTensor, drop.apply(inp) as rl.SymbolicTensor] });
    const [on, plain] = both.predict(rl.ones([2, 64])) as rl.Tensor[];
    expect(isMcDropout(arr(on))).toBe(true);
    expect(arr(plain).every((v) => v === 1)).toBe(true);
    // Keras's fine-tuning pattern: base(x, training=False) keeps the base's BatchNormalization in inference mode.
    const innerIn = rl.input({ shape: [3], name: 'base_in' });
    const base = rl.model({ inputs: innerIn, outputs: rl.layers.batchNormalization({ momentum: 0.5, name: 'bn' }).apply(innerIn) as rl.SymbolicTensor, name: 'base' });
    const outerIn = rl.input({ shape: [3], name: 'inp' });
    const outer = rl.model({ inputs: outerIn, outputs: base.apply(outerIn, { training: false }) as rl.SymbolicTensor });
    outer.compile({ optimizer: rl.train.sgd(0), loss: 'meanSquaredError' });
    await outer.fit(x(), rl.zeros([2, 3]), { epochs: 1, batchSize: 2, verbose: 0 });
    expect((base.getLayer('bn').getWeightValues() as ArrayLike<number>[]).slice(2).map((a) => Array.from(a))).toEqual([[0, 0, 0], [1, 1, 1]]);
  });

  it('a training that is not true, false or null is refused naming it; null (Keras\'s None) is the default mode on real tensors too', () => {
    const ones = rl.ones([2, 64]);
    expect(arr(rl.layers.dropout({ rate: 0.5 }).apply(ones, { training: null }) as rl.Tensor).every((v) => v === 1)).toBe(true);
    const seq = rl.sequential({ layers: [rl.layers.dropout({ rate: 0.5, inputShape: [64] })] });
    expect(arr(seq.apply(ones, { training: null } as never) as rl.Tensor).every((v) => v === 1)).toBe(true);
    const inp = rl.input({ shape: [3] });
    expect(() => rl.layers.dropout({ rate: 0.5 }).apply(inp, { training: 1 } as never)).toThrow(/training must be true, false or null, got number 1/);
  });

  it('round-trips through save/load (tfjs\'s kwargs slot), loads in tfjs, and is refused by the ONNX export when true', async () => {
    const m = bnModel(false);
    const arts = rl.io.modelArtifactsOf(m);
    const topo = arts.modelTopology as { config: { layers: { name: string; inbound_nodes: unknown[][][] }[] } };
    expect(topo.config.layers.find((l) => l.name === 'bn')!.inbound_nodes).toEqual([[['inp', 0, 0, { training: false }]]]);
    const back = await rl.loadLayersModel(rl.io.fromMemory(arts)) as rl.Functional;
    expect(back.getLayer('bn').inboundNodes[0].args.training).toBe(false);
    expect((await fitStats(back)).stats).toEqual([[0, 0, 0], [1, 1, 1]]);
    // Without a fixed mode nothing is written (as before).
    expect((rl.io.modelArtifactsOf(bnModel()).modelTopology as typeof topo).config.layers.find((l) => l.name === 'bn')!.inbound_nodes).toEqual([[['inp', 0, 0, {}]]]);
    const mc = mcModel();
    rl.setSeed(6);
    const mcBack = await rl.loadLayersModel(rl.io.fromMemory(rl.io.modelArtifactsOf(mc))) as rl.Functional;
    expect(isMcDropout(arr(mcBack.predict(rl.ones([2, 64]))))).toBe(true);
    const inTfjs = await tf.loadLayersModel(tf.io.fromMemory(rl.io.modelArtifactsOf(mc) as tf.io.ModelArtifacts));
    expect(inTfjs.layers.map((l) => l.getClassName())).toEqual(['InputLayer', 'Dropout']);
    expect(() => toOnnx(mc)).toThrow(/is called with training = true/);
    expect(() => toOnnx(m)).not.toThrow();
  });
});
