// Custom layers as published examples write them, ported line for line: keras.io's "Text classification with
// Transformer" (TokenAndPositionEmbedding, a TransformerBlock whose self-attention here is rl.layers.attention, as
// rnnlab has no MultiHeadAttention) and the tfjs custom-layer pattern (static className, build with addWeight,
// computeOutputShape, getConfig, serialization.registerClass). Each is built, trained a few steps, saved and loaded.
// The layers a custom layer holds in its attributes are tracked as Keras 3 does (tfjs would leave their weights
// out of training and saving): their weights train, save under '<layer>/<attribute>/...' and load back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-ported-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Kw = any;

class TokenAndPositionEmbedding extends rl.layers.Layer {
  static className = 'TokenAndPositionEmbedding';
  maxlen: number; vocabSize: number; embedDim: number;
  tokenEmb: rl.layerClasses.Layer; posEmb: rl.layerClasses.Layer;
  constructor(config: { maxlen: number; vocabSize: number; embedDim: number; name?: string }) {
    super({ name: config.name });
    this.maxlen = config.maxlen; this.vocabSize = config.vocabSize; this.embedDim = config.embedDim;
    this.tokenEmb = rl.layers.embedding({ inputDim: config.vocabSize, outputDim: config.embedDim });
    this.posEmb = rl.layers.embedding({ inputDim: config.maxlen, outputDim: config.embedDim });
  }
  call(inputs: rl.Tensor | rl.Tensor[]) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const positions = this.posEmb.apply(rl.range(0, x.shape[1])) as rl.Tensor;
    return rl.add(this.tokenEmb.apply(x) as rl.Tensor, positions);
  }
  computeOutputShape(s: (number | null)[]) { return [s[0], s[1], this.embedDim]; }
  getConfig() { return { ...super.getConfig(), maxlen: this.maxlen, vocabSize: this.vocabSize, embedDim: this.embedDim }; }
}

class TransformerBlock extends rl.layers.Layer {
  static className = 'TransformerBlock';
  embedDim: number; ffDim: number; rate: number;
  att: rl.layerClasses.Layer; ffn1: rl.layerClasses.Layer; ffn2: rl.layerClasses.Layer;
  norm1: rl.layerClasses.Layer; norm2: rl.layerClasses.Layer; drop1: rl.layerClasses.Layer; drop2: rl.layerClasses.Layer;
  constructor(config: { embedDim: number; ffDim: number; rate?: number; name?: string }) {
    super({ name: config.name });
    this.embedDim = config.embedDim; this.ffDim = config.ffDim; this.rate = config.rate ?? 0.1;
    this.att = rl.layers.attention({ useScale: true });
    this.ffn1 = rl.layers.dense({ units: config.ffDim, activation: 'relu' });
    this.ffn2 = rl.layers.dense({ units: config.embedDim });
    this.norm1 = rl.layers.layerNormalization({ epsilon: 1e-6 });
    this.norm2 = rl.layers.layerNormalization({ epsilon: 1e-6 });
    this.drop1 = rl.layers.dropout({ rate: this.rate });
    this.drop2 = rl.layers.dropout({ rate: this.rate });
  }
  call(inputs: rl.Tensor | rl.Tensor[], kwargs: Kw) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const training = kwargs?.training ?? false;
    let attn = this.att.apply([x, x]) as rl.Tensor;
    attn = this.drop1.apply(attn, { training }) as rl.Tensor;
    const out1 = this.norm1.apply(rl.add(x, attn)) as rl.Tensor;
    let ffn = this.ffn2.apply(this.ffn1.apply(out1) as rl.Tensor) as rl.Tensor;
    ffn = this.drop2.apply(ffn, { training }) as rl.Tensor;
    return this.norm2.apply(rl.add(out1, ffn)) as rl.Tensor;
  }
  getConfig() { return { ...super.getConfig(), embedDim: this.embedDim, ffDim: this.ffDim, rate: this.rate }; }
}

/** tfjs's documented custom-layer shape: a weight made in build with addWeight, computeOutputShape, getConfig. */
class ScaledDense extends rl.layers.Layer {
  static className = 'ScaledDense';
  units: number; kernel!: ReturnType<rl.layerClasses.Layer['addWeight']>;
  constructor(config: { units: number; name?: string }) { super(config); this.units = config.units; }
  build(inputShape: (number | null)[]) {
    this.kernel = this.addWeight('kernel', [inputShape[inputShape.length - 1] as number, this.units], 'float32', rl.initializers.glorotUniform({ seed: 1 }));
  }
  computeOutputShape(s: (number | null)[]) { return [...s.slice(0, -1), this.units]; }
  call(inputs: rl.Tensor | rl.Tensor[]) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return rl.tidy(() => rl.mul(rl.dot(x, this.kernel.read()), 0.5));
  }
  getConfig() { return { ...super.getConfig(), units: this.units }; }
}

