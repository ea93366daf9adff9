/**
 * tfjs scopes a weight's name by its layer only inside build/apply: a weight a custom layer adds in its constructor,
 * or after it was built, is named and saved bare ('v', 'extra'), where rnnlab names it '<layer>/<leaf>'. Loading such
 * a file pairs the bare name with the one weight of that leaf; two weights that could take it stay an error.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as rl from '../../src/index.js';
import { folderSaveHandler, maxDiff, removeDir, tempDir } from '../compat/functional_helpers.js';
import { randomF32, tfjsReady, toTf } from '../layers/tfjs_twin.js';

beforeAll(() => tfjsReady());
const root = tempDir('rnnlab-unscoped-');
afterAll(() => removeDir(root));

type Lib = typeof rl | typeof tf;

/**
 * The same custom layer for both libraries: 'v' made in the constructor, 'k' in build. With withExtra, a tfjs program
 * adds 'extra' to the built layer (so tfjs names it bare); the rnnlab twin makes it in its constructor.
 */
function defineLayer(lib: Lib) {
  const l = lib as any;
  class UnscopedR49 extends l.layers.Layer {
    static className = 'UnscopedR49';
    v: any; k: any; extra: any; withExtra: boolean;
    constructor(a: any) {
      super(a);
      this.withExtra = a.withExtra ?? false;
      this.v = this.addWeight('v', [1], 'float32', l.initializers.constant({ value: 2 }));
      if (this.withExtra && lib === rl) this.extra = this.addWeight('extra', [2], 'float32', l.initializers.zeros());
    }
    getConfig() { return { ...super.getConfig(), withExtra: this.withExtra }; }
    build(s: number[]) { this.k = this.addWeight('k', [s[s.length - 1], 2], 'float32', l.initializers.ones()); this.built = true; }
    computeOutputShape(s: number[]) { return [s[0], 2]; }
    call(x: any) {
      const y = l.mul(l.matMul(Array.isArray(x) ? x[0] : x, this.k.read()), this.v.read());
      return this.extra ? l.add(y, this.extra.read()) : y;
    }
  }
  l.serialization.registerClass(UnscopedR49);
  return UnscopedR49;
}
const TfLayer = defineLayer(tf);
defineLayer(rl);

/** x -> custom layer(s) -> dense, in tfjs, with every weight set to distinct values, saved as tfjs saves it. */
async function tfjsFile(name: string, customs: string[], extraAfterBuild: boolean): Promise<{ dir: string; m: tf.LayersModel }> {
  const x = tf.input({ shape: [3], name: 'x' });
  const layers = customs.map((n) => new TfLayer({ name: n }));
  let h: any = x;
  for (const c of layers) h = c.apply(h);
  if (extraAfterBuild) {
    layers[0].extra = layers[0].addWeight('extra', [2], 'float32', tf.initializers.zeros());
    layers[0].withExtra = true;
  }
  const m = tf.model({ inputs: x, outputs: tf.layers.dense({ units: 1, name: 'head' }).apply(h) as tf.SymbolicTensor });
  m.setWeights(m.weights.map((w, i) => tf.randomUniform(w.shape as number[], -1, 1, 'float32', 40 + i)));
  const dir = join(root, name);
  await m.save(folderSaveHandler(tf.io as never, dir) as tf.io.IOHandler);
  return { dir, m };
}

/** The weight names tfjs wrote (each weight's unscoped-by-process name: tfjs suffixes '_1' in memory only). */
const manifestNames = (dir: string): string[] =>
  JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).weightsManifest[0].weights.map((w: { name: string }) => w.name);

describe('weights tfjs names without their layer', () => {
  it('a constructor weight saved as bare "v" loads into <layer>/v; values and predictions match tfjs', async () => {
    const { dir, m } = await tfjsFile('ctor', ['cw'], false);
    expect(manifestNames(dir)).toEqual(['v', 'cw/k', 'head/kernel', 'head/bias']);
    const back = await rl.loadLayersModel(`file://${dir}/model.json`);
    expect(back.weights.map((w) => w.name)).toEqual(['cw/v', 'cw/k', 'head/kernel', 'head/bias']);
    const want = m.getWeights().map((w) => Array.from(w.dataSync()));
    expect(back.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(want);
    const x = randomF32([4, 3], 7);
    const got = (back.predict(x) as rl.Tensor).dataSync();
    expect(maxDiff(got, (m.predict(toTf(x)) as tf.Tensor).dataSync())).toBeLessThan(1e-6);
  });

  it('a weight added after build, saved as bare "extra", loads into <layer>/extra', async () => {
    const { dir, m } = await tfjsFile('late', ['cw'], true);
    expect(manifestNames(dir)).toEqual(['v', 'cw/k', 'extra', 'head/kernel', 'head/bias']);
    const back = await rl.loadLayersModel(`file://${dir}/model.json`);
    expect(back.weights.map((w) => w.name)).toEqual(['cw/v', 'cw/extra', 'cw/k', 'head/kernel', 'head/bias']);
    const extra = m.getLayer('cw').weights.find((w) => w.originalName === 'extra')!;
    expect(Array.from(back.getLayer('cw').weights.find((w) => w.name === 'cw/extra')!.read().dataSync())).toEqual(Array.from(extra.read().dataSync()));
    const x = randomF32([4, 3], 8);
    const got = (back.predict(x) as rl.Tensor).dataSync();
    expect(maxDiff(got, (m.predict(toTf(x)) as tf.Tensor).dataSync())).toBeLessThan(1e-6);
  });

  it('two layers whose constructor weights tfjs both saves as "v": refused, the manifest names "v" twice', async () => {
    const { dir } = await tfjsFile('two', ['cw', 'cw2'], false);
    expect(manifestNames(dir)).toEqual(['v', 'cw/k', 'v', 'cw2/k', 'head/kernel', 'head/bias']);
    await expect(rl.loadLayersModel(`file://${dir}/model.json`)).rejects.toThrow(/weight 'v' appears twice in weightsManifest/);
  });

  it('one bare "v" that two layers\' weights could take: an error naming both, neither is guessed', async () => {
    const { dir } = await tfjsFile('one_of_two', ['cw', 'cw2'], false);
    // Drop the second 'v' (4 bytes after the first 'v' and cw/k's 3x2 floats) from the manifest and the data.
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    json.weightsManifest[0].weights.splice(2, 1);
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    const bin = readFileSync(join(dir, 'weights.bin'));
    writeFileSync(join(dir, 'weights.bin'), Buffer.concat([bin.subarray(0, 28), bin.subarray(32)]));
    await expect(rl.loadLayersModel(`file://${dir}/model.json`)).rejects.toThrow(
      /missing weight 'cw\/v'.* and 1 more.*'v' could be 'cw\/v' or 'cw2\/v'/);
    // tfjs's strict false: both keep their initial values, with a word of why.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    let warned = '';
    const back = await rl.loadLayersModel(`file://${dir}/model.json`, { strict: false }).finally(() => {
      warned = warn.mock.calls.map((c) => String(c[0])).join('\n');
      warn.mockRestore();
    });
    expect(warned).toMatch(/'v' could be 'cw\/v' or 'cw2\/v'; so 'cw\/v', 'cw2\/v' keep their initial values/);
    expect(Array.from(back.getLayer('cw2').weights.find((w) => w.name === 'cw2/v')!.read().dataSync())).toEqual([2]);
  });
});
