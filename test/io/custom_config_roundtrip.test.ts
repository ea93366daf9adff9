/**
 * A user-registered layer's config comes back as its getConfig() gave it, through a saved folder, getConfig ->
 * fromConfig and toJSON -> modelFromJSON: its keys follow tfjs's convention at every depth (camelCase in getConfig,
 * snake_case in the file), keys that are no identifiers ('New York') stay as given, and what would not come back (a
 * snake_case key at any depth, a value JSON cannot hold) is refused at the save naming the layer, its class and the
 * key. Files written that way before (by tfjs, or older rnnlab) keep loading.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { Tensor } from '../../src/tensor.js';
import { removeDir, tempDir } from './helpers.js';

const root = tempDir('rnnlab-custom-cfg-');
afterAll(() => removeDir(root));

const values = (t: unknown): number[] => Array.from((t as Tensor).dataSync());

type Table = Record<string, unknown>;

/** y = x * scale * table.weights[0]: the prediction depends on both options, so a lost or renamed one shows. */
class CcrScale extends rl.layers.Layer {
  static override readonly className: string = 'CcrScale';
  readonly scaleBy: number;
  readonly table: Table;
  constructor(args: { scaleBy: number; table: Table; name?: string }) { super(args); this.scaleBy = args.scaleBy; this.table = args.table; }
  computeOutputShape(s: (number | null)[]): (number | null)[] { return s; }
  call(x: Tensor | Tensor[]): Tensor {
    const w = (this.table.weights as number[] | undefined)?.[0] ?? Number.NaN;
    return rl.mul(Array.isArray(x) ? x[0] : x, rl.scalar(this.scaleBy * w));
  }
  override getConfig(): Record<string, unknown> { return { ...super.getConfig(), scaleBy: this.scaleBy, table: this.table }; }
}
rl.serialization.registerClass(CcrScale);

/** A config written with Keras's snake_case key: it would be read back as hiddenSize. */
class CcrSnake extends rl.layers.Layer {
  static override readonly className: string = 'CcrSnake';
  readonly hidden_size: number;
  constructor(args: { hidden_size: number; name?: string }) { super(args); this.hidden_size = args.hidden_size; }
  call(x: Tensor | Tensor[]): Tensor { return rl.mul(Array.isArray(x) ? x[0] : x, rl.scalar(this.hidden_size)); }
  override getConfig(): Record<string, unknown> { return { ...super.getConfig(), hidden_size: this.hidden_size }; }
}
rl.serialization.registerClass(CcrSnake);

const TABLE: Table = {
  weights: [3],
  fooBar: 2, 'New York': 3, 'hello world': 4,
  nested: { innerList: [1, { innerKey: 2, x: 'Keep Me' }] },
};
/** TABLE as the file spells it: identifiers in snake_case at every depth, other keys as given. */
const TABLE_IN_FILE: Table = {
  weights: [3],
  foo_bar: 2, 'New York': 3, 'hello world': 4,
  nested: { inner_list: [1, { inner_key: 2, x: 'Keep Me' }] },
};

function scaleModel(table: Table = TABLE): rl.Functional {
  const inp = rl.input({ shape: [2] });
  return rl.model({ inputs: inp, outputs: new CcrScale({ name: 'v', scaleBy: 2, table }).apply(inp) as rl.SymbolicTensor });
}

function snakeModel(): rl.Functional {
  const inp = rl.input({ shape: [2] });
  return rl.model({ inputs: inp, outputs: new CcrSnake({ name: 's', hidden_size: 3 }).apply(inp) as rl.SymbolicTensor });
}

const x = rl.tensor([[1, -2], [0.5, 4]]);

