// Keras's zero_output_for_mask on SimpleRNN, LSTM, GRU, the generic RNN layer and inside Bidirectional: masked steps
// output zeros (Keras's step loop), the unmasked steps are what the layer computes without the option, gradients
// agree with central differences, and the option survives getConfig, saving and loading a converter file. Also: a stack of
// cells with goBackwards masks every cell in processing order (tfjs and Keras do; the cells after the first used to read
// the time-ordered mask).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { withTape } from '../../src/autograd/tape.js';
import { lossOp } from '../../src/autograd/loss_ops.js';
import { engineApply, type Layer } from '../../src/layers/layer.js';
import { Tensor } from '../../src/tensor.js';
import { toOnnx } from '../../src/onnx/index.js';
import { ortPredict, ortSession, tokenIds } from '../onnx/helpers.js';

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => { let d = 0; for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i])); return a.length === b.length ? d : Infinity; };
import { removeDir, tempDir } from '../io/helpers.js';

const B = 2, T = 5, D = 3, U = 4;
// Row 0: post-padded (last two steps masked); row 1: a hole in the middle and its first step masked.
const MASK = Uint8Array.from([1, 1, 1, 0, 0, 0, 1, 0, 1, 1]);
const X = Float32Array.from({ length: B * T * D }, (_, i) => Math.sin(i * 0.7) * 0.8);

type Factory = (o: Record<string, unknown>) => Layer;
const KINDS: [string, Factory][] = [
  ['SimpleRNN', (o) => rl.layers.simpleRNN({ units: U, ...o } as never) as unknown as Layer],
  ['LSTM', (o) => rl.layers.lstm({ units: U, ...o } as never) as unknown as Layer],
  ['GRU', (o) => rl.layers.gru({ units: U, ...o } as never) as unknown as Layer],
  ['RNN(LSTMCell)', (o) => rl.layers.rnn({ cell: rl.layers.lstmCell({ units: U }), ...o } as never) as unknown as Layer],
  ['RNN(stacked cells)', (o) => rl.layers.rnn({ cell: [rl.layers.gruCell({ units: 3 }), rl.layers.simpleRNNCell({ units: U })], ...o } as never) as unknown as Layer],
];

/** The same layer with and without the option, sharing weights, run on X under MASK. */
function pair(make: Factory, opts: Record<string, unknown>): { plain: number[]; zeroed: number[]; zeroLayer: Layer } {
  const a = make(opts);
  const b = make({ ...opts, zeroOutputForMask: true });
  a.build([null, T, D]);
  b.build([null, T, D]);
  b.setWeights(a.getWeights());
  const x = new Tensor(X, [B, T, D], 'float32');
  const run = (l: Layer) => [...engineApply(l, x, { training: false, mask: MASK }).values] as number[];
  return { plain: run(a), zeroed: run(b), zeroLayer: b };
}

/** Time step of processing position p (a goBackwards layer's sequence comes in processing order, as Keras's). */
const timeOf = (p: number, backwards: boolean) => (backwards ? T - 1 - p : p);

