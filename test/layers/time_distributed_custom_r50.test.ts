/**
 * TimeDistributed over a user's layer, against @tensorflow/tfjs 4.22: the wrapped layer's weights are saved under the
 * wrapper's name ('td/k', tfjs builds it in the wrapper's name scope), so files pass both ways with equal predictions;
 * layers a wrapped custom layer holds are named and saved with it; eager calls free what the wrapped call made (tfjs
 * runs TimeDistributed.call in tidy) but not tensors made before it; activity terms of layers the wrapped call applies
 * with its kwargs reach the loss; a weight no layer of a loaded graph owns is an error naming it.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { tfjsReady } from './tfjs_twin.js';

beforeAll(() => tfjsReady());

type Lib = typeof rl | typeof tf;
type RlLayer = InstanceType<typeof rl.layers.Layer>;
type Shape = (number | null)[];
const specNames = (a: { weightSpecs?: unknown }) => (a.weightSpecs as { name: string }[]).map((w) => w.name);
const values = (t: unknown) => Array.from((t as { dataSync(): ArrayLike<number> }).dataSync());
const close = (a: number[], b: number[]) => {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 5));
};

/** x @ k (k [features, 1], made in build), times the call's scale: the same class for either library. */
function weightLayer(L: Lib) {
  const lib = L as unknown as { layers: { Layer: new (a: object) => object }; mul(a: unknown, b: unknown): unknown; matMul(a: unknown, b: unknown): unknown };
  return class TdWeightR50 extends (lib.layers.Layer as new (a: object) => object) {
    static className = 'TdWeightR50';
    k!: { read(): unknown };
    build(s: number[]) {
      this.k = (this as unknown as { addWeight(...a: unknown[]): { read(): unknown } }).addWeight('k', [s[s.length - 1], 1], 'float32', (L as typeof rl).initializers.glorotUniform({ seed: 7 }));
      (this as unknown as { built: boolean }).built = true;
    }
    call(x: unknown, kw: { scale?: number }) {
      const t = Array.isArray(x) ? x[0] : x;
      return lib.mul(lib.matMul(t, this.k.read()), kw.scale ?? 1);
    }
    computeOutputShape(s: number[]) { return [s[0], 1]; }
  };
}
const RlWeight = weightLayer(rl);
const TfWeight = weightLayer(tf);
rl.serialization.registerClass(RlWeight as never);
tf.serialization.registerClass(TfWeight as never);

/** A custom layer holding a Dense it applies in call (Keras 3's tracked sub-layer, named '<layer>/d'). */
class HeldR50 extends rl.layers.Layer {
  static override className = 'TdHeldR50';
  d = rl.layers.dense({ units: 1, useBias: false });
  override call(x: rl.Tensor | rl.Tensor[], kw: rl.Kwargs) {
    const t = Array.isArray(x) ? x[0] : x;
    return rl.mul(this.d.apply(t) as rl.Tensor, (kw.scale as number | undefined) ?? 1);
  }
  override computeOutputShape(s: Shape) { return [s[0], 1]; }
}
rl.serialization.registerClass(HeldR50);

const seq = (L: Lib) => (L as typeof rl).tensor([[[1, 2], [3, 4], [5, 6]], [[-1, 0.5], [2, -3], [0, 1]]]);

function tdModel(L: Lib, layer: unknown) {
  const l = L as typeof rl;
  const inp = l.input({ shape: [3, 2] });
  return l.model({ inputs: inp, outputs: l.layers.timeDistributed({ layer: layer as RlLayer, name: 'td' }).apply(inp) as rl.SymbolicTensor });
}

