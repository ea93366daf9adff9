/**
 * A loaded config takes each option in one spelling: a layer config (or a config nested in one, an RNN's cell) giving
 * go_backwards and goBackwards is refused naming both, as rl.layerClasses.LSTM.fromConfig refuses it, rather than
 * loaded with whichever key came last. A Sequential's own dtype (Keras 3 writes its policy; Keras's from_config does
 * not read it) must be a policy rnnlab runs.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

type Entry = { class_name: string; config: Record<string, unknown> };
type ModelJSON = { modelTopology: { config: { layers: Entry[] } & Record<string, unknown> } };

const root = mkdtempSync(join(tmpdir(), 'rnnlab-spellings-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const x = rl.tensor([0.1, -0.4, 0.3, 0.9, -0.2, 0.5], [1, 3, 2]);
let saved: ModelJSON;
let model: rl.Sequential;

beforeAll(async () => {
  model = rl.sequential({ layers: [
    rl.layers.lstm({ units: 2, returnSequences: true, inputShape: [3, 2], name: 'lstm' }),
    rl.layers.rnn({ cell: rl.layers.lstmCell({ units: 2, name: 'cell' }), name: 'rnn' }),
  ] });
  await model.save(`file://${join(root, 'base')}`);
  saved = JSON.parse(readFileSync(join(root, 'base', 'model.json'), 'utf8'));
});

/** The saved model with its layers' configs edited, written to its own folder beside the saved weights; its path. */
let count = 0;
function edited(edit: (layers: Entry[], config: Record<string, unknown>) => void): string {
  const j = structuredClone(saved);
  edit(j.modelTopology.config.layers, j.modelTopology.config);
  const dir = join(root, `m${count++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(j));
  for (const f of readdirSync(join(root, 'base'))) if (f !== 'model.json') copyFileSync(join(root, 'base', f), join(dir, f));
  return `file://${join(dir, 'model.json')}`;
}

const layer = (layers: Entry[], name: string) => layers.find((l) => l.config.name === name)!.config;
const cellConfig = (layers: Entry[]) => (layer(layers, 'rnn').cell as Entry).config;

describe('one option in two spellings in a loaded file', () => {
  it("a layer's config with go_backwards and goBackwards is refused naming both and the layer, whichever comes last", async () => {
    for (const [a, b] of [[false, true], [true, false]]) {
      const url = edited((ls) => { const c = layer(ls, 'lstm'); delete c.go_backwards; c.go_backwards = a; c.goBackwards = b; });
      await expect(rl.loadLayersModel(url)).rejects.toThrow(/\(LSTM 'lstm'\): the config gives both 'go_backwards' and 'goBackwards', two spellings/);
    }
  });

  it("a nested cell's config with both spellings is refused naming both and where the cell sits", async () => {
    const url = edited((ls) => { const c = cellConfig(ls); c.recurrentActivation = 'tanh'; });
    await expect(rl.loadLayersModel(url)).rejects.toThrow(/\(RNN 'rnn'\): the config\.cell\.config gives both 'recurrent_activation' and 'recurrentActivation'/);
  });

  it('each spelling alone loads and is read', async () => {
    const snake = await rl.loadLayersModel(edited((ls) => { layer(ls, 'lstm').go_backwards = true; }));
    const camel = await rl.loadLayersModel(edited((ls) => { const c = layer(ls, 'lstm'); delete c.go_backwards; c.goBackwards = true; }));
    for (const m of [snake, camel]) expect(m.getLayer('lstm').getConfig().goBackwards).toBe(true);
    const cell = await rl.loadLayersModel(edited((ls) => { const c = cellConfig(ls); delete c.recurrent_activation; c.recurrentActivation = 'tanh'; }));
    expect(((cell.getLayer('rnn').getConfig().cell as Entry).config).recurrentActivation).toBe('tanh');
    const same = await rl.loadLayersModel(edited(() => {}));
    expect([...(same.predict(x) as rl.Tensor).dataSync()]).toEqual([...(model.predict(x) as rl.Tensor).dataSync()]);
    expect([...(snake.predict(x) as rl.Tensor).dataSync()]).not.toEqual([...(model.predict(x) as rl.Tensor).dataSync()]);
  });

  it('Sequential.fromConfig refuses a config giving both spellings, as the file does', () => {
    const config = model.getConfig() as { layers: Entry[] };
    const c = layer(config.layers, 'lstm');
    c.go_backwards = true;
    expect(() => rl.Sequential.fromConfig(rl.Sequential, config as never)).toThrow(/gives both '(goBackwards' and 'go_backwards|go_backwards' and 'goBackwards)'/);
    delete c.goBackwards;
    expect(rl.Sequential.fromConfig(rl.Sequential, config as never).getLayer('lstm').getConfig().goBackwards).toBe(true);
  });
});

describe("a Sequential's own dtype in a file", () => {
  const policy = (name: unknown) => ({ module: 'keras', class_name: 'DTypePolicy', config: { name }, registered_name: null });

  it("is refused when it is no policy rnnlab runs, naming the field and the value", async () => {
    const refused: [unknown, string][] = [['banana', "unknown dtype policy 'banana'"], [policy('float64'), "dtype policy 'float64' is not supported"],
      ['mixed_float16', "dtype policy 'mixed_float16' is not supported"], [7, 'unknown dtype policy number 7']];
    for (const [dtype, says] of refused) {
      const url = edited((_ls, c) => { c.dtype = dtype; });
      const msg = await rl.loadLayersModel(url).then(() => 'loaded', (e: Error) => e.message);
      expect(msg).toContain(`model.json: modelTopology.config: the Sequential model's dtype: ${says}`);
    }
  });

  it("loads 'float32', Keras 3's DTypePolicy object and mixed_bfloat16, the policies rnnlab runs", async () => {
    for (const dtype of ['float32', policy('float32'), 'mixed_bfloat16', policy('mixed_bfloat16'), null]) {
      const m = await rl.loadLayersModel(edited((_ls, c) => { c.dtype = dtype; }));
      expect([...(m.predict(x) as rl.Tensor).dataSync()]).toEqual([...(model.predict(x) as rl.Tensor).dataSync()]);
    }
  });
});
