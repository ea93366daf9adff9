/**
 * tfjs's layer.call(inputs, kwargs) is public API, and tfjs-examples' custom layers call their inner layers' call()
 * directly. It computes what apply() computes (checked here against apply, value for value), and an unbuilt layer
 * builds from its inputs' shapes as apply builds it (tfjs fails with a TypeError). Inside a custom
 * layer trained by fit, gradients flow through call() as through apply(): the same model written both ways trains to
 * the same weights.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
type Layer = InstanceType<typeof rl.layers.Layer>;

const maxAbsDiff = (a: number[], b: number[]) => (a.length === b.length ? Math.max(...a.map((v, i) => Math.abs(v - b[i]))) : Infinity);
const values = (t: rl.Tensor | rl.Tensor[]) => (Array.isArray(t) ? t.map((u) => Array.from(u.dataSync())) : Array.from(t.dataSync()));

function seq(): rl.Tensor {
  rl.setSeed(3);
  return rl.randomNormal([2, 5, 3]);
}

const kinds: Record<string, [() => Layer, () => rl.Tensor]> = {
  dense: [() => rl.layers.dense({ units: 4 }), () => rl.tensor2d([[1, 2, 3], [-1, 0.5, 2]])],
  conv1d: [() => rl.layers.conv1d({ filters: 4, kernelSize: 2 }), seq],
  lstm: [() => rl.layers.lstm({ units: 4 }), seq],
  'lstm returnSequences': [() => rl.layers.lstm({ units: 4, returnSequences: true }), seq],
  embedding: [() => rl.layers.embedding({ inputDim: 10, outputDim: 4 }), () => rl.tensor2d([[1, 2, 3], [4, 5, 6]], [2, 3], 'int32')],
  batchNormalization: [() => rl.layers.batchNormalization(), () => rl.tensor2d([[1, 2, 3], [-1, 0.5, 2]])],
  bidirectional: [() => rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 4 }) }), seq],
};

describe('a built-in layer\'s call() on tensors', () => {
  for (const [kind, [make, input]] of Object.entries(kinds)) {
    it(`${kind}: once built, call(x, kwargs) and call(x) give apply's values`, () => {
      const layer = make();
      const x = input();
      const applied = layer.apply(x) as rl.Tensor;
      expect(values(layer.call(x, {}))).toEqual(values(applied));
      expect(values((layer as Any).call(x))).toEqual(values(applied));
      expect(values(layer.call(x, { training: false, mask: null }))).toEqual(values(applied));
    });

    it(`${kind}: unbuilt, call() builds it from the input's shape as apply does`, () => {
      const x = input();
      rl.setSeed(21);
      const applied = make().apply(x) as rl.Tensor;
      rl.setSeed(21);
      const layer = make();
      expect(values(layer.call(x, { training: false, mask: null }))).toEqual(values(applied));
      expect(layer.built).toBe(true);
    });
  }

  it('dropout, which makes no weights, runs unbuilt as in tfjs, and drops only when training', () => {
    const x = rl.ones([4, 50]);
    const d: Layer = rl.layers.dropout({ rate: 0.5 });
    expect(values(d.call(x, {}))).toEqual(values(x));
    rl.setSeed(11);
    const viaApply = values(d.apply(x, { training: true }) as rl.Tensor) as number[];
    rl.setSeed(11);
    const viaCall = values(d.call(x, { training: true })) as number[];
    expect(viaCall).toEqual(viaApply);
    expect(new Set(viaCall)).toEqual(new Set([0, 2]));
  });

  it('batchNormalization honours training: call(x, {training: true}) moves the moving statistics as apply does', () => {
    const x = rl.tensor2d([[1, 2], [3, 6]]);
    const a: Layer = rl.layers.batchNormalization({ momentum: 0.5 });
    const b: Layer = rl.layers.batchNormalization({ momentum: 0.5 });
    a.apply(x);
    b.apply(x);
    b.call(x, {});
    expect(values(b.getWeights()[2])).toEqual([0, 0]);
    const viaCall = b.call(x, { training: true });
    const viaApply = a.apply(x, { training: true }) as rl.Tensor;
    expect(values(viaCall)).toEqual(values(viaApply));
    // moving = 0.5 * moving + 0.5 * batch mean [2, 4]; variance 0.5 * 1 + 0.5 * [1, 4].
    expect(values(b.getWeights()[2])).toEqual([1, 2]);
    expect(values(b.getWeights()[3])).toEqual([1, 2.5]);
  });

  it('recurrent layers take initialState in kwargs, or [x, ...states], as apply does', () => {
    const lstm = rl.layers.lstm({ units: 2 });
    const x = seq();
    const h = rl.tensor2d([[0.5, -0.5], [1, 0]]), c = rl.tensor2d([[0.2, 0.1], [0, -1]]);
    const applied = values(lstm.apply(x, { initialState: [h, c] }) as rl.Tensor);
    expect(values(lstm.call(x, { initialState: [h, c] } as Any))).toEqual(applied);
    expect(values((lstm as Any).call([x, h, c], {}))).toEqual(applied);
  });

  it('kwargs shaped like the engine\'s context ({training: false, mask: null}) are still a user\'s: states, lists and checks hold', () => {
    const lstm = rl.layers.lstm({ units: 2 });
    const x = seq();
    const h = rl.tensor2d([[0.5, -0.5], [1, 0]]), c = rl.tensor2d([[0.2, 0.1], [0, -1]]);
    const applied = values(lstm.apply(x, { initialState: [h, c] }) as rl.Tensor);
    expect(values(lstm.call(x, { training: false, mask: null, initialState: [h, c] } as Any))).toEqual(applied);
    expect(() => lstm.call(x, { training: false, mask: null, foo: 1 } as Any)).toThrow(/lstm\w* \(LSTM\): call does not take 'foo' in kwargs/);
    const a = rl.tensor2d([[1, 2]]), b = rl.tensor2d([[3, 5]]);
    expect(values((rl.layers.add() as Any).call([a, b], { training: false, mask: null }))).toEqual([4, 7]);
    const q = rl.ones([1, 2, 3]), v = rl.tensor3d([[[1, 0, 0], [0, 2, 0]]]);
    const attention = rl.layers.attention();
    expect(values((attention as Any).call([q, v], { training: false, mask: null }))).toEqual(values(attention.apply([q, v]) as rl.Tensor));
    // The kwargs are left as given: embedding(maskZero) does not write its mask into them.
    const embedding = rl.layers.embedding({ inputDim: 5, outputDim: 2, maskZero: true });
    const kwargs = { training: false, mask: null };
    embedding.call(rl.tensor2d([[1, 0]], [1, 2], 'int32'), kwargs);
    expect(kwargs).toEqual({ training: false, mask: null });
  });

  it('an unbuilt lstmCell steps on call([x, h, c]) as apply does', () => {
    const x = rl.tensor2d([[1, -2, 0.5]]), h = rl.tensor2d([[0.1, 0.2, -0.3, 0.4]]), c = rl.tensor2d([[0, 1, -1, 0.5]]);
    rl.setSeed(8);
    const applied = values(rl.layers.lstmCell({ units: 4 }).apply([x, h, c]) as rl.Tensor[]);
    rl.setSeed(8);
    expect(values((rl.layers.lstmCell({ units: 4 }) as Any).call([x, h, c]))).toEqual(applied);
  });

  it('refuses what it would ignore: a key apply does not take, kwargs that are not an object, a symbolic input', () => {
    const dense = rl.layers.dense({ units: 2 });
    const x = rl.ones([1, 3]);
    dense.apply(x);
    expect(() => dense.call(x, { trainingg: true } as Any)).toThrow(/dense\w* \(Dense\): call does not take 'trainingg' in kwargs \(it takes initialState, training and mask\)/);
    expect(() => (dense as Any).call(x, true)).toThrow(/call\(inputs, kwargs\) takes kwargs as an object such as \{training: true\}, got boolean true/);
    expect(() => (dense as Any).call(rl.input({ shape: [3] }), {})).toThrow(/call\(\) computes on tensors; on rl\.input\(\) use apply\(\)/);
  });
});

/**
 * embedding(maskZero) -> a custom layer holding an LSTM (returnSequences), BatchNormalization, Dropout and a Dense,
 * each reached through call() or through apply(), handed the layer's kwargs (training, and the mask as a bool Tensor).
 */