async function tfArtifacts(m: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let arts: tf.io.ModelArtifacts | undefined;
  await m.save(tf.io.withSaveHandler(async (a) => { arts = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  return arts!;
}

describe('TimeDistributed over a custom layer: weight names and files, with tfjs', () => {
  it('saves the wrapped layer\'s weight under the wrapper, as tfjs; rnnlab loads its own file', async () => {
    const m = tdModel(rl, new RlWeight({}));
    const arts = await rl.io.modelArtifactsOf(m);
    const theirs = await tfArtifacts(tdModel(tf, new TfWeight({})) as unknown as tf.LayersModel);
    expect(specNames(arts)).toEqual(['td/k']);
    expect(specNames(theirs)).toEqual(['td/k']);
    const back = rl.layersModelFromArtifacts(arts);
    expect(values(back.predict(seq(rl)))).toEqual(values(m.predict(seq(rl))));
  });

  it('tfjs -> rnnlab: a tfjs file of TimeDistributed(custom) loads with equal predictions', async () => {
    const tm = tdModel(tf, new TfWeight({})) as unknown as tf.LayersModel;
    const m = rl.layersModelFromArtifacts(await tfArtifacts(tm) as never);
    const want = values(tm.predict(seq(tf) as unknown as tf.Tensor));
    expect(want.some((v) => v !== 0)).toBe(true);
    close(values(m.predict(seq(rl))), want);
    // The loaded wrapper still hands its call arguments on.
    close(values(m.layers[1].apply(seq(rl), { scale: 2 })), want.map((v) => 2 * v));
  });

  it('rnnlab -> tfjs: an rnnlab file of TimeDistributed(custom) loads in tfjs with equal predictions', async () => {
    const m = tdModel(rl, new RlWeight({}));
    const tm = await tf.loadLayersModel(tf.io.fromMemory(await rl.io.modelArtifactsOf(m) as never));
    const want = values(m.predict(seq(rl)));
    expect(want.some((v) => v !== 0)).toBe(true);
    close(values(tm.predict(seq(tf) as unknown as tf.Tensor)), want);
  });

  it('a layer built before it was wrapped keeps its names, saved under the wrapper, and the file loads', async () => {
    const w = new RlWeight({}) as unknown as RlLayer;
    w.apply(rl.ones([2, 2]));
    const m = tdModel(rl, w);
    const arts = await rl.io.modelArtifactsOf(m);
    expect(specNames(arts)).toEqual([`td/${w.name}/k`]);
    const back = rl.layersModelFromArtifacts(arts);
    expect(values(back.predict(seq(rl)))).toEqual(values(m.predict(seq(rl))));
  });
});

describe('TimeDistributed over a custom layer holding layers', () => {
  it('the held Dense is named and built with it, and functional and sequential models save and load', async () => {
    const m = tdModel(rl, new HeldR50({}));
    expect(m.weights.map((w) => w.name)).toEqual(['td/d/kernel']);
    const back = rl.layersModelFromArtifacts(await rl.io.modelArtifactsOf(m));
    const want = values(m.predict(seq(rl)));
    expect(want.some((v) => v !== 0)).toBe(true);
    expect(values(back.predict(seq(rl)))).toEqual(want);
    close(values(back.layers[1].apply(seq(rl), { scale: 3 })), want.map((v) => 3 * v));

    const s = rl.sequential({ layers: [rl.layers.timeDistributed({ layer: new HeldR50({}), inputShape: [3, 2], name: 'tds' })] });
    const sArts = await rl.io.modelArtifactsOf(s);
    expect(specNames(sArts)).toEqual(['tds/d/kernel']);
    const sBack = rl.layersModelFromArtifacts(sArts);
    expect(values(sBack.predict(seq(rl)))).toEqual(values(s.predict(seq(rl))));
  });
});

describe('TimeDistributed over a custom layer: tensors of eager calls', () => {
  const growth = (f: () => void) => {
    f();
    const before = rl.memory().numTensors;
    for (let i = 0; i < 5; i++) f();
    return rl.memory().numTensors - before;
  };

  it('frees what the wrapped call made, as TimeDistributed(Dense) does', () => {
    const x = rl.ones([2, 3, 2]);
    const td = rl.layers.timeDistributed({ layer: new RlWeight({}) as unknown as RlLayer });
    expect(growth(() => (td.apply(x) as rl.Tensor).dispose())).toBe(0);
    expect(growth(() => (td.apply(x, { scale: 2 }) as rl.Tensor).dispose())).toBe(0);
    const held = rl.layers.timeDistributed({ layer: new HeldR50({}) });
    expect(growth(() => (held.apply(x) as rl.Tensor).dispose())).toBe(0);
    const dense = rl.layers.timeDistributed({ layer: rl.layers.dense({ units: 1 }) });
    expect(growth(() => (dense.apply(x) as rl.Tensor).dispose())).toBe(0);
  });

  it('leaves tensors made before the call: the input, and a tensor the layer holds and returns', () => {
    class Same extends rl.layers.Layer {
      static override className = 'TdSameR50';
      override call(x: rl.Tensor | rl.Tensor[]) { return Array.isArray(x) ? x[0] : x; }
    }
    const x = rl.tensor([[[1, 2], [3, 4], [5, 6]]]);
    const same = rl.layers.timeDistributed({ layer: new Same({}) });
    expect(values(same.apply(x))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(growth(() => (same.apply(x) as rl.Tensor).dispose())).toBe(0);
    expect(values(x)).toEqual([1, 2, 3, 4, 5, 6]);

    const c = rl.tensor([[7], [8], [9]]);
    class Held extends rl.layers.Layer {
      static override className = 'TdConstR50';
      override call() { return c; }
      override computeOutputShape(s: Shape) { return [s[0], 1]; }
    }
    const constant = rl.layers.timeDistributed({ layer: new Held({}) });
    expect(values(constant.apply(x))).toEqual([7, 8, 9]);
    expect(values(constant.apply(x))).toEqual([7, 8, 9]);
    expect(values(c)).toEqual([7, 8, 9]);
  });
});

describe('TimeDistributed over a custom layer: the call context', () => {
  it('activity terms of a layer the wrapped call applies with its kwargs reach evaluate\'s loss', () => {
    /** Applies a Dense (activity l2 0.5 when `reg`) with the kwargs it was given. */
    const inner = (reg: boolean) => {
      class Inner extends rl.layers.Layer {
        static override className = 'TdActInnerR50';
        d = rl.layers.dense({ units: 1, useBias: false, kernelInitializer: 'ones', ...(reg ? { activityRegularizer: rl.regularizers.l2({ l2: 0.5 }) } : {}) });
        override call(x: rl.Tensor | rl.Tensor[], kw: rl.Kwargs) { return this.d.apply(Array.isArray(x) ? x[0] : x, kw) as rl.Tensor; }
        override computeOutputShape(s: Shape) { return [s[0], 1]; }
      }
      return new Inner({});
    };
    /** Applies TimeDistributed(inner) with its own kwargs, inside a model. */
    const lossOf = (reg: boolean) => {
      class Outer extends rl.layers.Layer {
        static override className = 'TdActOuterR50';
        td = rl.layers.timeDistributed({ layer: inner(reg) });
        override call(x: rl.Tensor | rl.Tensor[], kw: rl.Kwargs) { return this.td.apply(Array.isArray(x) ? x[0] : x, kw) as rl.Tensor; }
        override computeOutputShape(s: Shape) { return [s[0], s[1], 1]; }
      }
      const inp = rl.input({ shape: [3, 2] });
      const m = rl.model({ inputs: inp, outputs: new Outer({}).apply(inp) as rl.SymbolicTensor });
      m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      return m.evaluate(seq(rl), rl.zeros([2, 3, 1])) as rl.Tensor;
    };
    // Dense outputs (x0 + x1 per step) over the (batch * steps) rows it sees: 0.5 * sum(y^2) / 6.
    const y = [3, 7, 11, -0.5, -1, 1];
    const activity = 0.5 * y.reduce((s, v) => s + v * v, 0) / 6;
    expect(values(lossOf(true))[0] - values(lossOf(false))[0]).toBeCloseTo(activity, 4);
  });
});

describe('TimeDistributed over a custom layer: tensors the model still reads', () => {
  it('a custom layer\'s output kept for its activity term outlives the wrapped call (evaluate, trainOnBatch)', () => {
    const lossOf = (reg: boolean) => {
      class Twice extends rl.layers.Layer {
        static override className = 'TdTwiceR50';
        override call(x: rl.Tensor | rl.Tensor[]) { return rl.mul(Array.isArray(x) ? x[0] : x, 2); }
      }
      class Inner extends rl.layers.Layer {
        static override className = 'TdTwiceInnerR50';
        a = new Twice(reg ? { activityRegularizer: rl.regularizers.l2({ l2: 0.5 }) } : {});
        override call(x: rl.Tensor | rl.Tensor[], kw: rl.Kwargs) { return this.a.apply(Array.isArray(x) ? x[0] : x, kw) as rl.Tensor; }
      }
      class Outer extends rl.layers.Layer {
        static override className = 'TdTwiceOuterR50';
        td = rl.layers.timeDistributed({ layer: new Inner({}) });
        override call(x: rl.Tensor | rl.Tensor[], kw: rl.Kwargs) { return this.td.apply(Array.isArray(x) ? x[0] : x, kw) as rl.Tensor; }
      }
      const inp = rl.input({ shape: [3, 2] });
      const m = rl.model({ inputs: inp, outputs: new Outer({}).apply(inp) as rl.SymbolicTensor });
      m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      const x = rl.ones([2, 3, 2]), y = rl.zeros([2, 3, 2]);
      return [values(m.evaluate(x, y))[0], m.trainOnBatch(x, y) as number];
    };
    // Outputs 2 everywhere: mse 4; activity 0.5 * (12 * 4) / 6 over the (batch * steps) rows the layer sees.
    expect(lossOf(false)).toEqual([4, 4]);
    expect(lossOf(true)).toEqual([8, 8]);
  });
});

describe('loading a graph whose weight is named after no layer of it', () => {
  it('loads by name: the custom layer holding the layer owns the weight (Keras 3 tracks it)', async () => {
    /** Holds a Dense it built itself in its constructor: the Dense keeps its own name, no layer of the graph's. */
    class Late extends rl.layers.Layer {
      static override className = 'TdLateR50';
      d = rl.layers.dense({ units: 1, name: 'late_dense' });
      constructor(a: ConstructorParameters<typeof rl.layers.Layer>[0]) { super(a); this.d.build([null, 2]); }
      override call(x: rl.Tensor | rl.Tensor[]) { return this.d.apply(Array.isArray(x) ? x[0] : x) as rl.Tensor; }
      override computeOutputShape(s: Shape) { return [s[0], 1]; }
    }
    rl.serialization.registerClass(Late);
    const inp = rl.input({ shape: [2] });
    const m = rl.model({ inputs: inp, outputs: new Late({}).apply(inp) as rl.SymbolicTensor });
    const arts = await rl.io.modelArtifactsOf(m);
    const loaded = rl.layersModelFromArtifacts(arts);
    expect(loaded.weights.map((w) => w.name)).toEqual(['late_dense/kernel', 'late_dense/bias']);
    const x = rl.tensor2d([[1, -2], [0.5, 3]]);
    expect(Array.from((loaded.predict(x) as rl.Tensor).dataSync())).toEqual(Array.from((m.predict(x) as rl.Tensor).dataSync()));
  });
});
