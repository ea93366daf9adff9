/**
 * A model's own config fields: its trainable flag is written and read (Keras 3 writes it for Functional and
 * Sequential models, nested ones too), its name must be a non-empty string, and an unknown key is an error naming it
 * (as an unknown layer-config key is). Functional.fromConfig rebuilds what getConfig describes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

type Artifacts = Parameters<typeof rl.io.fromMemory>[0];
type Cfg = Record<string, unknown> & { layers: { name: string; config: Record<string, unknown> }[] };

async function roundTrip<M extends rl.Functional | rl.Sequential>(m: M): Promise<M> {
  let art: Artifacts | undefined;
  await m.save(rl.io.withSaveHandler(async (a) => { art = a as Artifacts; return {}; }));
  return await rl.loadLayersModel(rl.io.fromMemory(art!)) as M;
}

/** inner (il) nested in M with h; inner frozen, il set back to true: the model's false wins (Keras, tfjs). */
function frozenInner() {
  const i = rl.input({ shape: [2], name: 'i' });
  const inner = rl.model({ inputs: i, outputs: rl.layers.dense({ units: 2, name: 'il' }).apply(i) as rl.SymbolicTensor, name: 'inner' });
  const j = rl.input({ shape: [2], name: 'j' });
  const M = rl.model({ inputs: j, outputs: rl.layers.dense({ units: 1, name: 'h' }).apply(inner.apply(j) as rl.SymbolicTensor) as rl.SymbolicTensor, name: 'M' });
  inner.trainable = false;
  inner.getLayer('il').trainable = true;
  return M;
}

const keras3 = () => JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'converter_files', 'keras3_functional', 'model.json'), 'utf8'));
const fromKeras3 = (edit: (mc: { config: Cfg }) => void) => {
  const j = keras3();
  edit(j.modelTopology.model_config);
  return rl.models.modelFromJSON({ modelTopology: j.modelTopology }) as Promise<rl.Functional>;
};
const encoder = (mc: { config: Cfg }) => mc.config.layers.find((l) => l.name === 'encoder')!.config;

describe("a model's own trainable flag", () => {
  it('a frozen nested model whose layer is set back to true stays frozen after save and load', async () => {
    const M = frozenInner();
    expect(M.trainableWeights.map((w) => w.name)).toEqual(['h/kernel', 'h/bias']);
    const back = await roundTrip(M);
    expect((back.getLayer('inner') as unknown as rl.Functional).trainable).toBe(false);
    expect((back.getLayer('inner') as unknown as rl.Functional).getLayer('il').trainable).toBe(true);
    expect(back.trainableWeights.map((w) => w.name)).toEqual(['h/kernel', 'h/bias']);
    expect(back.nonTrainableWeights.map((w) => w.name)).toEqual(['il/kernel', 'il/bias']);
  });

  it('a frozen top-level Functional or Sequential model stays frozen, its layers keep their own flags', async () => {
    const M = frozenInner();
    M.trainable = false;
    M.getLayer('h').trainable = true;
    const back = await roundTrip(M);
    expect(back.trainable).toBe(false);
    expect(back.getLayer('h').trainable).toBe(true);
    expect(back.trainableWeights).toEqual([]);
    const s = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2], name: 'sd' })], name: 'S' });
    s.trainable = false;
    s.layers[0].trainable = true;
    const sBack = await roundTrip(s);
    expect(sBack.trainable).toBe(false);
    expect(sBack.layers[0].trainable).toBe(true);
    expect(sBack.trainableWeights).toEqual([]);
  });

  it('Keras 3 files: trainable false on a nested or top-level Functional is honoured; a non-boolean is an error naming it', async () => {
    const plain = await fromKeras3(() => undefined);
    const all = plain.trainableWeights.length;
    expect(all).toBeGreaterThan(0);
    const nested = await fromKeras3((mc) => { encoder(mc).trainable = false; });
    const enc = nested.getLayer('encoder') as unknown as rl.Functional;
    expect(enc.trainable).toBe(false);
    expect(nested.trainableWeights.length).toBe(all - enc.weights.length);
    expect(nested.trainableWeights.some((w) => enc.weights.includes(w))).toBe(false);
    const top = await fromKeras3((mc) => { mc.config.trainable = false; });
    expect(top.trainable).toBe(false);
    expect(top.trainableWeights).toEqual([]);
    await expect(fromKeras3((mc) => { encoder(mc).trainable = 'no'; })).rejects.toThrow(/nested model 'encoder'.*the model's trainable must be true or false, got the string "no"/);
  });
});