function holderClass(useCall: boolean, kwargsSeen: unknown[]) {
  return class Stack extends rl.layers.Layer {
    static className = 'Stack';
    lstm = rl.layers.lstm({ units: 3, returnSequences: true });
    bn = rl.layers.batchNormalization({ momentum: 0.5 });
    drop = rl.layers.dropout({ rate: 0.3 });
    dense = rl.layers.dense({ units: 2 });
    build(s: Any) {
      // tfjs's custom layers build what they call(); call() and apply() would build them too.
      if (useCall) {
        this.lstm.build(s);
        this.bn.build([null, s[1], 3]);
        this.dense.build([null, s[1], 3]);
      }
    }
    computeOutputShape(s: Any) { return [s[0], s[1], 2]; }
    call(x: Any, kwargs: Any) {
      const step = (l: Layer, v: rl.Tensor) => (useCall ? l.call(v, kwargs) : l.apply(v, kwargs)) as rl.Tensor;
      const y = step(this.dense, step(this.drop, step(this.bn, step(this.lstm, x))));
      kwargsSeen.push(kwargs.mask);
      return y;
    }
  };
}

async function trainStack(useCall: boolean) {
  const kwargsSeen: unknown[] = [];
  rl.setSeed(5);
  const Stack = holderClass(useCall, kwargsSeen);
  const model = rl.sequential({ layers: [rl.layers.embedding({ inputDim: 10, outputDim: 4, inputShape: [5], maskZero: true }), new Stack({})] });
  model.compile({ optimizer: rl.train.sgd(0.5), loss: 'meanSquaredError' });
  const x = rl.tensor2d([[1, 2, 3, 0, 0], [4, 5, 6, 7, 8], [9, 1, 0, 0, 0]]);
  const y = rl.randomNormal([3, 5, 2]);
  const before = model.getWeights().map((w) => Array.from(w.dataSync()));
  const history = await model.fit(x, y, { epochs: 3, batchSize: 3, shuffle: false, verbose: 0 });
  return { before, loss: history.history.loss as number[], weights: model.getWeights().map((w) => Array.from(w.dataSync())), kwargsSeen, predicted: values(model.predict(x) as rl.Tensor) };
}

