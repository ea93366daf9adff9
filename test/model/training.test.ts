import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { evaluated } from '../io/helpers.js';

/** Points in 4-D labelled by whether x0*x1 + x2 > 0: nonlinear, learnable by a small MLP. */
function toyData(n: number, seed: number): { x: rl.Tensor; y: rl.Tensor } {
  const r = new rl.Random(seed);
  const x = new Float32Array(n * 4), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 4; j++) x[i * 4 + j] = r.uniform(-1, 1);
    y[i] = x[i * 4] * x[i * 4 + 1] + 0.5 * x[i * 4 + 2] > 0 ? 1 : 0;
  }
  return { x: rl.tensor(x, [n, 4]), y: rl.tensor(y, [n, 1]) };
}

function mlp(): rl.Sequential {
  rl.setSeed(1);
  const m = rl.sequential({ layers: [
    rl.layers.dense({ units: 32, activation: 'relu', inputDim: 4 }),
    rl.layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
  m.compile({ optimizer: rl.train.adam(0.01), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return m;
}

const silent = { write: () => true };

describe('fit / evaluate / predict', () => {
  it('learns a nonlinear toy task to > 93% held-out accuracy and reports Keras-style history', async () => {
    const m = mlp();
    const train = toyData(2000, 1), test = toyData(500, 2);
    const h = await m.fit(train.x, train.y, { epochs: 30, batchSize: 64, verbose: 0, validationData: [test.x, test.y] });
    expect(Object.keys(h.history).sort()).toEqual(['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    expect(h.epoch).toHaveLength(30);
    expect(h.history.loss[29]).toBeLessThan(h.history.loss[0]);
    const [loss, acc] = evaluated(m.evaluate(test.x, test.y));
    expect(acc).toBeGreaterThan(0.93);
    expect(loss).toBeCloseTo(h.history.val_loss[29], 5);
    const p = m.predict(test.x);
    expect(p.shape).toEqual([500, 1]);
    for (const v of p.values) expect(v >= 0 && v <= 1).toBe(true);
    const cls = m.predictClasses(test.x);
    expect(cls.dtype).toBe('int32');
    let agree = 0;
    for (let i = 0; i < 500; i++) if (cls.values[i] === test.y.values[i]) agree++;
    expect(agree / 500).toBeCloseTo(acc, 5);
  });

  it('softmax + categorical and sparse categorical crossentropy train too', async () => {
    const { x, y } = toyData(1000, 3);
    for (const loss of ['categoricalCrossentropy', 'sparseCategoricalCrossentropy'] as const) {
      rl.setSeed(2);
      const m = rl.sequential({ layers: [rl.layers.dense({ units: 32, activation: 'tanh', inputDim: 4 }), rl.layers.dense({ units: 2, activation: 'softmax' })] });
      m.compile({ optimizer: rl.train.adam(0.01), loss, metrics: ['accuracy'] });
      const labels = loss === 'sparseCategoricalCrossentropy' ? y.reshape([1000])
        : rl.tensor(Float32Array.from({ length: 2000 }, (_, i) => (y.values[i >> 1] === (i & 1) ? 1 : 0)), [1000, 2]);
      const h = await m.fit(x, labels, { epochs: 25, batchSize: 50, verbose: 0 });
      expect(h.history.accuracy[24]).toBeGreaterThan(0.9);
    }
  });

  it('accepts plain nested arrays and validationSplit', async () => {
    const m = mlp();
    const { x, y } = toyData(100, 4);
    const xs = x.arraySync() as number[][];
    const ys = Array.from(y.values);
    const h = await m.fit(xs, ys, { epochs: 1, batchSize: 10, validationSplit: 0.2, verbose: 0 });
    expect(h.params.samples).toBe(80);
    expect(h.history.val_loss).toHaveLength(1);
  });

  it('prints Keras progress lines (verbose 1 off a TTY, and verbose 2)', async () => {
    for (const verbose of [1, 2] as const) {
      const m = mlp();
      const { x, y } = toyData(300, 5);
      let out = '';
      await m.fit(x, y, { epochs: 2, batchSize: 128, verbose, out: { write: (s: string) => { out += s; return true; } }, validationData: [x, y] });
      const lines = out.trim().split('\n');
      expect(lines[0]).toBe('Epoch 1/2');
      const pattern = verbose === 1
        ? /^3\/3 \[==============================\] - \d+s \d+(ms|us|s)\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}$/
        : /^3\/3 - \d+s - \d+(ms|us|s)\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}$/;
      expect(lines[1]).toMatch(pattern);
      expect(lines).toHaveLength(4);
    }
  });

  it('calls callbacks in order and lets them stop training', async () => {
    const m = mlp();
    const { x, y } = toyData(200, 6);
    const events: string[] = [];
    const h = await m.fit(x, y, { epochs: 5, batchSize: 100, verbose: 0, callbacks: {
      onTrainBegin: () => { events.push('train'); },
      onEpochBegin: (e) => { events.push(`e${e}`); },
      onBatchEnd: (b, logs) => { events.push(`b${b}`); expect(logs!.loss).toBeGreaterThan(0); },
      onEpochEnd: (e) => { events.push(`E${e}`); if (e === 1) m.stopTraining = true; },
    } });
    expect(events).toEqual(['train', 'e0', 'b0', 'b1', 'E0', 'e1', 'b0', 'b1', 'E1']);
    expect(h.epoch).toEqual([0, 1]);
  });

  it('keeps the event loop running during fit: callbacks queued in one batch run before the next', async () => {
    const m = mlp();
    const { x, y } = toyData(256, 7);
    const queued: number[] = [];
    const ran = new Set<number>();
    const late: number[] = [];
    await m.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0, callbacks: {
      onBatchBegin: (b) => {
        // The previous batch's callback must have run: a loop that never yields would starve it until fit ends.
        if (queued.length && !ran.has(queued[queued.length - 1])) late.push(b);
        const id = queued.length;
        queued.push(id);
        setImmediate(() => ran.add(id));
      },
    } });
    expect(queued.length).toBe(32);
    expect(late).toEqual([]);
  });

  it('same seed, same run', async () => {
    const run = async () => {
      const m = mlp();
      const { x, y } = toyData(300, 8);
      rl.setSeed(5);
      const h = await m.fit(x, y, { epochs: 2, batchSize: 32, verbose: 0 });
      return [h.history.loss, m.getWeights().map((w) => w.dataSync() as Float32Array)[0]];
    };
    const [a, b] = [await run(), await run()];
    expect(a[0]).toEqual(b[0]);
    expect(Array.from(a[1] as Float32Array)).toEqual(Array.from(b[1] as Float32Array));
  });
});

describe('bad input is a named error', () => {
  it('rejects bad batch sizes, epochs and validation settings', async () => {
    const m = mlp();
    const { x, y } = toyData(20, 9);
    await expect(m.fit(x, y, { batchSize: 0 })).rejects.toThrow(/batchSize must be a positive integer, got 0/);
    await expect(m.fit(x, y, { batchSize: -3 })).rejects.toThrow(/batchSize/);
    await expect(m.fit(x, y, { batchSize: 2.5 })).rejects.toThrow(/batchSize/);
    await expect(m.fit(x, y, { batchSize: 'a' as never })).rejects.toThrow(/batchSize/);
    await expect(m.fit(x, y, { epochs: -1 })).rejects.toThrow(/epochs must be a non-negative integer/);
    await expect(m.fit(x, y, { epochs: NaN })).rejects.toThrow(/epochs/);
    await expect(m.fit(x, y, { validationSplit: 1.5 })).rejects.toThrow(/validationSplit/);
  });

  it('rejects labels of the wrong shape or range and features with NaN', async () => {
    const m = mlp();
    const { x, y } = toyData(20, 10);
    await expect(m.fit(x, rl.tensor(new Float32Array(40), [20, 2]))).rejects.toThrow(/y has shape \[20, 2\].*output \[null, 1\]/);
    await expect(m.fit(x, rl.tensor(new Float32Array(19), [19, 1]))).rejects.toThrow(/x has 20 samples but y has 19/);
    await expect(m.fit(x, rl.tensor(new Float32Array(20).fill(2), [20, 1]))).rejects.toThrow(/binaryCrossentropy needs targets in \[0, 1\], found 2/);
    const bad = Float32Array.from(x.values); bad[5] = NaN;
    await expect(m.fit(rl.tensor(bad, [20, 4]), y)).rejects.toThrow(/not finite/);
    await expect(m.fit(rl.tensor(new Float32Array(60), [20, 3]), y)).rejects.toThrow(/x has shape \[20, 3\].*expects \[null, 4\]/);
    await expect(m.fit([[1, 2], [3]] as never, [1, 0])).rejects.toThrow(/ragged/);
  });

  it('rejects token ids outside [0, inputDim) naming the layer and position', async () => {
    const m = rl.sequential({ layers: [rl.layers.embedding({ inputDim: 10, outputDim: 2, inputLength: 3 }), rl.layers.flatten(), rl.layers.dense({ units: 1, activation: 'sigmoid' })] });
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    const y = rl.tensor([[1], [0]]);
    await expect(m.fit(rl.tensor(Int32Array.from([1, 2, 3, 4, 10, 5]), [2, 3], 'int32'), y, { verbose: 0 }))
      .rejects.toThrow(/embedding.*token id 10 at position \[1, 1\].*outside \[0, 10\)/);
    await expect(m.fit(rl.tensor(Int32Array.from([1, -2, 3, 4, 1, 5]), [2, 3], 'int32'), y, { verbose: 0 }))
      .rejects.toThrow(/token id -2 at position \[0, 1\]/);
    // float ids take the general check: a fraction is no id
    await expect(m.fit(rl.tensor(Float32Array.from([1, 2, 3, 4, 2.5, 5]), [2, 3]), y, { verbose: 0, shuffle: false }))
      .rejects.toThrow(/token id 2.5 at position \[1, 1\]/);
  });

  it('stops with a message naming epoch and batch when the loss becomes NaN', async () => {
    rl.setSeed(1);
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputDim: 4 })] });
    m.compile({ optimizer: rl.train.sgd(1e30), loss: 'meanSquaredError' });
    const { x } = toyData(64, 11);
    const y = rl.tensor(new Float32Array(64).fill(1e20), [64, 1]);
    await expect(m.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0 })).rejects.toThrow(/non-finite.*epoch \d+, batch \d+/);
  });

  it('requires compile before fit and evaluate', async () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputDim: 2 })] });
    await expect(m.fit([[1, 2]], [1])).rejects.toThrow(/compile\(\) before fit/);
    expect(() => m.evaluate([[1, 2]], [1])).toThrow(/compile\(\) before evaluate/);
    expect(() => m.compile({ optimizer: 'lion', loss: 'mse' })).toThrow(/unknown optimizer 'lion'/);
    expect(() => m.compile({ optimizer: 'adam', loss: 'tversky' })).toThrow(/unknown loss 'tversky'/);
  });
});

describe('free time axis', () => {
  it('fits a model whose input has a null time dimension, on sequences of any length', async () => {
    rl.setSeed(4);
    const m = rl.sequential({ layers: [
      rl.layers.simpleRNN({ units: 8, returnSequences: true, inputShape: [null as unknown as number, 3] }),
      rl.layers.timeDistributed({ layer: rl.layers.dense({ units: 2, activation: 'softmax' }) }),
    ] });
    m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    expect(m.outputShape).toEqual([null, null, 2]);
    for (const T of [4, 7]) {
      const x = rl.tensor(new Float32Array(5 * T * 3).fill(0.5), [5, T, 3]);
      const y = rl.tensor(Float32Array.from({ length: 5 * T * 2 }, (_, i) => i % 2), [5, T, 2]);
      const h = await m.fit(x, y, { epochs: 1, batchSize: 5, verbose: 0 });
      expect(h.history.loss[0]).toBeGreaterThan(0);
      expect(m.predict(x).shape).toEqual([5, T, 2]);
    }
  });
});