describe('a custom layer config round-trips', () => {
  it('through a saved folder: identifier keys snake_case in the file at every depth, as tfjs writes them', async () => {
    const m = scaleModel();
    const dir = join(root, 'folder');
    await m.save(`file://${dir}`);
    const file = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const entry = file.modelTopology.config.layers.find((l: { name: string }) => l.name === 'v');
    expect(entry.config.scale_by).toBe(2);
    expect(entry.config.table).toEqual(TABLE_IN_FILE);
    const back = await rl.loadLayersModel(`file://${dir}`);
    const v = back.getLayer('v') as CcrScale;
    expect(v).toBeInstanceOf(CcrScale);
    expect(v.scaleBy).toBe(2);
    expect(v.table).toEqual(TABLE);
    expect(Object.keys(v.table)).toEqual(Object.keys(TABLE));
    expect(values(back.predict(x))).toEqual([6, -12, 3, 24]);
  });

  it('through getConfig -> fromConfig and toJSON -> modelFromJSON', async () => {
    const m = scaleModel();
    const cfg = m.getConfig() as { layers: { name: string; config: Record<string, unknown> }[] };
    const own = cfg.layers.find((l) => l.name === 'v')!.config;
    expect(own.scaleBy).toBe(2);
    expect(own.table).toEqual(TABLE);
    const viaConfig = rl.Functional.fromConfig(rl.Functional, cfg);
    expect((viaConfig.getLayer('v') as CcrScale).table).toEqual(TABLE);
    expect(values(viaConfig.predict(x))).toEqual([6, -12, 3, 24]);
    const viaJSON = await rl.models.modelFromJSON(m.toJSON());
    expect((viaJSON.getLayer('v') as CcrScale).table).toEqual(TABLE);
    expect(values(viaJSON.predict(x))).toEqual([6, -12, 3, 24]);
  });

  it('in a Sequential and inside a built-in wrapper (TimeDistributed)', async () => {
    const seq = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [2], kernelInitializer: 'ones', useBias: false }), new CcrScale({ name: 'v', scaleBy: 1, table: TABLE })] });
    const backSeq = await rl.models.modelFromJSON(seq.toJSON());
    expect((backSeq.getLayer('v') as CcrScale).table).toEqual(TABLE);
    expect(values(backSeq.predict(x))).toEqual([-3, -3, 13.5, 13.5]);

    const inp = rl.input({ shape: [3, 2] });
    const td = rl.layers.timeDistributed({ layer: new CcrScale({ name: 'inner', scaleBy: 2, table: TABLE }), name: 'td' });
    const m = rl.model({ inputs: inp, outputs: td.apply(inp) as rl.SymbolicTensor });
    const dir = join(root, 'wrapped');
    await m.save(`file://${dir}`);
    const file = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const tdEntry = file.modelTopology.config.layers.find((l: { name: string }) => l.name === 'td');
    expect(tdEntry.config.layer.config.table).toEqual(TABLE_IN_FILE);
    expect(tdEntry.config.layer.config.scale_by).toBe(2);
    const back = await rl.loadLayersModel(`file://${dir}`);
    const inner = (back.getLayer('td') as unknown as { layer: CcrScale }).layer;
    expect(inner.table).toEqual(TABLE);
    const x3 = rl.ones([1, 3, 2]);
    expect(values(back.predict(x3))).toEqual(values(m.predict(x3)));
  });

  it('a file tfjs or an older rnnlab wrote (nested keys in snake_case) loads with camelCase keys', async () => {
    const m = scaleModel();
    const dir = join(root, 'older');
    await m.save(`file://${dir}`);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    json.modelTopology.config.layers.find((l: { name: string }) => l.name === 'v').config.table = { weights: [3], scale_note: { deep_key: 1 } };
    const back = await rl.loadLayersModel(rl.io.fromMemory(json.modelTopology, json.weightsManifest[0].weights, readFileSync(join(dir, json.weightsManifest[0].paths[0])).buffer));
    expect((back.getLayer('v') as CcrScale).table).toEqual({ weights: [3], scaleNote: { deepKey: 1 } });
  });

  it('keeps converting {className, config} objects of rnnlab classes inside a custom config', async () => {
    const table = { weights: [1], sub: { className: 'LSTM', config: { units: 2, returnSequences: true } }, init: { className: 'RandomNormal', config: { stddev: 0.5, seed: 3 } } };
    const m = scaleModel(table);
    const topo = JSON.parse(m.toJSON() as string);
    const saved = topo.config.layers.find((l: { name: string }) => l.name === 'v').config.table;
    expect(saved.sub).toEqual({ class_name: 'LSTM', config: { units: 2, return_sequences: true } });
    expect(saved.init).toEqual({ class_name: 'RandomNormal', config: { stddev: 0.5, seed: 3 } });
    const back = await rl.models.modelFromJSON(m.toJSON());
    expect((back.getLayer('v') as CcrScale).table).toEqual(table);
  });
});