describe('zeroOutputForMask: masked steps output zeros, the rest is unchanged', () => {
  for (const [kind, make] of KINDS) {
    for (const goBackwards of [false, true]) {
      it(`${kind}, returnSequences, goBackwards ${goBackwards}`, () => {
        const { plain, zeroed } = pair(make, { returnSequences: true, goBackwards });
        let zeros = 0;
        for (let b = 0; b < B; b++) for (let p = 0; p < T; p++) for (let u = 0; u < U; u++) {
          const i = (b * T + p) * U + u;
          if (MASK[b * T + timeOf(p, goBackwards)]) expect(zeroed[i]).toBe(plain[i]);
          else { expect(zeroed[i]).toBe(0); if (plain[i] !== 0) zeros++; }
        }
        // Without the option the masked steps repeat an output: the option changed something.
        expect(zeros).toBeGreaterThan(0);
      });
    }
    it(`${kind}, last output only: zeros where the last processed step is masked (Keras's step loop)`, () => {
      for (const goBackwards of [false, true]) {
        const { plain, zeroed } = pair(make, { goBackwards });
        for (let b = 0; b < B; b++) {
          const lastMasked = !MASK[b * T + (goBackwards ? 0 : T - 1)];
          for (let u = 0; u < U; u++) expect(zeroed[b * U + u]).toBe(lastMasked ? 0 : plain[b * U + u]);
        }
      }
    });
  }

  it('without a mask the option changes nothing', () => {
    const a = rl.layers.lstm({ units: U, returnSequences: true });
    const b = rl.layers.lstm({ units: U, returnSequences: true, zeroOutputForMask: true } as never);
    a.build([null, T, D]); b.build([null, T, D]);
    b.setWeights(a.getWeights());
    const x = rl.tensor(X, [B, T, D]);
    expect([...(b.apply(x) as rl.Tensor).dataSync()]).toEqual([...(a.apply(x) as rl.Tensor).dataSync()]);
  });

  it('a Bidirectional layer passes it to both directions (each zeroes its own masked steps, lined up in time)', () => {
    const make = (zero: boolean) => rl.layers.bidirectional({ layer: rl.layers.gru({ units: U, returnSequences: true, ...(zero ? { zeroOutputForMask: true } : {}) } as never) });
    const a = make(false), b = make(true);
    a.build([null, T, D]); b.build([null, T, D]);
    b.setWeights(a.getWeights());
    expect((b.getConfig().layer as { config: Record<string, unknown> }).config.zeroOutputForMask).toBe(true);
    const x = new Tensor(X, [B, T, D], 'float32');
    const plain = [...engineApply(a, x, { training: false, mask: MASK }).values];
    const zeroed = [...engineApply(b, x, { training: false, mask: MASK }).values];
    for (let bt = 0; bt < B * T; bt++) for (let u = 0; u < 2 * U; u++) {
      const i = bt * 2 * U + u;
      expect(zeroed[i]).toBe(MASK[bt] ? plain[i] : 0);
    }
  });

  it('is refused when not a boolean, and on a cell (it is an option of the rnn layer)', () => {
    expect(() => rl.layers.lstm({ units: 2, zeroOutputForMask: 'yes' } as never)).toThrow(/zeroOutputForMask must be true or false/);
    expect(() => rl.layers.rnn({ cell: rl.layers.lstmCell({ units: 2 }), zeroOutputForMask: 1 } as never)).toThrow(/zeroOutputForMask must be true or false/);
    expect(() => rl.layers.lstmCell({ units: 2, zeroOutputForMask: true } as never)).toThrow(/zeroOutputForMask/);
  });
});

describe('zeroOutputForMask gradients match central differences (float64)', () => {
  afterAll(() => rl.setPrecision(32));
  for (const [kind, make] of KINDS) {
    for (const returnSequences of [true, false]) {
      it(`${kind}, returnSequences ${returnSequences}`, () => {
        rl.setPrecision(64);
        const layer = make({ returnSequences, goBackwards: kind === 'GRU', zeroOutputForMask: true });
        layer.build([null, T, D]);
        const x = new Tensor(Float64Array.from(X), [B, T, D], 'float32');
        const forward = () => engineApply(layer, x, { training: false, mask: MASK });
        const out0 = forward();
        const target = new Tensor(Float64Array.from({ length: out0.size }, (_, i) => Math.cos(i * 1.3)), out0.shape, 'float32');
        const loss = () => lossOp('meanSquaredError', forward(), target, false);
        x.requiresGrad = true;
        x.grad = null;
        for (const w of layer.weights) w.grad = null;
        const { value, backward } = withTape(loss);
        backward(value);
        for (const p of [...layer.weights, x] as Tensor[]) {
          const d = p.values as Float64Array;
          for (let k = 0; k < Math.min(p.size, 24); k++) {
            const i = Math.floor((k * (p.size - 1)) / Math.max(1, Math.min(p.size, 24) - 1));
            const old = d[i], h = 1e-6;
            d[i] = old + h; const lp = loss().values[0] as number;
            d[i] = old - h; const lm = loss().values[0] as number;
            d[i] = old;
            const numeric = (lp - lm) / (2 * h);
            expect(Math.abs((p.grad?.[i] ?? 0) - numeric)).toBeLessThan(1e-6 + 1e-5 * Math.abs(numeric));
          }
        }
      });
    }
  }
});