describe('a custom layer computing through its layers\' call()', () => {
  it('passes {...kwargs, initialState} on to an LSTM (tfjs\'s decoder pattern): the states take effect', () => {
    class Decoder extends rl.layers.Layer {
      static className = 'DecoderR45';
      lstm = rl.layers.lstm({ units: 2 });
      computeOutputShape(s: Any) { return [s[0], 2]; }
      call(x: Any, kwargs: Any) {
        const h = rl.fill([x.shape[0], 2], 0.5), c = rl.fill([x.shape[0], 2], -0.5);
        return this.lstm.call(x, { ...kwargs, initialState: [h, c] });
      }
    }
    const decoder = new Decoder({});
    const x = seq();
    const out = values(decoder.apply(x) as rl.Tensor);
    const expected = values(decoder.lstm.apply(x, { initialState: [rl.fill([2, 2], 0.5), rl.fill([2, 2], -0.5)] }) as rl.Tensor);
    expect(out).toEqual(expected);
    expect(out).not.toEqual(values(decoder.lstm.apply(x) as rl.Tensor));
  });

  it('a user cell stepping an unbuilt lstmCell through call() builds it under rnn and steps as the cell does', () => {
    class Wrap extends rl.layers.Layer {
      static className = 'WrapCellR45';
      inner = rl.layers.lstmCell({ units: 4 });
      stateSize = [4, 4];
      call(inputs: Any, kwargs: Any) { return this.inner.call(inputs, kwargs); }
    }
    const wrap = new Wrap({});
    const model = rl.sequential({ layers: [rl.layers.rnn({ cell: wrap as Any, inputShape: [5, 3] })] });
    const x = seq();
    const predicted = values(model.predict(x) as rl.Tensor);
    let h = rl.zeros([2, 4]), c = rl.zeros([2, 4]);
    for (let t = 0; t < 5; t++) [, h, c] = (wrap.inner as Any).call([rl.squeeze(rl.slice(x, [0, t, 0], [2, 1, 3]), [1]), h, c]);
    expect(maxAbsDiff(predicted as number[], values(h) as number[])).toBeLessThan(1e-6);
  });

  it('trains in fit as the same layer written with apply(): same losses, weights (moving statistics too) and predictions', async () => {
    const viaApply = await trainStack(false);
    const viaCall = await trainStack(true);
    expect(viaCall.loss).toEqual(viaApply.loss);
    expect(viaCall.weights).toEqual(viaApply.weights);
    expect(viaCall.predicted).toEqual(viaApply.predicted);
    // Every weight moved (the moving statistics too): gradients reached each inner layer through call().
    viaCall.weights.forEach((w, i) => expect(w).not.toEqual(viaCall.before[i]));
    // The layer's kwargs keep the mask as a bool Tensor after the inner calls (call() reads them, never writes them).
    const masks = viaCall.kwargsSeen.filter((m) => m !== null && m !== undefined);
    expect(masks.length).toBeGreaterThan(0);
    for (const m of masks) expect((m as rl.Tensor).dtype).toBe('bool');
  });
});
