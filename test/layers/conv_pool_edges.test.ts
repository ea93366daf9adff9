/**
 * Edges of the 1-D convolution and pooling layers: a sequence too short for a 'valid' window on a free time axis
 * (refused on every path, as fit's), GlobalMaxPooling1D's gradient at tied maxima (split evenly, as Keras's
 * `ops.max`), GlobalAveragePooling1D over a fully masked row (0, documented), and Keras 3's layers rnnlab lacks
 * (refused by name, not "is not a function").
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const apiMd = readFileSync(join(__dirname, '../../docs/API.md'), 'utf8');
const apiRow = (factory: string): string => apiMd.split('\n').find((l) => l.startsWith(`| \`${factory}\``))!;

describe('a sequence shorter than a valid window, with a free time axis', () => {
  const convModel = (pool: 'max' | 'avg') => {
    const m = rl.sequential({ layers: [
      rl.layers.conv1d({ filters: 3, kernelSize: 5, inputShape: [null, 2], activation: 'relu' }),
      pool === 'max' ? rl.layers.globalMaxPooling1d() : rl.layers.globalAveragePooling1d(),
      rl.layers.dense({ units: 1, activation: 'sigmoid' }),
    ] });
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
    return m;
  };

  it('predict, predictOnBatch and apply refuse it with the message evaluate gives, naming the layer, steps and kernel', () => {
    for (const pool of ['max', 'avg'] as const) {
      const m = convModel(pool);
      const x = rl.ones([4, 3, 2]);
      const conv = m.layers[0].name;
      const want = `${conv} (Conv1D): 3 steps are too few for kernelSize 5 with 'valid' padding`;
      expect(() => m.evaluate(x, rl.ones([4, 1]))).toThrow(want);
      expect(() => m.predict(x)).toThrow(want);
      expect(() => m.predictOnBatch(x)).toThrow(want);
      expect(() => m.apply(x)).toThrow(want);
      expect(() => m.layers[0].apply(x)).toThrow(want);
      // Long enough for one window: predicts.
      expect(m.predict(rl.ones([4, 5, 2])).shape).toEqual([4, 1]);
    }
  });

  it('a dilated kernel counts its span', () => {
    const m = rl.sequential({ layers: [rl.layers.conv1d({ filters: 2, kernelSize: 3, dilationRate: 2, inputShape: [null, 2] })] });
    expect(() => m.predict(rl.ones([1, 4, 2]))).toThrow(/\(Conv1D\): 4 steps are too few for kernelSize 3 at dilationRate 2 with 'valid' padding/);
    expect(m.predict(rl.ones([1, 5, 2])).shape).toEqual([1, 1, 2]);
  });

  it('maxPooling1d and averagePooling1d refuse it naming the layer, the steps and the pool size', () => {
    for (const [make, cls] of [[rl.layers.maxPooling1d, 'MaxPooling1D'], [rl.layers.averagePooling1d, 'AveragePooling1D']] as const) {
      const m = rl.sequential({ layers: [make({ poolSize: 4, inputShape: [null, 2] })] });
      const want = `${m.layers[0].name} (${cls}): 3 steps are too few for poolSize 4`;
      expect(() => m.predict(rl.ones([1, 3, 2]))).toThrow(want);
      expect(() => m.predictOnBatch(rl.ones([1, 3, 2]))).toThrow(want);
      expect(() => m.layers[0].apply(rl.ones([1, 3, 2]))).toThrow(want);
      expect(m.predict(rl.ones([1, 4, 2])).shape).toEqual([1, 1, 2]);
    }
  });

  it("'same' and 'causal' take any length but 0 steps", () => {
    for (const padding of ['same', 'causal'] as const) {
      const m = rl.sequential({ layers: [rl.layers.conv1d({ filters: 2, kernelSize: 5, padding, inputShape: [null, 3] })] });
      expect(m.predict(rl.ones([1, 2, 3])).shape).toEqual([1, 2, 2]);
      expect(() => m.predict(rl.zeros([1, 0, 3]))).toThrow(/0 steps are too few for kernelSize 5/);
    }
  });

  it('globalMaxPooling1d refuses 0 steps by name (the max-pool kernel was handed a window of 0)', () => {
    const gmp = rl.layers.globalMaxPooling1d();
    expect(() => gmp.apply(rl.zeros([2, 0, 3]))).toThrow(/^global_max_pooling1d\w* \(GlobalMaxPooling1D\): a sequence of 0 steps has no maximum/);
  });
});

describe("globalMaxPooling1d's gradient at tied maxima", () => {
  const native = rl.backendInfo().addon;
  afterEach(() => { if (native) rl.setBackend('native'); });

  const dx = (x: rl.Tensor, keepdims = false) => {
    const gmp = rl.layers.globalMaxPooling1d({ keepdims });
    return rl.grad((xx: rl.Tensor) => rl.sum(gmp.apply(xx) as rl.Tensor))(x).arraySync();
  };

  for (const backend of ['native', 'reference'] as const) {
    it.skipIf(backend === 'native' && !native)(`is split evenly among the tied steps, as Keras's ops.max (${backend} kernels)`, () => {
      rl.setBackend(backend);
      // Channel 0: max 3 at steps 1 and 2; channel 1: max 5 at steps 0 and 1 (torch.amax: [[0,.5],[.5,.5],[.5,0]]).
      expect(dx(rl.tensor3d([[[1, 5], [3, 5], [3, 2]]]))).toEqual([[[0, 0.5], [0.5, 0.5], [0.5, 0]]]);
      // Three-way and no ties, one row each; keepdims takes the same path.
      const x = rl.tensor3d([[[2, 1], [2, 4], [2, 0]], [[-1, 7], [-1, 7], [-3, 7]]]);
      const third = 1 / 3;
      const want = [[[third, 0], [third, 1], [third, 0]], [[0.5, third], [0.5, third], [0, third]]];
      for (const keepdims of [false, true]) {
        const got = dx(x, keepdims) as number[][][];
        got.flat(2).forEach((v, i) => expect(v).toBeCloseTo(want.flat(2)[i], 6));
      }
      // Every step -Infinity is a tie too; the input is left as it was.
      expect(dx(rl.tensor3d([[[-Infinity], [-Infinity]]]))).toEqual([[[0.5], [0.5]]]);
      expect(x.arraySync()).toEqual([[[2, 1], [2, 4], [2, 0]], [[-1, 7], [-1, 7], [-3, 7]]]);
    });
  }

  it('weights the upstream gradient: a tied pair shares a row\'s gradient in a trained model', () => {
    // d/dx of sum(w * gmp(x)) = w / ties at the tied steps; fit's scratch buffers take the same path.
    const gmp = rl.layers.globalMaxPooling1d();
    const w = rl.tensor2d([[2, -6]]);
    const x = rl.tensor3d([[[1, 0], [1, 0], [0, 0]]]);
    const got = rl.grad((xx: rl.Tensor) => rl.sum(rl.mul(gmp.apply(xx) as rl.Tensor, w)))(x).arraySync();
    expect(got).toEqual([[[1, -2], [1, -2], [0, -2]]]);
  });

  it('docs/API.md says so in the GlobalMaxPooling1D row', () => {
    expect(apiRow('globalMaxPooling1d')).toMatch(/gradient is split evenly among them, as Keras's/);
  });
});

describe('globalAveragePooling1d over a row whose every step is masked', () => {
  it('gives 0 (Keras: NaN from 0/0), as docs/API.md says', () => {
    const inp = rl.input({ shape: [3], dtype: 'int32' });
    const e = rl.layers.embedding({ inputDim: 5, outputDim: 2, maskZero: true, embeddingsInitializer: 'ones' }).apply(inp) as rl.SymbolicTensor;
    const m = rl.model({ inputs: inp, outputs: rl.layers.globalAveragePooling1d().apply(e) as rl.SymbolicTensor });
    expect((m.predict(rl.tensor2d([[1, 2, 0], [0, 0, 0]], [2, 3], 'int32')) as rl.Tensor).arraySync()).toEqual([[1, 1], [0, 0]]);
    expect(apiRow('globalAveragePooling1d')).toMatch(/a row whose every step is masked gives 0, where Keras gives NaN/);
  });
});

describe("Keras 3's layers that rnnlab lacks", () => {
  it("Keras 3's other 1-D convolutions and ConvLSTM1D refuse by name, saying what to use", () => {
    for (const name of ['separableConv1d', 'depthwiseConv1d', 'conv1dTranspose', 'convLstm1d'] as const) {
      expect(() => rl.layers[name]({ filters: 2, kernelSize: 3 })).toThrow(new RegExp(`^layers\\.${name}: Keras 3 has this layer; rnnlab \\(as tfjs-layers\\) does not: \\w.*layers\\.conv1d`));
    }
  });

  // Every class keras.layers exports in Keras 3.15.1 (keras/api/layers/__init__.py), less the aliases of another
  // name (Convolution1D, SeparableConvolution1D, ...) and the bases (Layer, Wrapper, InputSpec).
  const KERAS_3_15_LAYERS = `Activation ActivityRegularization AdaptiveAveragePooling1D AdaptiveAveragePooling2D AdaptiveAveragePooling3D
    AdaptiveMaxPooling1D AdaptiveMaxPooling2D AdaptiveMaxPooling3D Add AdditiveAttention AlphaDropout Attention AugMix AutoContrast Average
    AveragePooling1D AveragePooling2D AveragePooling3D AvgPool1D AvgPool2D AvgPool3D BatchNormalization Bidirectional CategoryEncoding
    CenterCrop Concatenate ContrastLimitedAdaptiveHistogramEqualization Conv1D Conv1DTranspose Conv2D Conv2DTranspose Conv3D
    Conv3DTranspose ConvLSTM1D ConvLSTM2D ConvLSTM3D Cropping1D Cropping2D Cropping3D CutMix Dense DepthwiseConv1D DepthwiseConv2D
    Discretization Dot Dropout ELU EinsumDense Embedding Equalization Flatten FlaxLayer GRU GRUCell GaussianDropout GaussianNoise
    GlobalAveragePooling1D GlobalAveragePooling2D GlobalAveragePooling3D GlobalAvgPool1D GlobalAvgPool2D GlobalAvgPool3D GlobalMaxPool1D
    GlobalMaxPool2D GlobalMaxPool3D GlobalMaxPooling1D GlobalMaxPooling2D GlobalMaxPooling3D GroupNormalization GroupQueryAttention
    HashedCrossing Hashing Identity Input InputLayer IntegerLookup JaxLayer LSTM LSTMCell Lambda LayerNormalization LeakyReLU Masking
    MaxNumBoundingBoxes MaxPool1D MaxPool2D MaxPool3D MaxPooling1D MaxPooling2D MaxPooling3D Maximum MelSpectrogram Minimum MixUp
    MultiHeadAttention Multiply Normalization PReLU Permute Pipeline RMSNormalization RNN RandAugment RandomBrightness
    RandomColorDegeneration RandomColorJitter RandomContrast RandomCrop RandomElasticTransform RandomErasing RandomFlip RandomGaussianBlur
    RandomGrayscale RandomHue RandomInvert RandomPerspective RandomPosterization RandomRotation RandomSaturation RandomSharpness
    RandomShear RandomTranslation RandomZoom ReLU RepeatVector Rescaling Reshape Resizing ReversibleEmbedding STFTSpectrogram
    SeparableConv1D SeparableConv2D SimpleRNN SimpleRNNCell Softmax Solarization SpatialDropout1D SpatialDropout2D SpatialDropout3D
    SpectralNormalization StackedRNNCells StringLookup Subtract TFSMLayer TextVectorization TimeDistributed TorchModuleWrapper
    UnitNormalization UpSampling1D UpSampling2D UpSampling3D ZeroPadding1D ZeroPadding2D ZeroPadding3D`.split(/\s+/);

  /** The factory name tfjs's style gives a Keras class (tfjs's own spellings where tfjs has the layer). */
  const factoryName = (cls: string): string => ({
    GRU: 'gru', LSTM: 'lstm', GRUCell: 'gruCell', LSTMCell: 'lstmCell', SimpleRNN: 'simpleRNN', SimpleRNNCell: 'simpleRNNCell',
    ReLU: 'reLU', PReLU: 'prelu', ELU: 'elu', RNN: 'rnn', TFSMLayer: 'tfsmLayer', RMSNormalization: 'rmsNormalization',
    STFTSpectrogram: 'stftSpectrogram', Cropping2D: 'cropping2D', ConvLSTM1D: 'convLstm1d', ConvLSTM2D: 'convLstm2d', ConvLSTM3D: 'convLstm3d',
  } as Record<string, string>)[cls] ?? (cls[0].toLowerCase() + cls.slice(1)).replace(/([123])D/g, '$1d');

  it('each has a factory in rl.layers: the layer, or an error naming it (never "is not a function")', () => {
    const layers = rl.layers as unknown as Record<string, unknown>;
    const missing = KERAS_3_15_LAYERS.map(factoryName).filter((n) => typeof layers[n] !== 'function');
    expect(missing).toEqual([]);
    for (const cls of KERAS_3_15_LAYERS) {
      const name = factoryName(cls);
      let message = '';
      try { (layers[name] as (a: unknown) => unknown)({}); } catch (e) { message = (e as Error).message; }
      // A refusal names the factory and says why; a provided layer built, or refused its empty options by its own name.
      if (/Keras 3 has this layer|no 2D\/3D or image layers/.test(message)) expect(message).toMatch(new RegExp(`^layers\\.${name}: `));
      else expect(message).not.toMatch(/is not a function/);
    }
  });
});
