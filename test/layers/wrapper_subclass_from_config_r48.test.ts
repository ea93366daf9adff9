/**
 * A subclass of a layer whose static fromConfig reads nested configs (Bidirectional's wrapped layer, TimeDistributed's,
 * RNN's cell, StackedRNNCells' cells; Discretization's learned boundaries) comes back as itself, as Keras's
 * cls(**config) and tfjs's new cls(config) build it: through Keras's from_config(config), tfjs's fromConfig(cls,
 * config) (the form a subclass's super.fromConfig(cls, config) uses), and a saved model's load.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const C = rl.layerClasses;
type Artifacts = Parameters<typeof rl.io.fromMemory>[0];
// A built-in (non-abstract) instance type, so `class extends Base` needs no call of its own.
type AnyLayer = InstanceType<typeof rl.layerClasses.Dense>;
type Cls = { new (args: never): AnyLayer; fromConfig(...args: unknown[]): AnyLayer };

const cases: [string, Cls, () => Record<string, unknown>][] = [
  ['Bidirectional', C.Bidirectional as unknown as Cls, () => ({ layer: rl.layers.lstm({ units: 2 }), mergeMode: 'sum' })],
  ['TimeDistributed', C.TimeDistributed as unknown as Cls, () => ({ layer: rl.layers.dense({ units: 2 }) })],
  ['RNN', C.RNN as unknown as Cls, () => ({ cell: rl.layers.lstmCell({ units: 2 }), returnSequences: true })],
  ['StackedRNNCells', C.StackedRNNCells as unknown as Cls, () => ({ cells: [rl.layers.gruCell({ units: 2 }), rl.layers.lstmCell({ units: 3 })] })],
  ['Discretization', C.Discretization as unknown as Cls, () => ({ binBoundaries: [0, 1.5] })],
];

describe.each(cases)('a subclass of %s', (name, Base, args) => {
  const Sub = class extends Base { static className = `Sub${name}R48`; };
  const config = new Base(args() as never).getConfig();

  it('fromConfig(config) builds the subclass, with the config given', () => {
    const l = Sub.fromConfig(config);
    expect(l).toBeInstanceOf(Sub);
    expect(l.getConfig()).toEqual(config);
  });

  it("tfjs's fromConfig(cls, config) builds the subclass, with the config given", () => {
    const l = Sub.fromConfig(Sub, config);
    expect(l).toBeInstanceOf(Sub);
    expect(l.getConfig()).toEqual(config);
  });

  it('fromConfig with a class and no config is an error naming the call', () => {
    expect(() => Sub.fromConfig(Sub)).toThrow(new RegExp(`^${name}\\.fromConfig: expected a config object after the class .*got undefined`));
  });
});

describe("tfjs's layer.constructor.fromConfig(layer.constructor, layer.getConfig()) on a built-in layer", () => {
  it.each(cases)('%s makes the layer again', (_name, Base, args) => {
    const layer = new Base(args() as never);
    const cls = layer.constructor as Cls;
    const again = cls.fromConfig(cls, layer.getConfig());
    expect(again.constructor).toBe(cls);
    expect(again.getConfig()).toEqual(layer.getConfig());
  });
});

describe('a registered subclass saved and loaded', () => {
  const saved: [string, Cls, () => Record<string, unknown>][] = [cases[0], cases[1], cases[2]];
  it.each(saved)('%s comes back as the subclass, computing the same outputs', async (name, Base, args) => {
    const Sub = class extends Base { static className = `My${name}R48`; };
    rl.serialization.registerClass(Sub as never);
    const inp = rl.input({ shape: [4, 3] });
    const m = rl.model({ inputs: inp, outputs: new Sub(args() as never).apply(inp) as rl.SymbolicTensor });
    let art: Artifacts | undefined;
    await m.save(rl.io.withSaveHandler(async (a) => { art = a as Artifacts; return {}; }));
    expect(JSON.stringify((art as { modelTopology?: unknown }).modelTopology)).toContain(`"My${name}R48"`);
    const loaded = await rl.loadLayersModel(rl.io.fromMemory(art!));
    expect(loaded.layers[1]).toBeInstanceOf(Sub);
    const x = rl.tensor(Float32Array.from({ length: 24 }, (_, i) => Math.sin(i)), [2, 4, 3]);
    const want = Array.from((m.predict(x) as rl.Tensor).dataSync());
    const got = Array.from((loaded.predict(x) as rl.Tensor).dataSync());
    expect(got.length).toBe(want.length);
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
  });
});
