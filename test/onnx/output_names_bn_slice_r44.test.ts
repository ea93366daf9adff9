// Three ONNX edges: a functional model whose derived output name (a layer's state, '<layer>_1') is another layer's
// own name exports under a name of its own, which is no layer's name; rnnlab's one-feature BatchNormalization comes
// back as BatchNormalization (another tool's [1]-shaped x * s + t as Rescaling); Slice written with attributes
// (opset 9) is read as its inputs form is: PyTorch's out[:, -1] as Slice + Squeeze is the last step, and what it
// cannot mean is refused naming what (the opset, the axes, the steps).
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import * as rl from '../../src/index.js';
import { modelFromOnnx, toOnnx } from '../../src/onnx/index.js';
import { GraphBuilder } from '../../src/onnx/graph.js';
import { onnxSchema } from '../../src/onnx/proto.js';
import type { SymbolicTensor } from '../../src/layers/symbolic.js';
import { Random } from '../../src/random.js';
import { bytesOf, maxAbsDiff, ortPredict, ortSession, randomize } from './helpers.js';

const L = rl.layers;
const one = (v: SymbolicTensor | SymbolicTensor[]): SymbolicTensor => v as SymbolicTensor;

function values(n: number, seed: number, scale = 1.2): Float32Array {
  const r = new Random(seed);
  return Float32Array.from({ length: n }, () => (r.next() - 0.5) * scale);
}

/** Every output of m on xs from ONNX Runtime, by the session's output names, against predict (<= 1e-5). */
async function expectOutputsSameAsOrt(m: rl.Functional, xs: rl.Tensor[], names: string[]): Promise<void> {
  const session = await ortSession(toOnnx(m));
  expect(session.outputNames).toEqual(names);
  const feeds = Object.fromEntries(xs.map((x, i) => [session.inputNames[i], new ort.Tensor('float32', Float32Array.from(x.values), x.shape)]));
  const theirs = await session.run(feeds);
  const ours = m.predict(xs) as rl.Tensor[];
  names.forEach((name, i) => expect(maxAbsDiff(theirs[name].data as Float32Array, ours[i].values), name).toBeLessThanOrEqual(1e-5));
}

describe('functional output names that would collide are made unique by the exporter', () => {
  /** Keras's default names: an encoder GRU 'gru' returning its state into a decoder GRU 'gru_1'. */
  function encoderDecoder(stateFirst: boolean): rl.Functional {
    const src = rl.input({ shape: [5, 3], name: 'src' }), dec = rl.input({ shape: [4, 2], name: 'dec' });
    const [, h] = L.gru({ units: 4, returnSequences: true, returnState: true, name: 'gru' }).apply(src) as SymbolicTensor[];
    const y = one(L.gru({ units: 4, name: 'gru_1' }).apply(dec, { initialState: [h] }));
    const m = rl.model({ inputs: [src, dec], outputs: stateFirst ? [h, y] : [y, h] });
    randomize(m, 3);
    return m;
  }
  const xs = () => [rl.tensor(values(2 * 5 * 3, 1), [2, 5, 3]), rl.tensor(values(2 * 4 * 2, 2), [2, 4, 2])];

  it("layer 'gru_1' keeps its name; 'gru''s state, which would be 'gru_1' too, is 'gru_output1' (either order)", async () => {
    await expectOutputsSameAsOrt(encoderDecoder(false), xs(), ['gru_1', 'gru_output1']);
    await expectOutputsSameAsOrt(encoderDecoder(true), xs(), ['gru_output1', 'gru_1']);
  });

  it('an LSTM state named like a layer, and a passed-through input named like a layer, export and run', async () => {
    const x = rl.input({ shape: [3, 2], name: 'x' });
    const [, h, c] = L.lstm({ units: 2, returnState: true, name: 'enc' }).apply(x) as SymbolicTensor[];
    const d = one(L.dense({ units: 2, name: 'enc_1' }).apply(h));
    const e = one(L.dense({ units: 2, name: 'x_output' }).apply(c));
    const m = rl.model({ inputs: x, outputs: [h, d, c, e, x] });
    randomize(m, 4);
    await expectOutputsSameAsOrt(m, [rl.tensor(values(2 * 3 * 2, 5), [2, 3, 2])], ['enc_output1', 'enc_1', 'enc_2', 'x_output', 'x_output0']);
  });

  it("a fallback name that is a hidden layer's name ('gru_output1') is passed over for one that is no layer's", async () => {
    const src = rl.input({ shape: [5, 3], name: 'src' }), dec = rl.input({ shape: [4, 2], name: 'dec' });
    const [, h] = L.gru({ units: 4, returnSequences: true, returnState: true, name: 'gru' }).apply(src) as SymbolicTensor[];
    const hidden = one(L.dense({ units: 4, name: 'gru_output1' }).apply(h));
    const y = one(L.gru({ units: 4, name: 'gru_1' }).apply(dec, { initialState: [hidden] }));
    const z = one(L.dense({ units: 2, name: 'gru_output1_1' }).apply(y));
    const m = rl.model({ inputs: [src, dec], outputs: [h, y, z] });
    randomize(m, 5);
    await expectOutputsSameAsOrt(m, xs(), ['gru_output1_2', 'gru_1', 'gru_output1_1']);
  });

  it('a tensor listed twice is still refused, naming both places', () => {
    const x = rl.input({ shape: [3] });
    const y = one(L.dense({ units: 2, name: 'd' }).apply(x));
    expect(() => toOnnx(rl.model({ inputs: x, outputs: [y, y] }))).toThrow(/output 1 is output 0 again; list each output once/);
  });
});

