/**
 * rl.layers.rnn over a user's cell that makes its weights in its constructor and sets `built` there, against
 * @tensorflow/tfjs 4.22: tfjs's RNN takes such a cell and calls its build anyway (RNN.build, and StackedRNNCells.build,
 * call cell.build whatever the flag says), its constructor's weights named bare ('k'), which its loadWeights finds
 * under '<rnn>/k'. rnnlab refused the cell as "already built by a call of its own". tfjs's Bidirectional cannot wrap
 * any rl.layers.rnn({cell}) (its RNN.fromConfig writes the cell object into the config it copies), so rnnlab's
 * Bidirectional is checked against its two directions run as plain rnn layers.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { maxDiff } from '../compat/functional_helpers.js';
import { oneStep, randomF32, tfjsReady, toTf } from './tfjs_twin.js';

beforeAll(() => tfjsReady());

type Lib = typeof rl | typeof tf;

/**
 * h' = tanh((x @ k + h @ r) * g): 'g' [2] (named gain) and 'r' [2, 2] made in the constructor, which sets built
 * (unless setsBuilt is false); 'k' [3, 2] there too, or (inBuild) in a build, which tfjs's rnn runs though the cell
 * says it is built.
 */
function defineCell(lib: Lib, className: string, inBuild: boolean, setsBuilt = true, gain = 'g') {
  const l = lib as any;
  const init = (seed: number) => l.initializers.randomUniform({ minval: -1, maxval: 1, seed });
  class CtorBuiltCell extends l.layers.Layer {
    static className = className;
    units = 2; stateSize = 2; g: any; r: any; k: any;
    constructor(a: any) {
      super(a);
      this.g = this.addWeight(gain, [2], 'float32', l.initializers.randomUniform({ minval: 0.5, maxval: 2, seed: 1 }));
      this.r = this.addWeight('r', [2, 2], 'float32', init(2));
      if (!inBuild) this.k = this.addWeight('k', [3, 2], 'float32', init(3));
      this.built = setsBuilt;
    }
    call(inputs: any) {
      const [x, h] = inputs;
      const y = l.tanh(l.mul(l.add(l.matMul(x, this.k.read()), l.matMul(h, this.r.read())), this.g.read()));
      return [y, y];
    }
  }
  if (inBuild) {
    // A step applied alone ([x, h]) builds for the list of shapes.
    (CtorBuiltCell.prototype as any).build = function build(this: any, s: number[] | number[][]) {
      const xs = (Array.isArray(s[0]) ? s[0] : s) as number[];
      this.k = this.addWeight('k', [xs[xs.length - 1], 2], 'float32', init(3));
      this.built = true;
    };
  }
  l.serialization.registerClass(CtorBuiltCell);
  return CtorBuiltCell as any;
}
const cells = {
  ctor: { rl: defineCell(rl, 'CtorBuiltCellR52', false), tf: defineCell(tf, 'CtorBuiltCellR52', false) },
  build: { rl: defineCell(rl, 'CtorBuiltCellBuildR52', true), tf: defineCell(tf, 'CtorBuiltCellBuildR52', true) },
  unbuilt: { rl: defineCell(rl, 'CtorWeightsCellR52', true, false), tf: defineCell(tf, 'CtorWeightsCellR52', true, false) },
};

const one = (lib: Lib, C: any) => (lib as any).sequential({ layers: [(lib as any).layers.rnn({ cell: new C({ name: 'c' }), inputShape: [4, 3], name: 'r' })] });
const first = (lib: Lib, C: any) => (lib as any).sequential({
  layers: [(lib as any).layers.rnn({ cell: [new C({ name: 'c' }), (lib as any).layers.simpleRNNCell({ units: 2, name: 's' })], inputShape: [4, 3], name: 'r' })],
});
const second = (lib: Lib, C: any) => (lib as any).sequential({
  layers: [(lib as any).layers.rnn({ cell: [(lib as any).layers.simpleRNNCell({ units: 3, name: 's' }), new C({ name: 'c' })], inputShape: [4, 3], name: 'r' })],
});

