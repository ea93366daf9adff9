// Keras 3 functional files list the padding masks Embedding(mask_zero) and Masking compute as op entries ('NotEqual',
// 'Any', module keras.src.ops.numpy) that the next calls take as mask / query_mask / value_mask. The topologies here
// follow what Keras 3's Functional.get_config and serialize_node write; each loads with an rnnlab model's weights and
// predicts what that model predicts, and ops rnnlab would not compute the same way are refused naming op, layer, argument.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const arr = (t: unknown) => Array.from((t as rl.Tensor).dataSync() as Float32Array);

/** A KerasTensor as serialize_keras_object writes it inside a node's args / kwargs. */
const kt = (layer: string, shape: (number | null)[], dtype = 'float32', node = 0, index = 0) => ({ class_name: '__keras_tensor__', config: { shape, dtype, keras_history: [layer, node, index] } });
const call = (args: unknown[], kwargs: Record<string, unknown> = {}) => ({ args, kwargs });
const layer = (cls: string, name: string, config: Record<string, unknown>, nodes: unknown[]) => ({ module: 'keras.layers', class_name: cls, config: { name, trainable: true, dtype: 'float32', ...config }, registered_name: null, name, inbound_nodes: nodes });
const input = (name: string, shape: (number | null)[], dtype = 'float32') => ({ module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: shape, dtype, sparse: false, ragged: false, name, optional: false }, registered_name: null, name, inbound_nodes: [] });
/** An op entry: Operation.get_config's {name} plus its auto-config arguments, registered under its class name. */
const op = (cls: string, name: string, args: unknown[], config: Record<string, unknown> = {}) => ({ module: 'keras.src.ops.numpy', class_name: cls, config: { name, ...config }, registered_name: cls, name, inbound_nodes: [call(args)] });
const topology = (layers: unknown[], inputs: string, output: string) => ({ class_name: 'Functional', config: { name: 'k3', trainable: true, layers, input_layers: [[inputs, 0, 0]], output_layers: [[output, 0, 0]] } });

const T = 5;
const tokens = kt('tokens', [null, T], 'int32');
const notEqual = (name = 'not_equal', source: unknown = tokens, value: number = 0) => op('NotEqual', name, [source, value]);
const mask = (name = 'not_equal') => kt(name, [null, T], 'bool');
const ids = () => rl.tensor([3, 1, 0, 0, 0, 2, 4, 5, 1, 0, 7, 0, 6, 0, 0], [3, T], 'int32');
const emb = (nodes: unknown[] = [call([tokens])]) => layer('Embedding', 'emb', { input_dim: 8, output_dim: 4, mask_zero: true }, nodes);

/** Loads a Keras 3 topology with the weights of the rnnlab model it describes, and checks both predict alike. */
async function loadsAs(ref: rl.Functional, topo: unknown, x: rl.Tensor): Promise<rl.Functional> {
  const arts = rl.io.modelArtifactsOf(ref);
  const loaded = await rl.loadLayersModel(rl.io.fromMemory({ modelTopology: topo, weightSpecs: arts.weightSpecs, weightData: arts.weightData })) as rl.Functional;
  const want = arr(ref.predict(x)), got = arr(loaded.predict(x));
  expect(got).toEqual(want);
  return loaded;
}

const refModel = (body: (x: rl.SymbolicTensor) => rl.SymbolicTensor, shape: number[] = [T], dtype: 'int32' | 'float32' = 'int32') => {
  const x = rl.input({ shape, dtype, name: 'tokens' });
  return rl.model({ inputs: x, outputs: body(x) });
};
const embedRef = (x: rl.SymbolicTensor) => rl.layers.embedding({ inputDim: 8, outputDim: 4, maskZero: true, name: 'emb' }).apply(x) as rl.SymbolicTensor;

