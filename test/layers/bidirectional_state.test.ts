/**
 * Bidirectional around a recurrent layer made with returnState, and Bidirectional's initialState, against
 * @tensorflow/tfjs 4.22: outputs [merged output (or forward, backward with mergeMode null), ...forward states,
 * ...backward states]; initial states are the forward layer's then the backward layer's. Functional models with a
 * padding mask, one training step, and a save/load round trip through rnnlab and tfjs.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { folderArtifacts } from '../compat/functional_helpers.js';
import { removeDir, tempDir } from '../io/helpers.js';
import { maxDiff } from './helpers.js';
import { randomF32, tfjsReady, toTf } from './tfjs_twin.js';
import { seedMathRandomPerTest } from '../helpers/seeded_math_random.js';

// tfjs's initial weights (and shuffles) come from Math.random: seeded, the comparisons' bounds hold on every run.
seedMathRandomPerTest();

beforeAll(() => tfjsReady());
const root = tempDir('rnnlab-bidir-state-');
afterAll(() => removeDir(root));

type Kind = 'lstm' | 'gru' | 'simpleRNN';
type Mode = 'concat' | 'sum' | 'mul' | 'ave' | null;
const STATES: Record<Kind, number> = { lstm: 2, gru: 1, simpleRNN: 1 };
const B = 3, T = 4, D = 2, U = 3;

function innerArgs(kind: Kind, returnSequences: boolean): Record<string, unknown> {
  return { units: U, returnSequences, returnState: true, ...(kind === 'simpleRNN' ? {} : { recurrentActivation: 'sigmoid' }), ...(kind === 'gru' ? { resetAfter: false } : {}) };
}

/**
 * x with inner steps zero in some rows: the Masking layer in both models masks them. Not leading steps in either
 * direction: there, with initial states, tfjs outputs the initial h and rnnlab (as Keras) zeros.
 */
function maskedInput(seed: number): rl.Tensor {
  const x = randomF32([B, T, D], seed);
  const d = x.dataSync() as Float32Array;
  for (const [b, t] of [[0, 1], [0, 2], [2, 2]]) for (let k = 0; k < D; k++) d[(b * T + t) * D + k] = 0;
  return rl.tensor(Float32Array.from(d), [B, T, D]);
}

/** The same functional model in rnnlab and tfjs (tfjs's weights copied from rnnlab's). */
function twins(kind: Kind, mode: Mode, returnSequences: boolean, withInitial: boolean) {
  rl.setSeed(11);
  const args = innerArgs(kind, returnSequences);
  const nStates = withInitial ? 2 * STATES[kind] : 0;
  const ri = rl.input({ shape: [T, D] });
  const rStates = Array.from({ length: nStates }, () => rl.input({ shape: [U] }));
  const rBi = rl.layers.bidirectional({ layer: (rl.layers[kind] as (a: unknown) => rl.layerClasses.RNN)(args), mergeMode: mode });
  const rOut = rBi.apply(rl.layers.masking({ maskValue: 0 }).apply(ri) as rl.SymbolicTensor, nStates ? { initialState: rStates } : undefined) as rl.SymbolicTensor[];
  const m = rl.model({ inputs: [ri, ...rStates], outputs: rOut });
  // tfjs 4.22's model executor cannot run a Bidirectional node with initial states (it passes them twice), so its
  // twin model has none; tests with initial states call tBi on real tensors instead.
  const ti = tf.input({ shape: [T, D] });
  const tBi = tf.layers.bidirectional({ layer: (tf.layers[kind] as (a: unknown) => tf.RNN)(args), mergeMode: mode as never });
  const tOut = tBi.apply(tf.layers.masking({ maskValue: 0 }).apply(ti)) as tf.SymbolicTensor[];
  const tm = tf.model({ inputs: ti, outputs: tOut });
  tBi.setWeights(rBi.getWeights().map(toTf));
  const feeds = [maskedInput(5), ...rStates.map((_, i) => randomF32([B, U], 30 + i))];
  return { m, tm, tBi, rOut, tOut, feeds };
}

const modes: Mode[] = ['concat', 'sum', 'mul', 'ave', null];

describe('Bidirectional of a returnState layer matches tfjs', () => {
  for (const kind of ['lstm', 'gru', 'simpleRNN'] as const) {
    for (const seq of [false, true]) {
      for (const mode of modes) {
        it(`${kind}, returnSequences ${seq}, mergeMode ${mode}: output shapes and values, masked`, () => {
          const { m, tm, rOut, tOut, feeds } = twins(kind, mode, seq, false);
          const outputs = (mode === null ? 2 : 1) + 2 * STATES[kind];
          expect(rOut.length).toBe(outputs);
          expect(rOut.map((t) => t.shape)).toEqual(tOut.map((t) => t.shape));
          const ours = m.predict(feeds[0]) as rl.Tensor[];
          const theirs = tm.predict(toTf(feeds[0])) as tf.Tensor[];
          expect(ours.length).toBe(outputs);
          ours.forEach((o, i) => {
            expect(o.shape).toEqual(theirs[i].shape);
            expect(maxDiff(o.dataSync(), theirs[i].dataSync())).toBeLessThan(2e-6);
          });
        });
      }
    }
  }

  it('the states are the two directions\' final states (the backward one\'s is its last processed step)', () => {
    rl.setSeed(3);
    const x = randomF32([B, T, D], 9);
    const bi = rl.layers.bidirectional({ layer: rl.layers.lstm({ units: U, returnState: true, returnSequences: true }), mergeMode: null });
    const [f, b, fh, fc, bh, bc] = bi.apply(x) as rl.Tensor[];
    expect([fc.shape, bc.shape]).toEqual([[B, U], [B, U]]);
    for (let r = 0; r < B; r++) {
      for (let u = 0; u < U; u++) {
        expect(fh.dataSync()[r * U + u]).toBe(f.dataSync()[(r * T + T - 1) * U + u]);
        expect(bh.dataSync()[r * U + u]).toBe(b.dataSync()[(r * T) * U + u]);
      }
    }
  });
});