for (const cls of [TokenAndPositionEmbedding, TransformerBlock, ScaledDense]) rl.serialization.registerClass(cls);

function data(n: number) {
  const r = new rl.Random(7);
  const xs: number[][] = [], ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: 8 }, () => 1 + Math.floor(r.uniform(0, 19)));
    xs.push(row); ys.push(row.filter((v) => v > 10).length > 4 ? 1 : 0);
  }
  return { x: rl.tensor2d(xs), y: rl.tensor2d(ys.map((v) => [v])) };
}

describe('published custom layers run on rnnlab', () => {
  it("keras.io's transformer text classifier: fit lowers the loss, save/load predicts the same", async () => {
    rl.setSeed(21);
    const inp = rl.input({ shape: [8] });
    let h = new TokenAndPositionEmbedding({ maxlen: 8, vocabSize: 20, embedDim: 8 }).apply(inp) as rl.SymbolicTensor;
    h = new TransformerBlock({ embedDim: 8, ffDim: 16 }).apply(h) as rl.SymbolicTensor;
    h = rl.layers.globalAveragePooling1d({}).apply(h) as rl.SymbolicTensor;
    h = new ScaledDense({ units: 4 }).apply(h) as rl.SymbolicTensor;
    const out = rl.layers.dense({ units: 1, activation: 'sigmoid' }).apply(h) as rl.SymbolicTensor;
    const model = rl.model({ inputs: inp, outputs: out });
    // Every inner layer's weights train: two embeddings, attention's scale, two dense and two norms, ScaledDense, the head.
    expect(model.trainableWeights.length).toBe(2 + 1 + 4 + 4 + 1 + 2);
    expect(model.getLayer('transformer_block').weights.map((w) => w.name)).toContain('transformer_block/ffn1/kernel');
    model.compile({ optimizer: rl.train.adam(0.01), loss: 'binaryCrossentropy' });
    const { x, y } = data(32);
    const hist = await model.fit(x, y, { epochs: 8, batchSize: 16, verbose: 0 });
    const loss = hist.history.loss as number[];
    expect(loss.at(-1)!).toBeLessThan(loss[0]);
    const want = (model.predict(x) as rl.Tensor).dataSync();
    await model.save(`file://${join(root, 'transformer')}`);
    const back = await rl.loadLayersModel(`file://${join(root, 'transformer')}`);
    expect(Array.from((back.predict(x) as rl.Tensor).dataSync())).toEqual(Array.from(want));
  });

  it('getConfig / fromConfig round trip rebuilds each class with its options', () => {
    for (const layer of [new TokenAndPositionEmbedding({ maxlen: 8, vocabSize: 20, embedDim: 8 }), new TransformerBlock({ embedDim: 8, ffDim: 16, rate: 0.2 }), new ScaledDense({ units: 3 })]) {
      const cls = layer.constructor as unknown as typeof rl.layerClasses.Layer;
      const copy = (cls as unknown as { fromConfig(c: object): rl.layerClasses.Layer }).fromConfig(layer.getConfig());
      expect(copy).toBeInstanceOf(cls);
      expect(copy.getConfig()).toEqual(layer.getConfig());
    }
  });

  it('a held layer applied in the graph itself (tied embeddings) keeps its weights once, under its own name', async () => {
    class TiedOutput extends rl.layers.Layer {
      static className = 'TiedOutput';
      constructor(readonly emb: rl.layerClasses.Layer, config: object = {}) { super(config); }
      call(x: rl.Tensor | rl.Tensor[]) { return rl.matMul(Array.isArray(x) ? x[0] : x, this.emb.weights[0].read(), false, true); }
      computeOutputShape(s: (number | null)[]) { return [s[0], 20]; }
    }
    rl.setSeed(22);
    const inp = rl.input({ shape: [8] });
    const emb = rl.layers.embedding({ inputDim: 20, outputDim: 4, name: 'tied_emb' });
    const pooled = rl.layers.globalAveragePooling1d({}).apply(emb.apply(inp) as rl.SymbolicTensor) as rl.SymbolicTensor;
    const model = rl.model({ inputs: inp, outputs: new TiedOutput(emb).apply(pooled) as rl.SymbolicTensor });
    expect(model.weights.map((w) => w.name)).toEqual(['tied_emb/embeddings']);
  });

  it('freezing the holder freezes the layers it holds; in a Sequential model they save and load too', async () => {
    class Residual extends rl.layers.Layer {
      static className = 'ResidualDense';
      inner = rl.layers.dense({ units: 3 });
      call(x: rl.Tensor | rl.Tensor[]) { const v = Array.isArray(x) ? x[0] : x; return rl.add(v, this.inner.apply(v) as rl.Tensor); }
    }
    rl.serialization.registerClass(Residual);
    rl.setSeed(23);
    const frozen = new Residual({ trainable: false });
    const seq = rl.sequential({ layers: [rl.layers.dense({ units: 3, inputShape: [2] }), frozen, rl.layers.dense({ units: 1 })] });
    expect(frozen.weights.map((w) => w.name)).toEqual(['residual_dense/inner/kernel', 'residual_dense/inner/bias']);
    expect(seq.trainableWeights.length).toBe(4);
    const before = frozen.getWeights().map((t) => Array.from(t.dataSync()));
    seq.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = rl.tensor2d([[1, 2], [3, -1], [0.5, 0.5]]), y = rl.tensor2d([[1], [0], [2]]);
    await seq.fit(x, y, { epochs: 2, verbose: 0 });
    expect(frozen.getWeights().map((t) => Array.from(t.dataSync()))).toEqual(before);
    await seq.save(`file://${join(root, 'residual')}`);
    const back = await rl.loadLayersModel(`file://${join(root, 'residual')}`);
    expect(Array.from((back.predict(x) as rl.Tensor).dataSync())).toEqual(Array.from((seq.predict(x) as rl.Tensor).dataSync()));
  });

  it("tfjs-examples' Antirectifier (static get className, invokeCallHook, tensor methods) trains, saves and loads", async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const tf: any = rl;
    class Antirectifier extends tf.layers.Layer {
      constructor(config?: object) { super(config); }
      build() {}
      computeOutputShape(s: (number | null)[]) { return [s[0], 2 * (s[1] as number)]; }
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      call(inputs: any, kwargs: any) {
        let input = inputs;
        if (Array.isArray(input)) input = input[0];
        this.invokeCallHook(inputs, kwargs);
        const origShape = input.shape;
        const flatShape = [origShape[0], origShape.slice(1).reduce((x: number, y: number) => x * y, 1)];
        const flattened = input.reshape(flatShape);
        const centered = tf.sub(flattened, flattened.mean(1).expandDims(1));
        return tf.concat([centered.relu(), centered.neg().relu()], 1);
      }
      static get className() { return 'Antirectifier'; }
    }
    tf.serialization.registerClass(Antirectifier);
    rl.setSeed(24);
    const anti = new Antirectifier();
    const seen: number[][] = [];
    anti.setCallHook((inputs: rl.Tensor) => seen.push(inputs.shape));
    const model = rl.sequential({ layers: [rl.layers.dense({ units: 4, inputShape: [3] }), anti as unknown as rl.layerClasses.Layer, rl.layers.dense({ units: 2, activation: 'softmax' })] });
    model.compile({ optimizer: 'rmsprop', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const x = rl.tensor2d([[1, 0, 2], [0, 1, -1], [2, 2, 0], [-1, 0, 1]]), y = rl.oneHot(rl.tensor1d([0, 1, 0, 1], 'int32'), 2);
    const h = await model.fit(x, y, { epochs: 5, batchSize: 4, verbose: 0 });
    expect((h.history.loss as number[]).at(-1)!).toBeLessThan((h.history.loss as number[])[0]);
    expect(seen.at(-1)).toEqual([4, 4]);
    anti.clearCallHook();
    const n = seen.length;
    model.predict(x);
    expect(seen.length).toBe(n);
    await model.save(`file://${join(root, 'antirectifier')}`);
    const back = await rl.loadLayersModel(`file://${join(root, 'antirectifier')}`);
    expect(back.layers[1].getClassName()).toBe('Antirectifier');
    expect(Array.from((back.predict(x) as rl.Tensor).dataSync())).toEqual(Array.from((model.predict(x) as rl.Tensor).dataSync()));
  });
});