describe("a model config's keys and name", () => {
  it('an unknown key in a top-level or nested model config is an error naming it; the fixtures\' keys load', async () => {
    await expect(fromKeras3((mc) => { mc.config.foo = 1; })).rejects.toThrow(/the Functional model config has key 'foo', which rnnlab does not read \(it reads name, trainable, layers, input_layers, output_layers\)/);
    await expect(fromKeras3((mc) => { encoder(mc).bar = 1; })).rejects.toThrow(/nested model 'encoder'.*has key 'bar'/);
    const topo = JSON.parse(rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] }).toJSON() as string);
    topo.config.baz = 1;
    await expect(rl.models.modelFromJSON({ modelTopology: topo })).rejects.toThrow(/modelTopology\.config: the Sequential model config has key 'baz'/);
  });

  it('a non-string or empty name is refused naming name; null stands for the default', async () => {
    const i = rl.input({ shape: [2] });
    const out = rl.layers.dense({ units: 1 }).apply(i) as rl.SymbolicTensor;
    expect(() => rl.model({ inputs: i, outputs: out, name: 5 as never })).toThrow(/model: name must be a non-empty string, got number 5/);
    expect(() => rl.model({ inputs: i, outputs: out, name: '' })).toThrow(/model: name must be a non-empty string, got the string ""/);
    expect(() => rl.sequential({ name: 7 as never })).toThrow(/sequential: name must be a non-empty string, got number 7/);
    expect(() => rl.layers.dense({ units: 1, name: 5 as never })).toThrow(/Dense: name must be a non-empty string, got number 5/);
    expect(() => rl.layers.dense({ units: 1, name: '' })).toThrow(/Dense: name must be a non-empty string/);
    expect(rl.layers.dense({ units: 1, name: null as never }).name).toMatch(/^dense/);
    expect(rl.model({ inputs: i, outputs: out, name: null as never }).name).toMatch(/^model/);
    await expect(fromKeras3((mc) => { mc.config.name = 5; })).rejects.toThrow(/the model's name must be a non-empty string, got number 5/);
    expect((await fromKeras3((mc) => { mc.config.name = null; })).name).toMatch(/^model/);
  });
});

describe('Functional.fromConfig', () => {
  it("rebuilds getConfig's model in tfjs's (cls, config) and Keras's (config) forms, under every exported name", () => {
    rl.setSeed(1);
    const a = rl.input({ shape: [3], name: 'fa' }), b = rl.input({ shape: [2], name: 'fb' });
    const d = rl.layers.dense({ units: 2, name: 'fd' });
    const m = rl.model({ inputs: [a, b], outputs: [d.apply(a) as rl.SymbolicTensor, rl.layers.concatenate({ name: 'fc' }).apply([d.apply(a) as rl.SymbolicTensor, b]) as rl.SymbolicTensor], name: 'fm' });
    m.getLayer('fc').trainable = false;
    const cfg = m.getConfig();
    expect(cfg.trainable).toBe(true);
    for (const back of [rl.Functional.fromConfig(rl.Functional, cfg), rl.Functional.fromConfig(cfg), rl.Model.fromConfig(rl.Model, cfg), rl.LayersModel.fromConfig(cfg)]) {
      expect(back).toBeInstanceOf(rl.Functional);
      expect(back.name).toBe('fm');
      expect(back.inputNames).toEqual(['fa', 'fb']);
      expect(back.outputNames).toEqual(['fd', 'fc']);
      expect(back.countParams()).toBe(8);
      expect(back.getLayer('fc').trainable).toBe(false);
      expect(back.getConfig()).toEqual(cfg);
    }
    const s = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
    expect(() => rl.Functional.fromConfig(s.getConfig())).toThrow(/Functional\.fromConfig/);
    expect(() => rl.Functional.fromConfig(rl.Functional, 5)).toThrow(/Functional\.fromConfig: expected a config object/);
  });
});