describe('zeroOutputForMask is saved and loaded', () => {
  const root = tempDir('rnnlab-zero-');
  afterAll(() => removeDir(root));

  it('getConfig writes it when true (Keras 2 writes it only then); a saved model loads with it and predicts the same', async () => {
    expect('zeroOutputForMask' in rl.layers.lstm({ units: 2 }).getConfig()).toBe(false);
    const m = rl.sequential();
    m.add(rl.layers.embedding({ inputDim: 10, outputDim: D, maskZero: true, inputShape: [T] }));
    m.add(rl.layers.lstm({ units: U, returnSequences: true, zeroOutputForMask: true } as never));
    const x = rl.tensor([1, 2, 0, 0, 0, 0, 3, 0, 4, 5], [B, T]);
    const before = [...(m.predict(x) as rl.Tensor).dataSync()];
    expect(before.slice(2 * U, 5 * U).every((v) => v === 0)).toBe(true);
    const dir = join(root, 'saved');
    await m.save(`file://${dir}`);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.modelTopology.config.layers[1].config.zero_output_for_mask).toBe(true);
    const back = await rl.loadLayersModel(`file://${dir}`);
    expect([...(back.predict(x) as rl.Tensor).dataSync()]).toEqual(before);
  });

  it('a Keras 3 Bidirectional GRU with return_sequences (zero_output_for_mask true, as Keras forces it) zeroes the padding', async () => {
    // keras3_bidirectional's file with return_sequences true and the Dense head removed; weights from its manifest.
    const fixture = join(import.meta.dirname, '..', 'fixtures', 'converter_files', 'keras3_bidirectional_sequences', 'model.json');
    const json = JSON.parse(readFileSync(fixture, 'utf8'));
    const write = (j: typeof json, name: string): string => {
      const dir = join(root, name);
      mkdirSync(dir, { recursive: true });
      const specs = j.weightsManifest[0].weights as { shape: number[] }[];
      const floats = specs.flatMap((s, k) => Array.from({ length: s.shape.reduce((a, b) => a * b, 1) }, (_, i) => 0.5 * Math.sin((k + 1) * 7.1 + i * 1.3)));
      writeFileSync(join(dir, j.weightsManifest[0].paths[0]), new Uint8Array(Float32Array.from(floats).buffer));
      writeFileSync(join(dir, 'model.json'), JSON.stringify(j));
      return dir;
    };
    const plainJson = JSON.parse(JSON.stringify(json));
    const bidi = plainJson.modelTopology.model_config.config.layers.find((l: { class_name: string }) => l.class_name === 'Bidirectional');
    bidi.config.layer.config.zero_output_for_mask = false;
    bidi.config.backward_layer.config.zero_output_for_mask = false;
    const ids = [3, 0, 0, 5, 19, 1, 2, 7, 0, 0, 0, 4, 4, 11, 12, 13];
    const x = rl.tensor(ids, [2, 8]);
    const zeroed = [...((await rl.loadLayersModel(`file://${write(json, 'keras3')}`)).predict(x) as rl.Tensor).dataSync()];
    const plain = [...((await rl.loadLayersModel(`file://${write(plainJson, 'plain')}`)).predict(x) as rl.Tensor).dataSync()];
    let changed = 0;
    ids.forEach((id, step) => {
      for (let u = 0; u < 6; u++) {
        const i = step * 6 + u;
        if (id !== 0) expect(zeroed[i]).toBe(plain[i]);
        else { expect(zeroed[i]).toBe(0); if (plain[i] !== 0) changed++; }
      }
    });
    expect(changed).toBeGreaterThan(0);
  });
});

