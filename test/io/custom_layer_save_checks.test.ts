/**
 * Saving custom layers: a getConfig that does not spread super.getConfig() still saves a file that loads (the name
 * and trainable flag are filled in from the layer), and an unregistered subclass that inherited a registered custom
 * class's className is refused at save time instead of reloading as its parent.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { Tensor } from '../../src/tensor.js';

async function roundTrip(m: rl.Functional | rl.Sequential): Promise<{ back: rl.Functional | rl.Sequential; artifacts: rl.io.ModelArtifacts }> {
  let artifacts: rl.io.ModelArtifacts | undefined;
  await m.save(rl.io.withSaveHandler((a) => { artifacts = a; return {}; }));
  const saved = JSON.parse(JSON.stringify(artifacts!.modelTopology));
  const back = await rl.loadLayersModel(rl.io.fromMemory({ ...artifacts!, modelTopology: saved }));
  return { back, artifacts: artifacts! };
}

const values = (t: unknown): number[] => Array.from((t as Tensor).dataSync());

/** y = x * units, with a config that leaves out the base's keys (name, trainable). */
class CslNoSuperConfig extends rl.layers.Layer {
  static override readonly className: string = 'CslNoSuperConfig';
  readonly units: number;
  constructor(args: { units: number; name?: string; trainable?: boolean }) { super(args); this.units = args.units; }
  computeOutputShape(s: (number | null)[]): (number | null)[] { return s; }
  call(x: Tensor): Tensor { return rl.mul(x, rl.scalar(this.units)); }
  override getConfig(): Record<string, unknown> { return { units: this.units }; }
}
rl.serialization.registerClass(CslNoSuperConfig);

describe('a custom getConfig without super.getConfig()', () => {
  it('functional: saves name and trainable from the layer, and loads with them', async () => {
    const inp = rl.input({ shape: [3] });
    const mine = new CslNoSuperConfig({ units: 3, name: 'mine' });
    mine.trainable = false;
    const out = rl.layers.dense({ units: 2, name: 'head' }).apply(mine.apply(inp) as rl.SymbolicTensor) as rl.SymbolicTensor;
    const m = rl.model({ inputs: inp, outputs: out });
    const { back, artifacts } = await roundTrip(m);
    const entry = (artifacts.modelTopology as { config: { layers: { name: string; config: Record<string, unknown> }[] } }).config.layers.find((l) => l.name === 'mine')!;
    expect(entry.config).toMatchObject({ name: 'mine', trainable: false, units: 3 });
    const x = rl.tensor([[1, 2, 3], [-1, 0.5, 2]]);
    expect(values(back.predict(x))).toEqual(values(m.predict(x)));
    const again = back.getLayer('mine');
    expect(again).toBeInstanceOf(CslNoSuperConfig);
    expect(again.trainable).toBe(false);
  });

  it('sequential: keeps the name and trainable too', async () => {
    const mine = new CslNoSuperConfig({ units: 2, name: 'seq_mine' });
    mine.trainable = false;
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 3, inputShape: [2] }), mine] });
    const { back } = await roundTrip(m);
    const x = rl.tensor([[1, 2]]);
    expect(values(back.predict(x))).toEqual(values(m.predict(x)));
    expect(back.layers[1].name).toBe('seq_mine');
    expect(back.layers[1].trainable).toBe(false);
  });

  it('a file written without the config name loads by the entry name', async () => {
    const inp = rl.input({ shape: [3] });
    const out = new CslNoSuperConfig({ units: 2, name: 'mine2' }).apply(inp) as rl.SymbolicTensor;
    const m = rl.model({ inputs: inp, outputs: out });
    let artifacts: rl.io.ModelArtifacts | undefined;
    await m.save(rl.io.withSaveHandler((a) => { artifacts = a; return {}; }));
    const topo = JSON.parse(JSON.stringify(artifacts!.modelTopology));
    const entry = topo.config.layers.find((l: { name: string }) => l.name === 'mine2');
    delete entry.config.name;
    delete entry.config.trainable;
    const back = await rl.loadLayersModel(rl.io.fromMemory({ ...artifacts!, modelTopology: topo }));
    expect(back.getLayer('mine2')).toBeInstanceOf(CslNoSuperConfig);
    const x = rl.tensor([[1, 2, 3]]);
    expect(values(back.predict(x))).toEqual(values(m.predict(x)));
  });
});