describe('Bidirectional initialState matches tfjs', () => {
  for (const kind of ['lstm', 'gru'] as const) {
    for (const mode of ['concat', null] as const) {
      it(`${kind}, mergeMode ${mode}: forward states then backward states, masked`, () => {
        const { m, tBi, feeds } = twins(kind, mode, true, true);
        const ours = m.predict(feeds) as rl.Tensor[];
        const x = toTf(feeds[0]);
        const mask = tf.any(tf.notEqual(x, 0), -1);
        const theirs = tBi.apply(x, { initialState: feeds.slice(1).map(toTf), mask } as never) as tf.Tensor[];
        expect(ours.length).toBe((mode === null ? 2 : 1) + 2 * STATES[kind]);
        expect(theirs.length).toBe(ours.length);
        ours.forEach((o, i) => expect(maxDiff(o.dataSync(), theirs[i].dataSync())).toBeLessThan(2e-6));
        // The given states matter: zeros give another output.
        const zeros = m.predict([feeds[0], ...feeds.slice(1).map((s) => rl.zeros(s.shape))]) as rl.Tensor[];
        expect(maxDiff(zeros[0].dataSync(), ours[0].dataSync())).toBeGreaterThan(1e-3);
      });
    }
  }

  it('real tensors: apply(x, {initialState}) as tfjs, and a wrong count names the layer', () => {
    rl.setSeed(4);
    const x = randomF32([B, T, D], 2);
    const states = [0, 1, 2, 3].map((i) => randomF32([B, U], 40 + i));
    const ours = rl.layers.bidirectional({ layer: rl.layers.lstm({ units: U, recurrentActivation: 'sigmoid' }), name: 'bi_init' });
    const theirs = tf.layers.bidirectional({ layer: tf.layers.lstm({ units: U, recurrentActivation: 'sigmoid' }) as tf.RNN });
    const got = ours.apply(x, { initialState: states }) as rl.Tensor;
    theirs.apply(toTf(x));
    theirs.setWeights(ours.getWeights().map(toTf));
    const want = theirs.apply(toTf(x), { initialState: states.map(toTf) }) as tf.Tensor;
    expect(maxDiff(got.dataSync(), want.dataSync())).toBeLessThan(2e-6);
    expect(() => ours.apply(x, { initialState: states.slice(0, 2) })).toThrow(/bi_init \(Bidirectional\): expected 4 initial state tensors \(the forward LSTM's 2 then the backward one's\), got 2/);
    expect(() => ours.apply(x, { initialState: [states[0], states[1], states[2], randomF32([B, U + 1], 1)] })).toThrow(/initial state 1 must have shape \[3, 3\], got \[3, 4\]/);
  });
});

describe('Bidirectional returnState trains, saves and loads', () => {
  it('one SGD step on every output matches tfjs (loss and weights)', async () => {
    const { m, tm, feeds: [x] } = twins('lstm', 'concat', false, false);
    const feeds = [x];
    const targets = (m.outputs as rl.SymbolicTensor[]).map((t, i) => randomF32([B, ...(t.shape.slice(1) as number[])], 60 + i));
    m.compile({ optimizer: rl.train.sgd(0.5), loss: 'meanSquaredError' });
    tm.compile({ optimizer: tf.train.sgd(0.5), loss: 'meanSquaredError' });
    const ours = m.trainOnBatch(feeds, targets) as number[];
    const theirs = await tm.trainOnBatch(feeds.map(toTf), targets.map(toTf)) as number[];
    expect(Math.abs(ours[0] - theirs[0])).toBeLessThan(1e-5);
    const tw = tm.getWeights();
    m.getWeights().forEach((w, i) => expect(maxDiff(w.dataSync(), tw[i].dataSync())).toBeLessThan(1e-5));
  });

  it('with initial states: saves and loads in rnnlab with the same outputs', async () => {
    const { m, feeds } = twins('lstm', null, false, true);
    const dir = join(root, 'lstm_initial');
    await m.save(`file://${dir}`);
    const back = await rl.loadLayersModel(`file://${dir}`) as rl.LayersModel;
    const want = m.predict(feeds) as rl.Tensor[];
    const got = back.predict(feeds) as rl.Tensor[];
    expect(got.length).toBe(6);
    want.forEach((w, i) => expect(Array.from(got[i].dataSync())).toEqual(Array.from(w.dataSync())));
  });

  it('saves and loads in rnnlab and tfjs with the same outputs; Sequential refuses it by name', async () => {
    const { m, feeds } = twins('gru', 'ave', true, false);
    const dir = join(root, 'gru_state');
    await m.save(`file://${dir}`);
    const back = await rl.loadLayersModel(`file://${dir}`) as rl.LayersModel;
    const theirs = await tf.loadLayersModel(tf.io.fromMemory(folderArtifacts(dir) as tf.io.ModelArtifacts));
    const want = m.predict(feeds) as rl.Tensor[];
    const got = back.predict(feeds) as rl.Tensor[];
    const tfGot = theirs.predict(feeds.map(toTf)) as tf.Tensor[];
    want.forEach((w, i) => {
      expect(Array.from(got[i].dataSync())).toEqual(Array.from(w.dataSync()));
      expect(maxDiff(tfGot[i].dataSync(), w.dataSync())).toBeLessThan(2e-6);
    });
    expect(() => rl.sequential({ layers: [rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 2, returnState: true }), inputShape: [4, 3] })] }))
      .toThrow(/returnState is not supported in a Sequential model/);
  });
});
