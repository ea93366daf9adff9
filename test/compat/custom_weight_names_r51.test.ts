/**
 * A registered custom layer's addWeight('v', ...) made in its constructor or its build, saved in the Layers format,
 * against @tensorflow/tfjs 4.22. tfjs names a build's weight '<layer>/v' (the build runs in the layer's name scope)
 * and a constructor's bare 'v'; rnnlab writes '<layer>/v' for both, which tfjs's loadWeights finds by dropping the
 * scope, and reads tfjs's bare 'v'. Under TimeDistributed the constructor's weight is written 'td/v' (tfjs: 'v'), as
 * 'td/cw/v' (what rnnlab wrote before) reached no tfjs weight; files with 'td/cw/v' still load. That holds for a
 * layer that sets built in its constructor (no build) and for one applied before it was wrapped (its build's weight
 * keeps its name, 'td/cw/k'). rl.layers.rnn over a user's cell making a weight in its constructor saves it '<rnn>/g'
 * (tfjs: bare 'g').
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { tfjsReady } from '../layers/tfjs_twin.js';

beforeAll(() => tfjsReady());

type Lib = typeof rl | typeof tf;

/** y = (x @ k) * v: 'v' [2] made in the constructor, 'k' [features, 2] in build; distinct values per library. */
function defineLayer(lib: Lib, className: string, seed: number) {
  const l = lib as any;
  class CtorWeight extends l.layers.Layer {
    static className = className;
    v: any; k: any;
    constructor(a: any) {
      super(a);
      this.v = this.addWeight('v', [2], 'float32', l.initializers.randomUniform({ minval: 0.5, maxval: 2, seed }));
    }
    build(s: number[]) {
      this.k = this.addWeight('k', [s[s.length - 1], 2], 'float32', l.initializers.randomUniform({ minval: -1, maxval: 1, seed: seed + 1 }));
      this.built = true;
    }
    computeOutputShape(s: number[]) { return [s[0], 2]; }
    call(x: any) { return l.mul(l.matMul(Array.isArray(x) ? x[0] : x, this.k.read()), this.v.read()); }
  }
  l.serialization.registerClass(CtorWeight);
  return CtorWeight as any;
}
const RlLayer = defineLayer(rl, 'CtorWeightR51', 3);
const TfLayer = defineLayer(tf, 'CtorWeightR51', 11);

const plain = (lib: Lib, C: any) => (lib as any).sequential({ layers: [new C({ inputShape: [3], name: 'cw' })] });
const wrapped = (lib: Lib, C: any) => (lib as any).sequential({
  layers: [(lib as any).layers.timeDistributed({ layer: new C({ name: 'cw' }), inputShape: [2, 3], name: 'td' })],
});