async function tfArtifacts(m: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let arts: tf.io.ModelArtifacts | undefined;
  await m.save(tf.io.withSaveHandler(async (a) => { arts = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  return arts!;
}
const specNames = (a: unknown) => (a as { weightSpecs: { name: string }[] }).weightSpecs.map((w) => w.name);
const values = (t: unknown) => Array.from((t as { dataSync(): ArrayLike<number> }).dataSync());
const x = randomF32([5, 4, 3], 1, 1.5);
const simple = ['r/RNNCell_1/kernel', 'r/RNNCell_1/recurrent_kernel', 'r/RNNCell_1/bias'];

describe.each([
  { what: 'its only cell', make: one, kind: 'ctor' as const, rlNames: ['r/g', 'r/r', 'r/k'], tfNames: ['g', 'r', 'k'] },
  { what: 'its only cell, with a build tfjs runs anyway', make: one, kind: 'build' as const, rlNames: ['r/g', 'r/r', 'r/k'], tfNames: ['g', 'r', 'r/k'] },
  { what: 'the first of a stack', make: first, kind: 'ctor' as const, rlNames: ['r/g', 'r/r', 'r/k', ...simple], tfNames: ['g', 'r', 'k', ...simple] },
  { what: 'the first of a stack, with a build', make: first, kind: 'build' as const, rlNames: ['r/g', 'r/r', 'r/RNNCell_0/k', ...simple], tfNames: ['g', 'r', 'r/RNNCell_0/k', ...simple] },
  // rnnlab wrote 'r/RNNCell_0/g' for it, which tfjs reads as 'r/g', no weight of its.
  { what: 'the first of a stack, one that leaves built to its build', make: first, kind: 'unbuilt' as const, rlNames: ['r/g', 'r/r', 'r/RNNCell_0/k', ...simple], tfNames: ['g', 'r', 'r/RNNCell_0/k', ...simple] },
  { what: 'the second of a stack, with a build', make: second, kind: 'build' as const, rlNames: ['r/RNNCell_0/kernel', 'r/RNNCell_0/recurrent_kernel', 'r/RNNCell_0/bias', 'r/g', 'r/r', 'r/RNNCell_1/k'], tfNames: ['r/RNNCell_0/kernel', 'r/RNNCell_0/recurrent_kernel', 'r/RNNCell_0/bias', 'g', 'r', 'r/RNNCell_1/k'] },
])('rnn over a cell making weights in its constructor, as $what, with tfjs', ({ make, kind, rlNames, tfNames }) => {
  it('is taken; its file names the weights as tfjs reads them, and tfjs loads it with the same predictions and the same training step', async () => {
    const m = make(rl, cells[kind].rl) as rl.Sequential;
    const arts = await rl.io.modelArtifactsOf(m);
    expect(specNames(arts)).toEqual(rlNames);
    const tm = await tf.loadLayersModel(tf.io.fromMemory(arts as never));
    expect(tm.getWeights().map(values)).toEqual(m.getWeights().map(values));
    const want = values(tm.predict(toTf(x)));
    expect(want.some((v) => Math.abs(v) > 0.1)).toBe(true);
    expect(maxDiff(values(m.predict(x)), want)).toBeLessThan(1e-5);
    const y = randomF32(m.outputShape.map((d) => d ?? 5) as number[], 2);
    const before = m.getWeights().map(values);
    const [ours, theirs] = await oneStep(m, tm, x, y);
    expect(Math.abs(ours - theirs)).toBeLessThan(1e-5);
    const after = tm.getWeights().map(values);
    m.getWeights().forEach((w, i) => expect(maxDiff(values(w), after[i])).toBeLessThan(1e-5));
    // The constructor's weights train.
    expect(maxDiff(values(m.getWeights()[0]), before[0])).toBeGreaterThan(1e-4);
  });

  it('rnnlab loads tfjs\'s file (the constructor\'s weights bare) with the same weights and predictions', async () => {
    const tm = make(tf, cells[kind].tf) as tf.LayersModel;
    const arts = await tfArtifacts(tm);
    expect(specNames(arts)).toEqual(tfNames);
    const m = rl.layersModelFromArtifacts(arts as never);
    expect(m.getWeights().map(values)).toEqual(tm.getWeights().map(values));
    expect(maxDiff(values(m.predict(x)), values(tm.predict(toTf(x))))).toBeLessThan(1e-5);
  });
});

describe('rnn over a user\'s cell: what it takes and refuses', () => {
  it('a cell built in its constructor and applied alone first is taken (its build never ran); one a call built is refused', () => {
    const cell = new cells.ctor.rl({ name: 'c' });
    const step = cell.apply([rl.ones([1, 3]), rl.zeros([1, 2])]) as rl.Tensor[];
    const layer = rl.layers.rnn({ cell, name: 'r' });
    expect(maxDiff(values(layer.apply(rl.ones([1, 1, 3]))), values(step[0]))).toBe(0);
    expect(layer.weights.map((w) => w.name)).toEqual(['c/g', 'c/r', 'c/k']);
    const built = new cells.build.rl({ name: 'b' });
    built.built = false;
    built.apply([rl.ones([1, 3]), rl.zeros([1, 2])]);
    expect(() => rl.layers.rnn({ cell: built })).toThrow(/b \(CtorBuiltCellBuildR52\): the cell was already built by a call of its own; give the rnn layer a new cell/);
  });

  it('two cells of a stack with constructor weights of one name keep their scopes; a name only one has is bare', async () => {
    const m = rl.sequential({ layers: [rl.layers.rnn({ cell: [new cells.ctor.rl({ name: 'a' }), new cells.build.rl({ name: 'b' })], inputShape: [4, 3], name: 'r' })] });
    const arts = await rl.io.modelArtifactsOf(m);
    expect(specNames(arts)).toEqual(['r/RNNCell_0/g', 'r/RNNCell_0/r', 'r/k', 'r/RNNCell_1/g', 'r/RNNCell_1/r', 'r/RNNCell_1/k']);
    const back = rl.layersModelFromArtifacts(arts as never);
    expect(back.getWeights().map(values)).toEqual(m.getWeights().map(values));
  });

  it('a stack\'s constructor weight saved as "r/RNNCell_0/g" (rnnlab\'s name before) still loads into its place', async () => {
    const m = first(rl, cells.build.rl) as rl.Sequential;
    const arts = await rl.io.modelArtifactsOf(m) as { weightSpecs: { name: string }[] };
    arts.weightSpecs = arts.weightSpecs.map((s) => (s.name === 'r/g' ? { ...s, name: 'r/RNNCell_0/g' } : s));
    const back = rl.layersModelFromArtifacts(arts as never);
    expect(back.getWeights().map(values)).toEqual(m.getWeights().map(values));
  });
});

describe('rnn over a stack of two instances of one cell class with a constructor weight', () => {
  // Both would be tfjs's bare 'g' and 'r': each keeps its scope, as rnnlab saved it before (tfjs reads neither).
  const names = ['r/RNNCell_0/g', 'r/RNNCell_0/r', 'r/RNNCell_0/k', 'r/RNNCell_1/g', 'r/RNNCell_1/r', 'r/RNNCell_1/k'];
  const twin = () => rl.sequential({ layers: [rl.layers.rnn({ cell: [new cells.build.rl({ name: 'a' }), new cells.build.rl({ name: 'b' })], inputShape: [4, 3], name: 'r' })] });

  it('saves each cell\'s constructor weights under its RNNCell_<i> and loads them back', async () => {
    const m = twin();
    const arts = await rl.io.modelArtifactsOf(m);
    expect(specNames(arts)).toEqual(names);
    const back = rl.layersModelFromArtifacts(arts as never);
    expect(back.getWeights().map(values)).toEqual(m.getWeights().map(values));
    const want = values(m.predict(x));
    expect(want.some((v) => Math.abs(v) > 0.1)).toBe(true);
    expect(maxDiff(values(back.predict(x)), want)).toBe(0);
  });

  it('a file written by hand with those names (rnnlab\'s before 0030ff5) loads into each cell', async () => {
    const m = twin();
    const { modelTopology } = await rl.io.modelArtifactsOf(m) as { modelTopology: unknown };
    const shapes = [[2], [2, 2], [3, 2], [2], [2, 2], [2, 2]];
    const given = shapes.map((s, i) => Array.from({ length: s.reduce((a, b) => a * b, 1) }, (_v, k) => Math.fround(0.1 * (i + 1) + 0.01 * k)));
    const weightSpecs = names.map((name, i) => ({ name, shape: shapes[i], dtype: 'float32' as const }));
    const back = rl.layersModelFromArtifacts({ modelTopology, weightSpecs, weightData: new Float32Array(given.flat()).buffer } as never);
    expect(back.getWeights().map(values)).toEqual(given);
    expect(back.layers[0].weights.map((w) => w.name)).toEqual(['a/g', 'a/r', 'r/RNNCell_0/k', 'b/g', 'b/r', 'r/RNNCell_1/k']);
  });

  it('a leaf only one cell has is still saved bare beside them', async () => {
    // A third cell whose gain is 'h': its 'r' is shared with the other two, its 'h' is its own.
    const Other = defineCell(rl, 'CtorBuiltCellOtherR52', true, true, 'h');
    const m = rl.sequential({ layers: [rl.layers.rnn({ cell: [new cells.build.rl({ name: 'a' }), new cells.build.rl({ name: 'b' }), new Other({ name: 'o' })], inputShape: [4, 3], name: 'r' })] });
    const arts = await rl.io.modelArtifactsOf(m);
    expect(specNames(arts)).toEqual([...names, 'r/h', 'r/RNNCell_2/r', 'r/RNNCell_2/k']);
    const back = rl.layersModelFromArtifacts(arts as never);
    expect(back.getWeights().map(values)).toEqual(m.getWeights().map(values));
  });
});

describe('rnn over a user\'s cell whose build() was called directly', () => {
  it.each([
    { what: 'one whose constructor sets built', kind: 'build' as const },
    { what: 'one whose build sets built', kind: 'unbuilt' as const },
  ])('$what: the rnn\'s build would make its weight again, an error saying so (tfjs: "Duplicate weight name")', ({ kind }) => {
    const tc = new cells[kind].tf({ name: 'c' });
    tc.build([null, 3]);
    expect(() => tf.sequential({ layers: [tf.layers.rnn({ cell: tc, inputShape: [4, 3], name: 'r' })] })).toThrow(/Duplicate weight name k/);
    const c = new cells[kind].rl({ name: 'c' });
    c.build([null, 3]);
    expect(() => rl.sequential({ layers: [rl.layers.rnn({ cell: c, inputShape: [4, 3], name: 'r' })] }))
      .toThrow(new RegExp(`: c \\(${kind === 'build' ? 'CtorBuiltCellBuildR52' : 'CtorWeightsCellR52'}\\): the rnn layer runs the cell's build \\(as tfjs's RNN does\\), which makes weight 'k' again \\('r/k'; the cell has 'c/k'\\): its build ran before, in a build\\(\\) call of its own, so give the rnn layer a new cell whose build has not run`));
  });
});

describe('Bidirectional over rnn over a cell built in its constructor', () => {
  const bi = () => rl.sequential({ layers: [rl.layers.bidirectional({ layer: rl.layers.rnn({ cell: new cells.build.rl({ name: 'c' }), name: 'r' }), inputShape: [4, 3], name: 'bi' })] });

  /** The two directions as plain rnn layers over new cells, given the wrapper's weights, their outputs concatenated. */
  function twoRnns(m: rl.Sequential): rl.LayersModel {
    const input = rl.input({ shape: [4, 3] });
    const w = m.getWeights();
    const outs = [false, true].map((goBackwards, i) => {
      const layer = rl.layers.rnn({ cell: new cells.build.rl({}), goBackwards });
      const out = layer.apply(input) as rl.SymbolicTensor;
      layer.setWeights(w.slice(3 * i, 3 * i + 3));
      return out;
    });
    return rl.model({ inputs: input, outputs: rl.layers.concatenate().apply(outs) as rl.SymbolicTensor });
  }

  it('is taken; it computes and trains as its two directions do, and saves and loads', async () => {
    const m = bi();
    const twin = twoRnns(m);
    const want = values(twin.predict(x));
    expect(want.some((v) => Math.abs(v) > 0.1)).toBe(true);
    expect(maxDiff(values(m.predict(x)), want)).toBeLessThan(1e-6);
    const arts = await rl.io.modelArtifactsOf(m);
    expect(specNames(arts)).toEqual(['bi/forward_r/g', 'bi/forward_r/r', 'bi/forward_r/k', 'bi/backward_r/g', 'bi/backward_r/r', 'bi/backward_r/k']);
    const y = randomF32([5, 4], 3);
    for (const model of [m, twin]) model.compile({ optimizer: rl.train.sgd(0.1), loss: 'meanSquaredError' });
    expect(Math.abs((m.trainOnBatch(x, y) as number) - (twin.trainOnBatch(x, y) as number))).toBeLessThan(1e-6);
    const after = twin.getWeights().map(values);
    m.getWeights().forEach((v, i) => expect(maxDiff(values(v), after[i])).toBeLessThan(1e-6));
    const back = rl.layersModelFromArtifacts(await rl.io.modelArtifactsOf(m) as never);
    expect(maxDiff(values(back.predict(x)), values(m.predict(x)))).toBeLessThan(1e-6);
  });
});