describe('a one-feature BatchNormalization round-trips as BatchNormalization', () => {
  for (const [label, layers, x] of [
    ['(batch, 1)', () => [L.dense({ units: 1, inputShape: [3] }), L.batchNormalization({ epsilon: 0.01 }), L.dense({ units: 2 })], rl.tensor(values(6 * 3, 7, 4), [6, 3])],
    ['(batch, steps, 1)', () => [L.conv1d({ filters: 1, kernelSize: 2, inputShape: [5, 3] }), L.batchNormalization(), L.flatten(), L.dense({ units: 1 })], rl.tensor(values(4 * 5 * 3, 8, 4), [4, 5, 3])],
  ] as const) {
    it(`on ${label} data: the layer class, its four weights ((x − mean)·s + beta) and the predictions`, async () => {
      const m = rl.sequential({ layers: [...layers()] });
      randomize(m, 9);
      const bn = m.layers[1];
      const [gamma, beta, mean, variance] = bn.getWeightValues();
      variance[0] = Math.abs(variance[0]) + 0.3;
      bn.setWeights([gamma, beta, mean, variance]);
      const back = modelFromOnnx(toOnnx(m), 'bn1.onnx');
      expect(back.layers.map((l) => l.className)).toEqual(m.layers.map((l) => l.className));
      const s = gamma[0] / Math.sqrt(variance[0] + (bn.getConfig().epsilon as number));
      const w = back.layers[1].getWeightValues();
      expect(w.map((v) => v.length)).toEqual([1, 1, 1, 1]);
      expect(w[0][0]).toBeCloseTo(s, 6);
      expect([w[1][0], w[2][0], w[3][0], back.layers[1].getConfig().epsilon]).toEqual([beta[0], mean[0], 1, 0]);
      expect(maxAbsDiff(back.predict(x).values, m.predict(x).values)).toBeLessThanOrEqual(1e-5);
    });
  }

  it("the exporter's Rescaling (scalar constants) stays Rescaling, also on one feature", () => {
    const m = rl.sequential({ layers: [L.dense({ units: 1, inputShape: [3] }), L.rescaling({ scale: 2, offset: 1 })] });
    const back = modelFromOnnx(toOnnx(m), 'rescale.onnx');
    expect(back.layers.map((l) => l.className)).toEqual(['Dense', 'Rescaling']);
  });

  /** x * [2] + [1] on (batch, 1) data, its constants named sName and tName, in a file whose producer_name is producer. */
  function affineOnOneFeature(sName: string, tName: string, producer: string): Uint8Array {
    const g = new GraphBuilder();
    const y = g.node('Add', [g.node('Mul', ['x', g.floats(sName, [2], [1])]), g.floats(tName, [1], [1])]);
    const onnx = onnxSchema();
    const model = onnx.ModelProto.decode(bytesOf(g, y, ['batch', 1], ['batch', 1]));
    model.producerName = producer;
    return onnx.ModelProto.encode(model).finish();
  }

  it("only rnnlab's file with the exporter's '<layer>/scale' and '<layer>/shift' is a BatchNormalization; another x * [2] + [1] on one feature is a Rescaling", () => {
    const classOf = (s: string, t: string, producer: string) => modelFromOnnx(affineOnOneFeature(s, t, producer), 'f.onnx').layers.map((l) => l.className);
    for (const [s, t, producer] of [['s', 't', 'pytorch'], ['bn/scale', 'bn/shift', 'pytorch'], ['bn/scale', 'bn/shift', ''], ['s', 't', 'rnnlab'], ['bn/scale', 'bn_1/shift', 'rnnlab']]) {
      expect(classOf(s, t, producer), `${s}, ${t} from '${producer}'`).toEqual(['Rescaling']);
    }
    const bn = modelFromOnnx(affineOnOneFeature('bn/scale', 'bn/shift', 'rnnlab'), 'own.onnx');
    expect(bn.layers.map((l) => l.className)).toEqual(['BatchNormalization']);
    expect(bn.layers[0].getWeightValues().map((w) => Array.from(w))).toEqual([[2], [1], [0], [1]]);
  });

  it("PyTorch's x * [2] + [1] on one feature trains as the file computes: fit at learning rate 0 on y = 2x + 1 has loss 0, even one row a batch", async () => {
    const m = modelFromOnnx(affineOnOneFeature('s', 't', 'pytorch'), 'torch.onnx');
    const x = rl.tensor([1, 2, 3, 4], [4, 1]), y = rl.tensor([3, 5, 7, 9], [4, 1]);
    m.compile({ optimizer: rl.train.sgd(0), loss: 'meanSquaredError' });
    for (const batchSize of [1, 4]) {
      const h = await m.fit(x, y, { epochs: 1, batchSize, verbose: 0, shuffle: false });
      expect(h.history.loss[0], `batchSize ${batchSize}`).toBe(0);
    }
    expect(Array.from(m.predict(x).values)).toEqual([3, 5, 7, 9]);
  });

  it('a Mul and Add by [1]-shaped constants on several features is a Rescaling (one value for every feature)', async () => {
    const g = new GraphBuilder();
    const y = g.node('Add', [g.node('Mul', ['x', g.floats('s', [2], [1])]), g.floats('t', [0.5], [1])]);
    const bytes = bytesOf(g, y, ['batch', 3], ['batch', 3]);
    const m = modelFromOnnx(bytes, 'user.onnx');
    expect(m.layers.map((l) => l.className)).toEqual(['Rescaling']);
    const x = rl.tensor(values(4 * 3, 3, 4), [4, 3]);
    expect(maxAbsDiff(m.predict(x).values, await ortPredict(await ortSession(bytes), x))).toBeLessThanOrEqual(1e-5);
  });
});