async function tfArtifacts(m: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let arts: tf.io.ModelArtifacts | undefined;
  await m.save(tf.io.withSaveHandler(async (a) => { arts = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  return arts!;
}
const specNames = (a: { weightSpecs?: { name: string }[] }) => a.weightSpecs!.map((w) => w.name);
const values = (t: unknown) => Array.from((t as { dataSync(): ArrayLike<number> }).dataSync());
const input = (lib: Lib, shape: number[]): any => (lib as typeof rl).tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => (i % 5) - 1.5), shape);
function close(got: number[], want: number[]) {
  expect(got.length).toBe(want.length);
  expect(want.some((v) => v !== 0)).toBe(true);
  got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
}

describe.each([
  { what: 'a custom layer', make: plain, shape: [4, 3], rlNames: ['cw/v', 'cw/k'], tfNames: ['v', 'cw/k'] },
  { what: 'TimeDistributed over a custom layer', make: wrapped, shape: [4, 2, 3], rlNames: ['td/v', 'td/k'], tfNames: ['v', 'td/k'] },
])('$what with a constructor weight and a build weight, with tfjs', ({ make, shape, rlNames, tfNames }) => {
  it('rnnlab\'s file names them as tfjs reads them; tfjs loads it with the same weights and predictions', async () => {
    const m = make(rl, RlLayer) as rl.Sequential;
    const arts = await rl.io.modelArtifactsOf(m);
    expect(specNames(arts as never)).toEqual(rlNames);
    const tm = await tf.loadLayersModel(tf.io.fromMemory(arts as never));
    expect(tm.getWeights().map(values)).toEqual(m.getWeights().map(values));
    close(values(tm.predict(input(tf, shape))), values(m.predict(input(rl, shape))));
  });

  it('rnnlab loads tfjs\'s file (the constructor\'s weight saved bare) with the same weights and predictions', async () => {
    const tm = make(tf, TfLayer) as tf.LayersModel;
    const arts = await tfArtifacts(tm);
    expect(specNames(arts as never)).toEqual(tfNames);
    const m = rl.layersModelFromArtifacts(arts as never);
    expect(m.getWeights().map(values)).toEqual(tm.getWeights().map(values));
    close(values(m.predict(input(rl, shape))), values(tm.predict(input(tf, shape))));
  });
});

describe('files rnnlab saved before', () => {
  it('TimeDistributed\'s constructor weight saved as "td/cw/v" still loads into its place', async () => {
    const m = wrapped(rl, RlLayer) as rl.Sequential;
    const arts = await rl.io.modelArtifactsOf(m) as { weightSpecs: { name: string }[] };
    arts.weightSpecs = arts.weightSpecs.map((s) => (s.name === 'td/v' ? { ...s, name: 'td/cw/v' } : s));
    expect(specNames(arts)).toEqual(['td/cw/v', 'td/k']);
    const back = rl.layersModelFromArtifacts(arts as never);
    expect(back.getWeights().map(values)).toEqual(m.getWeights().map(values));
    close(values(back.predict(input(rl, [4, 2, 3]))), values(m.predict(input(rl, [4, 2, 3]))));
  });
});

/** y = x * v: its only weight 'v' [3] made in the constructor, which sets built (no build method). */
function defineCtorOnly(lib: Lib, seed: number) {
  const l = lib as any;
  class CtorOnly extends l.layers.Layer {
    static className = 'CtorOnlyR51';
    v: any;
    constructor(a: any) {
      super(a);
      this.v = this.addWeight('v', [3], 'float32', l.initializers.randomUniform({ minval: 0.5, maxval: 2, seed }));
      this.built = true;
    }
    call(x: any) { return l.mul(Array.isArray(x) ? x[0] : x, this.v.read()); }
  }
  l.serialization.registerClass(CtorOnly);
  return CtorOnly as any;
}
const RlCtorOnly = defineCtorOnly(rl, 5);
const TfCtorOnly = defineCtorOnly(tf, 13);
const wrappedOnly = (lib: Lib, C: any) => (lib as any).sequential({
  layers: [(lib as any).layers.timeDistributed({ layer: new C({ name: 'dd' }), inputShape: [2, 3], name: 'td' })],
});

/** The custom layer applied once before it is wrapped: its build's weight is 'cw/k', its constructor's 'cw/v'. */
function prebuilt(lib: Lib, C: any) {
  const l = lib as any;
  const c = new C({ name: 'cw' });
  c.apply(l.tensor([[1, 2, 3]]));
  return l.sequential({ layers: [l.layers.timeDistributed({ layer: c, inputShape: [2, 3], name: 'td' })] });
}

describe.each([
  { what: 'a layer that sets built in its constructor', make: () => wrappedOnly(rl, RlCtorOnly), rlNames: ['td/v'], old: { 'td/v': 'td/dd/v' } },
  { what: 'a layer applied before it was wrapped', make: () => prebuilt(rl, RlLayer), rlNames: ['td/v', 'td/cw/k'], old: { 'td/v': 'td/cw/v' } },
])('TimeDistributed over $what: rnnlab -> tfjs', ({ make, rlNames, old }) => {
  it('the constructor\'s weight is saved as "td/v", which tfjs loads with the same weights and predictions', async () => {
    const m = make() as rl.Sequential;
    const arts = await rl.io.modelArtifactsOf(m);
    expect(specNames(arts as never)).toEqual(rlNames);
    const tm = await tf.loadLayersModel(tf.io.fromMemory(arts as never));
    expect(tm.getWeights().map(values)).toEqual(m.getWeights().map(values));
    close(values(tm.predict(input(tf, [4, 2, 3]))), values(m.predict(input(rl, [4, 2, 3]))));
  });

  it('the name rnnlab wrote before still loads into its place', async () => {
    const m = make() as rl.Sequential;
    const arts = await rl.io.modelArtifactsOf(m) as { weightSpecs: { name: string }[] };
    arts.weightSpecs = arts.weightSpecs.map((s) => ({ ...s, name: (old as Record<string, string>)[s.name] ?? s.name }));
    const back = rl.layersModelFromArtifacts(arts as never);
    expect(back.getWeights().map(values)).toEqual(m.getWeights().map(values));
    close(values(back.predict(input(rl, [4, 2, 3]))), values(m.predict(input(rl, [4, 2, 3]))));
  });
});

describe('TimeDistributed over a layer that sets built in its constructor: tfjs -> rnnlab', () => {
  it('tfjs\'s file (the weight saved bare, "v") loads with the same weights and predictions', async () => {
    const tm = wrappedOnly(tf, TfCtorOnly) as tf.LayersModel;
    const arts = await tfArtifacts(tm);
    expect(specNames(arts as never)).toEqual(['v']);
    const m = rl.layersModelFromArtifacts(arts as never);
    expect(m.getWeights().map(values)).toEqual(tm.getWeights().map(values));
    close(values(m.predict(input(rl, [4, 2, 3]))), values(tm.predict(input(tf, [4, 2, 3]))));
  });
});

/** A cell y = tanh((x @ k) * g + h): 'g' [2] made in its constructor, 'k' [features, 2] in build. */
function defineCell(lib: Lib, seed: number, className = 'CtorCellR51', buildName = 'k') {
  const l = lib as any;
  class CtorCell extends l.layers.Layer {
    static className = className;
    units = 2; stateSize = 2; g: any; k: any;
    constructor(a: any) {
      super(a);
      this.g = this.addWeight('g', [2], 'float32', l.initializers.randomUniform({ minval: 0.5, maxval: 2, seed }));
    }
    build(s: number[]) {
      this.k = this.addWeight(buildName, [s[s.length - 1], 2], 'float32', l.initializers.randomUniform({ minval: -1, maxval: 1, seed: seed + 1 }));
      this.built = true;
    }
    call(inputs: any) {
      const [x, h] = inputs;
      const y = l.tanh(l.add(l.mul(l.matMul(x, this.k.read()), this.g.read()), h));
      return [y, y];
    }
  }
  l.serialization.registerClass(CtorCell);
  return CtorCell as any;
}
const RlCell = defineCell(rl, 7);
const TfCell = defineCell(tf, 17);
const rnnOver = (lib: Lib, C: any) => (lib as any).sequential({ layers: [(lib as any).layers.rnn({ cell: new C({ name: 'c' }), inputShape: [2, 3], name: 'r' })] });

describe('rnn over a user\'s cell that makes a weight in its constructor, with tfjs', () => {
  it('rnnlab saves it as "r/g" (tfjs reads it as its bare "g"); tfjs loads the file with the same weights and predictions', async () => {
    const m = rnnOver(rl, RlCell) as rl.Sequential;
    const arts = await rl.io.modelArtifactsOf(m);
    expect(specNames(arts as never)).toEqual(['r/g', 'r/k']);
    const tm = await tf.loadLayersModel(tf.io.fromMemory(arts as never));
    expect(tm.getWeights().map(values)).toEqual(m.getWeights().map(values));
    close(values(tm.predict(input(tf, [4, 2, 3]))), values(m.predict(input(rl, [4, 2, 3]))));
    const back = rl.layersModelFromArtifacts(arts as never);
    close(values(back.predict(input(rl, [4, 2, 3]))), values(m.predict(input(rl, [4, 2, 3]))));
  });

  it('rnnlab loads tfjs\'s file ("g", "r/k") with the same weights and predictions', async () => {
    const tm = rnnOver(tf, TfCell) as tf.LayersModel;
    const arts = await tfArtifacts(tm);
    expect(specNames(arts as never)).toEqual(['g', 'r/k']);
    const m = rl.layersModelFromArtifacts(arts as never);
    expect(m.getWeights().map(values)).toEqual(tm.getWeights().map(values));
    close(values(m.predict(input(rl, [4, 2, 3]))), values(tm.predict(input(tf, [4, 2, 3]))));
  });

  it('a constructor\'s weight and a build\'s weight of the same name are an error naming both', async () => {
    const Clash = defineCell(rl, 7, 'CtorCellClashR51', 'g');
    await expect((async () => rl.io.modelArtifactsOf(rnnOver(rl, Clash)))()).rejects.toThrow(/weights 'c\/g' and 'r\/g' would both be saved as 'r\/g'/);
  });
});