describe('the rnn layer with stacked cells and goBackwards under a mask', () => {
  it('is the forward stack run on the reversed steps and reversed mask (Keras\'s loop skips a masked step for every cell)', () => {
    const make = (goBackwards: boolean) => rl.layers.rnn({ cell: [rl.layers.gruCell({ units: 3 }), rl.layers.lstmCell({ units: 2 })], returnSequences: true, returnState: true, goBackwards }) as unknown as Layer;
    const back = make(true), fwd = make(false);
    back.build([null, T, D]); fwd.build([null, T, D]);
    fwd.setWeights(back.getWeights());
    const xr = new Float32Array(X.length), mr = new Uint8Array(MASK.length);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) {
      mr[b * T + t] = MASK[b * T + T - 1 - t];
      xr.set(X.subarray((b * T + T - 1 - t) * D, (b * T + T - t) * D), (b * T + t) * D);
    }
    const run = (l: Layer, x: Float32Array, mask: Uint8Array) => {
      const ctx = { training: false, mask };
      const outs = (l as unknown as { callTensors(i: Tensor[], c: unknown): Tensor[] }).callTensors([new Tensor(x, [B, T, D], 'float32')], ctx);
      return { values: outs.map((o) => [...o.values]), mask: ctx.mask };
    };
    const got = run(back, X, MASK), want = run(fwd, xr, mr);
    // Output sequence (processing order) and every cell's final states.
    expect(got.values).toEqual(want.values);
    // The output's mask is the input's, in time order.
    expect(got.mask).toBe(MASK);
  });

  it('predicts what tfjs 4.22 predicts (its step loop masks the whole stack), with and without returnSequences', async () => {
    await tf.setBackend('cpu');
    const ids = [3, 4, 0, 0, 5, 0, 1, 2, 0, 6, 7, 8, 9, 0, 0];
    for (const returnSequences of [false, true]) {
      const m = rl.sequential();
      m.add(rl.layers.embedding({ inputDim: 10, outputDim: 3, maskZero: true, inputShape: [5] }));
      m.add(rl.layers.rnn({ cell: [rl.layers.lstmCell({ units: 4, recurrentActivation: 'sigmoid' }), rl.layers.simpleRNNCell({ units: 2 })], goBackwards: true, returnSequences }));
      const t = tf.sequential();
      t.add(tf.layers.embedding({ inputDim: 10, outputDim: 3, maskZero: true, inputShape: [5] }));
      t.add(tf.layers.rnn({ cell: [tf.layers.lstmCell({ units: 4, recurrentActivation: 'sigmoid' }), tf.layers.simpleRNNCell({ units: 2 })], goBackwards: true, returnSequences }));
      t.setWeights(m.getWeights().map((w) => tf.tensor(w.dataSync() as Float32Array, w.shape)));
      const ours = (m.predict(rl.tensor(ids, [3, 5])) as rl.Tensor).dataSync();
      const theirs = (t.predict(tf.tensor2d(ids, [3, 5])) as tf.Tensor).dataSync();
      let d = 0;
      for (let i = 0; i < ours.length; i++) d = Math.max(d, Math.abs(ours[i] - theirs[i]));
      expect(d).toBeLessThan(1e-6);
    }
  });
});

describe('ONNX export', () => {
  const cases: [string, () => Layer][] = [
    ['LSTM, returnSequences', () => rl.layers.lstm({ units: U, returnSequences: true, zeroOutputForMask: true } as never)],
    ['GRU, returnSequences, goBackwards', () => rl.layers.gru({ units: U, returnSequences: true, goBackwards: true, zeroOutputForMask: true } as never)],
    ['SimpleRNN, last output, goBackwards', () => rl.layers.simpleRNN({ units: U, goBackwards: true, zeroOutputForMask: true } as never)],
    ['LSTM, last output', () => rl.layers.lstm({ units: U, zeroOutputForMask: true } as never)],
    ['Bidirectional LSTM, returnSequences', () => rl.layers.bidirectional({ layer: rl.layers.lstm({ units: U, returnSequences: true, zeroOutputForMask: true } as never) })],
    ['rnn of stacked cells, goBackwards, returnSequences', () => rl.layers.rnn({ cell: [rl.layers.gruCell({ units: 3 }), rl.layers.lstmCell({ units: U })], goBackwards: true, returnSequences: true, zeroOutputForMask: true } as never)],
  ];
  it.each(cases)('%s behind a mask: ONNX Runtime gives what predict gives (zeros at masked steps)', async (_name, make) => {
    rl.setSeed(5);
    const m = rl.sequential({ layers: [rl.layers.embedding({ inputDim: 30, outputDim: 3, inputLength: 7, maskZero: true }), make() as never] });
    // Rows padded in front and the same rows padded at the end: each direction's last processed step is masked in some.
    const pre = tokenIds(6, 7, 30, 11, { pad: true, holes: true });
    const ids = rl.concat([pre, rl.reverse(pre, 1)], 0);
    const want = (m.predict(ids) as rl.Tensor).dataSync();
    expect([...want].some((v) => v === 0)).toBe(true);
    const got = await ortPredict(await ortSession(toOnnx(m)), ids);
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-5);
  });
});