describe('Slice with attributes (opset 9) and inputs (opset 10 on)', () => {
  const T = 6, D = 3, U = 4;
  const INT64_MAX = '9223372036854775807';
  /** A one-value int64 initializer holding v exactly. */
  const int64 = (g: GraphBuilder, v: bigint): string => {
    const name = g.name('i64');
    g.initializers.push({ name, dataType: 7, dims: [1], rawData: new Uint8Array(BigInt64Array.of(v).buffer) });
    return name;
  };
  interface SliceForm { starts: number; ends: number | string; axes: number | null; steps?: number; squeeze?: number; timeMajor?: boolean }
  /**
   * PyTorch's LSTM(batch_first) -> out[:, -1] -> Linear -> sigmoid at opsets 9 to 11: the last step as Slice(starts
   * -1, ends INT64_MAX, axes 1) + Squeeze(1), the Slice's bounds attributes at 9 and inputs from 10. axes null leaves
   * them out (ONNX's default 0, 1, ...); squeeze is the Squeeze's axis (the Slice's axes when not given); timeMajor
   * slices the LSTM's (steps, batch, units) sequence.
   */
  function lastStepBySlice(opset: 9 | 10 | 11, slice: SliceForm = { starts: -1, ends: INT64_MAX, axes: 1 }): Uint8Array {
    const g = new GraphBuilder();
    const xt = g.node('Transpose', ['x'], { perm: [1, 0, 2] });
    const W = g.floats('W', values(4 * U * D, 3), [1, 4 * U, D]);
    const R = g.floats('R', values(4 * U * U, 4), [1, 4 * U, U]), B = g.floats('B', values(8 * U, 5), [1, 8 * U]);
    const [Y] = g.nodeN('LSTM', [xt, W, R, B], { hidden_size: U }, 'lstm', 2);
    const timeMajor = g.node('Squeeze', [Y], { axes: [1] });
    const seq = slice.timeMajor ? timeMajor : g.node('Transpose', [timeMajor], { perm: [1, 0, 2] });
    const { starts, ends, axes, steps } = slice;
    const optional = [...(axes === null ? (steps === undefined ? [] : ['']) : [g.ints([axes])]), ...(steps === undefined ? [] : [g.ints([steps])])];
    const last = opset === 9 ? g.node('Slice', [seq], { starts: [starts], ends: [0], ...(axes === null ? {} : { axes: [axes] }) }, 'last')
      : g.node('Slice', [seq, g.ints([starts]), int64(g, BigInt(ends)), ...optional], {}, 'last');
    // INT64_MAX, as PyTorch writes it, is past what a JS number holds exactly: set in the attribute as a decimal string.
    if (opset === 9) g.nodes.at(-1)!.attribute!.find((a) => a.name === 'ends')!.ints = [ends as unknown as number];
    const h = g.node('Squeeze', [last], { axes: [slice.squeeze ?? axes ?? 0] }, 'squeezed');
    const y = g.node('Sigmoid', [g.node('Gemm', [h, g.floats('V', values(U, 6), [1, U]), g.floats('c', [0.2], [1])], { transB: 1 })]);
    return bytesOf(g, y, ['batch', T, D], ['batch', 1], opset);
  }

  for (const opset of [9, 10] as const) {
    it(`opset ${opset}: out[:, -1] as Slice + Squeeze imports as the last step (LSTM returnSequences false), equal to ONNX Runtime`, async () => {
      const bytes = lastStepBySlice(opset);
      const m = modelFromOnnx(bytes, `o${opset}.onnx`);
      expect(m.layers.map((l) => l.className)).toEqual(['LSTM', 'Dense']);
      expect(m.layers[0].getConfig().returnSequences).toBe(false);
      const x = rl.tensor(values(3 * T * D, 7, 3), [3, T, D]);
      expect(maxAbsDiff(m.predict(x).values, await ortPredict(await ortSession(bytes), x))).toBeLessThanOrEqual(1e-5);
    });
  }

  it('the step T - 1 counted from the start is the last step too; another step is refused naming the node', () => {
    expect(modelFromOnnx(lastStepBySlice(9, { starts: T - 1, ends: T, axes: 1 })).layers[0].getConfig().returnSequences).toBe(false);
    expect(() => modelFromOnnx(lastStepBySlice(9, { starts: 2, ends: 3, axes: 1 }), 'mid.onnx'))
      .toThrow(/mid\.onnx: node 'last_node' \(Slice\): only the last time step .* steps 2 to 3/);
  });

  it('negative axes (opset 11 on) count from rank 3 (Slice axes -2, Squeeze -2); axes left out are axis 0, the steps when time-major', async () => {
    const x = rl.tensor(values(3 * T * D, 7, 3), [3, T, D]);
    for (const form of [
      { starts: -1, ends: INT64_MAX, axes: -2, squeeze: 1 },
      { starts: -1, ends: INT64_MAX, axes: 1, squeeze: -2 },
      { starts: -1, ends: INT64_MAX, axes: null, timeMajor: true },
      { starts: -1, ends: INT64_MAX, axes: -3, squeeze: 0, timeMajor: true },
      { starts: -1, ends: INT64_MAX, axes: 1, steps: 1 },
    ]) {
      const bytes = lastStepBySlice(11, form);
      const m = modelFromOnnx(bytes, 'neg.onnx');
      expect(m.layers.map((l) => l.className), JSON.stringify(form)).toEqual(['LSTM', 'Dense']);
      expect(maxAbsDiff(m.predict(x).values, await ortPredict(await ortSession(bytes), x)), JSON.stringify(form)).toBeLessThanOrEqual(1e-5);
    }
  });

  it('a Slice + Squeeze right after a recurrent output on another axis, or with steps 2, is refused naming the axes or the steps', () => {
    const refused = (form: SliceForm) => () => modelFromOnnx(lastStepBySlice(11, form), 'odd.onnx');
    expect(refused({ starts: -1, ends: INT64_MAX, axes: null, squeeze: 1 }))
      .toThrow(/odd\.onnx: node 'last_node' \(Slice\): a Slice and Squeeze of a recurrent output are read as its last step only along axis 1 \(or -2\), the steps of \(batch, steps, units\); this one gives no axes \(ONNX's default, axes \[0\] here\)/);
    expect(refused({ starts: -1, ends: INT64_MAX, axes: -2, squeeze: 1, timeMajor: true }))
      .toThrow(/node 'last_node' \(Slice\): .* only along axis 0 \(or -3\), the steps of time-major \(steps, batch, units\); this one slices axes \[-2\]/);
    expect(refused({ starts: -1, ends: INT64_MAX, axes: 1, steps: 2 })).toThrow(/node 'last_node' \(Slice\): .* only with steps 1 \(or none\); this one has steps \[2\]/);
    expect(refused({ starts: -1, ends: INT64_MAX, axes: 1, squeeze: 2 })).toThrow(/node 'squeezed_node' \(Squeeze\): squeezes axes \[2\] after the Slice/);
  });

  it('at opset 9 a Slice cannot reverse time (no steps before opset 10): after a reverse layer it is refused naming the opset', () => {
    const g = new GraphBuilder();
    const xt = g.node('Transpose', ['x'], { perm: [1, 0, 2] });
    const W = g.floats('W', values(4 * U * D, 3), [1, 4 * U, D]), R = g.floats('R', values(4 * U * U, 4), [1, 4 * U, U]);
    const [Y] = g.nodeN('LSTM', [xt, W, R], { hidden_size: U, direction: 'reverse' }, 'lstm', 2);
    const seq = g.node('Transpose', [g.node('Squeeze', [Y], { axes: [1] })], { perm: [1, 0, 2] });
    const y = g.node('Slice', [seq], { starts: [0], ends: [T], axes: [1] }, 'whole');
    expect(() => modelFromOnnx(bytesOf(g, y, ['batch', T, D], ['batch', T, U], 9), 'rev9.onnx'))
      .toThrow(/rev9\.onnx: node 'whole_node' \(Slice\): only a Slice reversing the whole time axis .*; at opset 9, as this graph declares, Slice has no steps \(they come with opset 10\), so it cannot reverse/);
  });
});