/** y = x + 1, whose constructor drops the name it is given. */
class CslDropsName extends rl.layers.Layer {
  static override readonly className: string = 'CslDropsName';
  constructor(_args: { name?: string } = {}) { super({}); }
  computeOutputShape(s: (number | null)[]): (number | null)[] { return s; }
  call(x: Tensor): Tensor { return rl.add(x, rl.scalar(1)); }
}
rl.serialization.registerClass(CslDropsName);

describe('a custom constructor that drops its name', () => {
  it('fails to load with an error that says so, not with a dangling reference', async () => {
    const inp = rl.input({ shape: [2] });
    const layer = new CslDropsName();
    layer.name = 'kept_name';
    const m = rl.model({ inputs: inp, outputs: layer.apply(inp) as rl.SymbolicTensor });
    let artifacts: rl.io.ModelArtifacts | undefined;
    await m.save(rl.io.withSaveHandler((a) => { artifacts = a; return {}; }));
    await expect(rl.loadLayersModel(rl.io.fromMemory(artifacts!))).rejects.toThrow(/\('kept_name'\): the CslDropsName layer built from this config is named '\w+', not 'kept_name'; its constructor must pass the config's name on to super/);
  });
});

/** y = 2x. */
class Scale2 extends rl.layers.Layer {
  static override readonly className: string = 'Scale2';
  computeOutputShape(s: (number | null)[]): (number | null)[] { return s; }
  call(x: Tensor): Tensor { return rl.mul(x, rl.scalar(2)); }
}
rl.serialization.registerClass(Scale2);

/** y = 3x, but its className is Scale2's, inherited. */
class Scale3 extends Scale2 {
  override call(x: Tensor): Tensor { return rl.mul(x, rl.scalar(3)); }
}

/** y = 3x under its own name, registered. */
class Scale3Own extends Scale2 {
  static override readonly className: string = 'Scale3Own';
  override call(x: Tensor): Tensor { return rl.mul(x, rl.scalar(3)); }
}
rl.serialization.registerClass(Scale3Own);

describe('an unregistered subclass of a registered custom layer', () => {
  it('is refused at save time, naming the layer, the class and the fix', async () => {
    const inp = rl.input({ shape: [2] });
    const out = new Scale3({ name: 'triple' }).apply(inp) as rl.SymbolicTensor;
    const m = rl.model({ inputs: inp, outputs: out });
    const err = await m.save(rl.io.withSaveHandler(() => ({}))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg).toMatch(/'triple'/);
    expect(msg).toMatch(/\bScale3\b/);
    expect(msg).toMatch(/inherits.*'Scale2'/);
    expect(msg).toMatch(/its own static className/);
    expect(msg).toMatch(/rl\.serialization\.registerClass/);
    const seq = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [2] }), new Scale3({ name: 'seq_triple' })] });
    await expect(seq.save(rl.io.withSaveHandler(() => ({})))).rejects.toThrow(/'seq_triple'.*Scale3/);
  });

  it('with its own className registered, saves and reloads with its own behaviour', async () => {
    const inp = rl.input({ shape: [2] });
    const out = new Scale3Own({ name: 'triple_own' }).apply(inp) as rl.SymbolicTensor;
    const m = rl.model({ inputs: inp, outputs: out });
    const { back } = await roundTrip(m);
    const x = rl.tensor([[1, -2]]);
    expect(values(back.predict(x))).toEqual([3, -6]);
    expect(back.getLayer('triple_own')).toBeInstanceOf(Scale3Own);
    // The parent still saves and loads as itself.
    const p = rl.model({ inputs: inp, outputs: new Scale2({ name: 'double' }).apply(inp) as rl.SymbolicTensor });
    expect(values((await roundTrip(p)).back.predict(x))).toEqual([2, -4]);
  });
});