describe("Keras 3's mask ops in functional files", () => {
  it('Embedding(mask_zero) -> LSTM -> Dense: the NotEqual op is the mask rnnlab propagates, and is dropped', async () => {
    rl.setSeed(1);
    const ref = refModel((x) => rl.layers.dense({ units: 2, name: 'out' }).apply(rl.layers.lstm({ units: 3, name: 'lstm' }).apply(embedRef(x))) as rl.SymbolicTensor);
    const topo = topology([
      input('tokens', [null, T], 'int32'), emb(), notEqual(),
      layer('LSTM', 'lstm', { units: 3 }, [call([kt('emb', [null, T, 4])], { training: false, mask: mask() })]),
      layer('Dense', 'out', { units: 2 }, [call([kt('lstm', [null, 3])])]),
    ], 'tokens', 'out');
    const loaded = await loadsAs(ref, topo, ids());
    expect(loaded.layers.map((l) => l.name)).toEqual(['tokens', 'emb', 'lstm', 'out']);
    // The mask matters: without it the padded steps would run through the LSTM and change the output.
    const unmasked = refModel((x) => rl.layers.dense({ units: 2, name: 'out' }).apply(rl.layers.lstm({ units: 3, name: 'lstm' }).apply(rl.layers.embedding({ inputDim: 8, outputDim: 4, name: 'emb' }).apply(x))) as rl.SymbolicTensor);
    unmasked.setWeights(ref.getWeights());
    expect(arr(unmasked.predict(ids()))).not.toEqual(arr(ref.predict(ids())));
  });

  it('Embedding -> Bidirectional(LSTM, return_sequences) -> GlobalAveragePooling1D(mask) -> Dense', async () => {
    rl.setSeed(2);
    const ref = refModel((x) => {
      const seq = rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 3, returnSequences: true, name: 'fw' }) as never, name: 'bi' }).apply(embedRef(x));
      return rl.layers.dense({ units: 2, name: 'out' }).apply(rl.layers.globalAveragePooling1d({ name: 'gap' }).apply(seq)) as rl.SymbolicTensor;
    });
    const lstmCfg = { module: 'keras.layers', class_name: 'LSTM', config: { name: 'fw', trainable: true, dtype: 'float32', units: 3, return_sequences: true }, registered_name: null };
    const topo = topology([
      input('tokens', [null, T], 'int32'), emb(), notEqual(),
      layer('Bidirectional', 'bi', { layer: lstmCfg, merge_mode: 'concat' }, [call([kt('emb', [null, T, 4])], { mask: mask() })]),
      layer('GlobalAveragePooling1D', 'gap', { data_format: 'channels_last', keepdims: false }, [call([kt('bi', [null, T, 6])], { mask: mask() })]),
      layer('Dense', 'out', { units: 2 }, [call([kt('gap', [null, 6])])]),
    ], 'tokens', 'out');
    await loadsAs(ref, topo, ids());
  });

  it('Masking -> GRU: Any(NotEqual(x, mask_value), axis=-1) is the Masking layer\'s mask', async () => {
    rl.setSeed(3);
    const ref = refModel((x) => rl.layers.gru({ units: 3, name: 'gru' }).apply(rl.layers.masking({ maskValue: -1, name: 'mask' }).apply(x)) as rl.SymbolicTensor, [T, 2], 'float32');
    const feats = kt('tokens', [null, T, 2]);
    const topo = topology([
      input('tokens', [null, T, 2]), layer('Masking', 'mask', { mask_value: -1 }, [call([feats])]),
      op('NotEqual', 'not_equal', [feats, -1]), op('Any', 'any', [kt('not_equal', [null, T, 2], 'bool')], { axis: -1, keepdims: false }),
      layer('GRU', 'gru', { units: 3 }, [call([kt('mask', [null, T, 2])], { training: false, mask: kt('any', [null, T], 'bool') })]),
    ], 'tokens', 'gru');
    const x = rl.tensor(Array.from({ length: 3 * T * 2 }, (_, i) => (i % 7 === 3 || i % 7 === 4 ? -1 : Math.sin(i))), [3, T, 2]);
    await loadsAs(ref, topo, x);
  });

  it('Embedding(mask_zero) -> MultiHeadAttention(query_mask, value_mask)', async () => {
    rl.setSeed(4);
    const ref = refModel((x) => {
      const e = embedRef(x);
      return rl.layers.multiHeadAttention({ numHeads: 2, keyDim: 2, name: 'mha' }).apply([e, e]) as rl.SymbolicTensor;
    });
    const e = kt('emb', [null, T, 4]);
    const topo = topology([
      input('tokens', [null, T], 'int32'), emb(), notEqual(),
      layer('MultiHeadAttention', 'mha', { num_heads: 2, key_dim: 2, value_dim: 2, attention_axes: [1] }, [call([e, e], { query_mask: mask(), value_mask: mask() })]),
    ], 'tokens', 'mha');
    await loadsAs(ref, topo, ids());
  });

  it('Embedding, Embedding -> Add -> LSTM: the LogicalOr of both NotEqual ops is the merge\'s mask', async () => {
    rl.setSeed(5);
    const x2 = rl.input({ shape: [T], dtype: 'int32', name: 'more' });
    const x1 = rl.input({ shape: [T], dtype: 'int32', name: 'tokens' });
    const sum = rl.layers.add({ name: 'sum' }).apply([embedRef(x1), rl.layers.embedding({ inputDim: 8, outputDim: 4, maskZero: true, name: 'emb2' }).apply(x2) as rl.SymbolicTensor]);
    const ref = rl.model({ inputs: [x1, x2], outputs: rl.layers.lstm({ units: 3, name: 'lstm' }).apply(sum) as rl.SymbolicTensor });
    const more = kt('more', [null, T], 'int32');
    const topo = topology([
      input('tokens', [null, T], 'int32'), input('more', [null, T], 'int32'), emb(), layer('Embedding', 'emb2', { input_dim: 8, output_dim: 4, mask_zero: true }, [call([more])]),
      notEqual(), notEqual('not_equal_1', more),
      layer('Add', 'sum', {}, [call([[kt('emb', [null, T, 4]), kt('emb2', [null, T, 4])]], { mask: [mask(), mask('not_equal_1')] })]),
      op('LogicalOr', 'logical_or', [mask(), mask('not_equal_1')]),
      layer('LSTM', 'lstm', { units: 3 }, [call([kt('sum', [null, T, 4])], { training: false, mask: mask('logical_or') })]),
    ], 'tokens', 'lstm');
    (topo.config as { input_layers: unknown[] }).input_layers = [['tokens', 0, 0], ['more', 0, 0]];
    const arts = rl.io.modelArtifactsOf(ref);
    const loaded = await rl.loadLayersModel(rl.io.fromMemory({ modelTopology: topo, weightSpecs: arts.weightSpecs, weightData: arts.weightData })) as rl.Functional;
    const a = ids(), b = rl.tensor([0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1, 1, 1, 1, 0], [3, T], 'int32');
    expect(arr(loaded.predict([a, b]))).toEqual(arr(ref.predict([a, b])));
    // OR commutes, so the masks listed the other way round load alike; a LogicalOr missing one input's mask does not.
    const swapped = JSON.parse(JSON.stringify(topo));
    const orEntry = (t: typeof topo) => t.config.layers.find((l) => (l as { name: string }).name === 'logical_or') as { inbound_nodes: { args: unknown[] }[] };
    orEntry(swapped).inbound_nodes[0].args.reverse();
    const again = await rl.models.modelFromJSON({ modelTopology: swapped }) as rl.Functional;
    again.setWeights(ref.getWeights());
    expect(arr(again.predict([a, b]))).toEqual(arr(ref.predict([a, b])));
    const half = JSON.parse(JSON.stringify(topo));
    orEntry(half).inbound_nodes[0].args = [mask(), mask()];
    await expect(rl.models.modelFromJSON({ modelTopology: half })).rejects.toThrow(/LogicalOr \('logical_or'\) feeds argument mask of layer 'lstm'.*rnnlab's mask there is LogicalOr\(NotEqual\(\["tokens",0,0\], 0\), NotEqual\(\["more",0,0\], 0\)\)/);
  });

  describe('refusals, naming the op, the layer and the argument', () => {
    const load = (layers: unknown[], out: string) => rl.models.modelFromJSON({ modelTopology: topology(layers, 'tokens', out) as never });
    const lstmOn = (kwargs: Record<string, unknown>, args: unknown[] = [kt('emb', [null, T, 4])]) => layer('LSTM', 'lstm', { units: 3 }, [call(args, kwargs)]);

    it('a NotEqual against another value than the Embedding masks', async () => {
      await expect(load([input('tokens', [null, T], 'int32'), emb(), notEqual('ne', tokens, 1), lstmOn({ mask: mask('ne') })], 'lstm'))
        .rejects.toThrow(/NotEqual \('ne'\) feeds argument mask of layer 'lstm' \(LSTM\); rnnlab's mask there is NotEqual\(\["tokens",0,0\], 0\) \(Embedding 'emb'\), not NotEqual\(\["tokens",0,0\], 1\)/);
    });

    it('a mask computed from another tensor than the one rnnlab masks with', async () => {
      const other = input('other', [null, T], 'int32');
      await expect(load([input('tokens', [null, T], 'int32'), other, emb(), notEqual('ne', kt('other', [null, T], 'int32')), lstmOn({ mask: mask('ne') })], 'lstm'))
        .rejects.toThrow(/NotEqual \('ne'\) feeds argument mask of layer 'lstm'.*rnnlab's mask there is NotEqual\(\["tokens",0,0\], 0\) \(Embedding 'emb'\), not NotEqual\(\["other",0,0\], 0\)/);
    });

    it('a mask on an input rnnlab does not mask (an Embedding without mask_zero)', async () => {
      const plain = layer('Embedding', 'emb', { input_dim: 8, output_dim: 4, mask_zero: false }, [call([tokens])]);
      await expect(load([input('tokens', [null, T], 'int32'), plain, notEqual(), lstmOn({ mask: mask() })], 'lstm'))
        .rejects.toThrow(/NotEqual \('not_equal'\) feeds argument mask of layer 'lstm'.*carries no mask in rnnlab/);
    });

    it('an op rnnlab does not compute (LogicalAnd), or a LogicalOr where rnnlab has one mask', async () => {
      const and = op('LogicalAnd', 'logical_and', [mask(), mask()]);
      await expect(load([input('tokens', [null, T], 'int32'), emb(), notEqual(), and, lstmOn({ mask: mask('logical_and') })], 'lstm'))
        .rejects.toThrow(/LogicalAnd \('logical_and'\) feeds argument mask of layer 'lstm'.*not a mask rnnlab computes/);
      const or = op('LogicalOr', 'logical_or', [mask(), mask()]);
      await expect(load([input('tokens', [null, T], 'int32'), emb(), notEqual(), or, lstmOn({ mask: mask('logical_or') })], 'lstm'))
        .rejects.toThrow(/LogicalOr \('logical_or'\) feeds argument mask of layer 'lstm'.*there is NotEqual\(\["tokens",0,0\], 0\) \(Embedding 'emb'\), not LogicalOr/);
    });

    it("Concatenate's mask ops (OnesLike, ExpandDims, Concatenate, Any) are refused naming the first one met", async () => {
      const e2 = layer('Embedding', 'emb2', { input_dim: 8, output_dim: 4, mask_zero: true }, [call([tokens])]);
      const cat = layer('Concatenate', 'cat', { axis: -1 }, [call([[kt('emb', [null, T, 4]), kt('emb2', [null, T, 4])]], { mask: [mask(), mask('not_equal_1')] })]);
      const catOp = { ...op('Concatenate', 'concatenate', [[mask(), mask('not_equal_1')]], { axis: -1 }) };
      const any = op('Any', 'any', [kt('concatenate', [null, T, 2], 'bool')], { axis: -1, keepdims: false });
      await expect(load([input('tokens', [null, T], 'int32'), emb(), e2, notEqual(), notEqual('not_equal_1'), cat, catOp, any, lstmOn({ mask: kt('any', [null, T], 'bool') }, [kt('cat', [null, T, 8])])], 'lstm'))
        .rejects.toThrow(/Any \('any'\) feeds argument mask of layer 'lstm'.*not a mask rnnlab computes/);
    });

    it('an Any over another axis, or keeping dims', async () => {
      const feats = kt('tokens', [null, T, 2]);
      const layers = (cfg: Record<string, unknown>) => [input('tokens', [null, T, 2]), layer('Masking', 'mask', { mask_value: 0 }, [call([feats])]), op('NotEqual', 'not_equal', [feats, 0]),
        op('Any', 'any', [kt('not_equal', [null, T, 2], 'bool')], cfg), layer('GRU', 'gru', { units: 3 }, [call([kt('mask', [null, T, 2])], { mask: kt('any', [null, T], 'bool') })])];
      await expect(load(layers({ axis: 1, keepdims: false }), 'gru')).rejects.toThrow(/Any \('any'\) feeds argument mask of layer 'gru' \(GRU\).*not a mask rnnlab computes/);
      await expect(load(layers({ axis: -1, keepdims: true }), 'gru')).rejects.toThrow(/Any \('any'\) feeds argument mask of layer 'gru'/);
    });

    it('an op feeding data, or another keyword argument, or the model output', async () => {
      const base = [input('tokens', [null, T], 'int32'), emb(), notEqual()];
      await expect(load([...base, layer('Dense', 'd', { units: 2 }, [call([mask()])])], 'd'))
        .rejects.toThrow(/NotEqual \('not_equal'\) feeds argument args of layer 'd' \(Dense\); rnnlab takes a Keras op only as a padding mask, never as data/);
      await expect(load([...base, lstmOn({ initial_state: [mask()] })], 'lstm')).rejects.toThrow(/feeds argument initial_state of layer 'lstm'/);
      await expect(load(base, 'not_equal')).rejects.toThrow(/output_layers names Keras op NotEqual \('not_equal'\)/);
      // A layer's output given as a mask is not a mask rnnlab would compute: refused rather than ignored.
      const dense = layer('Dense', 'gate', { units: 1 }, [call([kt('emb', [null, T, 4])])]);
      await expect(load([input('tokens', [null, T], 'int32'), emb(), dense, lstmOn({ mask: kt('gate', [null, T, 1]) })], 'lstm'))
        .rejects.toThrow(/\('lstm'\), inbound node 0: call argument mask is a layer's output tensor/);
    });
  });
});