describe('a custom layer config that would not come back is refused at the save', () => {
  const snakeMessage = /layer 's' \(CcrSnake\): config key 'hidden_size' would not load back as given .*'hiddenSize'.*use camelCase keys/;

  it('a snake_case key inside a value (a lookup table): refused naming its path', async () => {
    const m = scaleModel({ ...TABLE, hello_world: 1 });
    const message = /layer 'v' \(CcrScale\): config value 'table\.hello_world' would not load back as given .*'helloWorld'/;
    await expect(m.save(`file://${join(root, 'nested-snake')}`)).rejects.toThrow(message);
    expect(existsSync(join(root, 'nested-snake', 'model.json'))).toBe(false);
    expect(() => m.toJSON()).toThrow(message);
  });

  it('a snake_case key: save, toJSON and getConfig name the layer, the class and the key; no file is written', async () => {
    const m = snakeModel();
    expect(values(m.predict(x))).toEqual([3, -6, 1.5, 12]);
    const dir = join(root, 'snake');
    await expect(m.save(`file://${dir}`)).rejects.toThrow(snakeMessage);
    expect(existsSync(join(dir, 'model.json'))).toBe(false);
    expect(() => m.toJSON()).toThrow(snakeMessage);
    expect(() => m.getConfig()).toThrow(snakeMessage);
  });

  const bad: [string, () => unknown, RegExp][] = [
    ['NaN', () => ({ weights: [1], t: Number.NaN }), /config value 'table\.t' is NaN/],
    ['Infinity', () => ({ weights: [1], deep: { t: Number.POSITIVE_INFINITY } }), /config value 'table\.deep\.t' is Infinity/],
    ['-Infinity in a list', () => ({ weights: [1, Number.NEGATIVE_INFINITY] }), /config value 'table\.weights\[1\]' is -Infinity/],
    ['a function', () => ({ weights: [1], fn: (v: number) => v }), /config value 'table\.fn' is a function/],
    ['undefined in a list', () => ({ weights: [1, undefined] }), /config value 'table\.weights' is a list whose entry 1 is undefined/],
    ['a Tensor', () => ({ weights: [1], t: rl.ones([2]) }), /config value 'table\.t' is a Tensor, not a plain object/],
    ['a Map', () => ({ weights: [1], m: new Map([['a', 1]]) }), /config value 'table\.m' is a Map/],
    ['a typed array', () => ({ weights: [1], f: new Float32Array(2) }), /config value 'table\.f' is a Float32Array/],
    ['a bigint', () => ({ weights: [1], b: 3n }), /config value 'table\.b' is the bigint 3n/],
  ];
  for (const [label, table, message] of bad) {
    it(`${label}: refused naming the layer, its class and the key path`, async () => {
      const m = scaleModel(table() as Table);
      const full = new RegExp(`layer 'v' \\(CcrScale\\): ${message.source}`);
      const dir = join(root, `bad-${label.replace(/\W+/g, '-')}`);
      await expect(m.save(`file://${dir}`)).rejects.toThrow(full);
      expect(existsSync(join(dir, 'model.json'))).toBe(false);
      expect(() => m.toJSON()).toThrow(full);
    });
  }

  it('a top-level value JSON cannot hold names the key itself', () => {
    const m = scaleModel();
    (m.getLayer('v') as unknown as { scaleBy: number }).scaleBy = Number.NaN;
    expect(() => m.toJSON()).toThrow(/layer 'v' \(CcrScale\): config key 'scaleBy' is NaN/);
  });
});
