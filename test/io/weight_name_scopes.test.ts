/**
 * Keras scopes a recurrent layer's weights under its cell ('lstm/lstm_cell_4/kernel'), tfjs and rnnlab do not. The
 * cell scope is recognised only inside a recurrent layer's or wrapper's weight path: a layer whose own name ends in
 * '_cell' or '_cell_<n>' keeps its weights.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { removeDir, tempDir } from './helpers.js';

type Manifest = { paths: string[]; weights: { name: string }[] }[];

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

/** A model whose layer names all look like Keras cell scopes. */
function cellNamedModel(): rl.Sequential {
  rl.setSeed(11);
  return rl.sequential({
    layers: [
      rl.layers.lstm({ units: 3, returnSequences: true, inputShape: [4, 2], name: 'memory_cell_2' }),
      rl.layers.bidirectional({ layer: rl.layers.gru({ units: 2, name: 'memory_cell' }), name: 'bi_cell' }),
      rl.layers.dense({ units: 2, name: 'out_cell' }),
    ],
  });
}

const x = () => rl.tensor(Float32Array.from({ length: 2 * 4 * 2 }, (_, i) => Math.sin(i * 0.9)), [2, 4, 2]);

async function saved(m: rl.Sequential): Promise<string> {
  const dir = tempDir('rnnlab-cell-names-');
  dirs.push(dir);
  await m.save(`file://${dir}`);
  return dir;
}

function renameWeights(dir: string, rename: (name: string) => string): string[] {
  const file = join(dir, 'model.json');
  const json = JSON.parse(readFileSync(file, 'utf8')) as { weightsManifest: Manifest };
  for (const g of json.weightsManifest) for (const w of g.weights) w.name = rename(w.name);
  writeFileSync(file, JSON.stringify(json));
  return json.weightsManifest.flatMap((g) => g.weights.map((w) => w.name));
}

describe('weight names and Keras cell scopes', () => {
  it('a model with layers named memory_cell_2, bi_cell (over memory_cell) and out_cell loads back from its own save', async () => {
    const m = cellNamedModel();
    const dir = await saved(m);
    const names = renameWeights(dir, (n) => n);
    expect(names).toContain('out_cell/kernel');
    expect(names).toContain('memory_cell_2/kernel');
    expect(names).toContain('bi_cell/forward_memory_cell/kernel');
    const back = await rl.loadLayersModel(`file://${dir}`);
    expect(back.layers.map((l) => l.name)).toEqual(['memory_cell_2', 'bi_cell', 'out_cell']);
    expect(Array.from((back.predict(x()) as rl.Tensor).values)).toEqual(Array.from(m.predict(x()).values));
  });

  it('converter-style names (a cell scope above the leaf, a :0 suffix) map to the same weights', async () => {
    const m = cellNamedModel();
    const dir = await saved(m);
    const names = renameWeights(dir, (n) => {
      const [layer, ...rest] = n.split('/');
      if (layer === 'memory_cell_2') return `${layer}/lstm_cell_4/${rest.join('/')}:0`;
      if (layer === 'bi_cell') return `${layer}/${rest[0]}/gru_cell_${rest[0].startsWith('forward') ? 1 : 2}/${rest[1]}`;
      return n;
    });
    expect(names).toContain('memory_cell_2/lstm_cell_4/kernel:0');
    expect(names).toContain('bi_cell/backward_memory_cell/gru_cell_2/recurrent_kernel');
    const back = await rl.loadLayersModel(`file://${dir}`);
    expect(Array.from((back.predict(x()) as rl.Tensor).values)).toEqual(Array.from(m.predict(x()).values));
  });

  it('a cell scope is not dropped from a Dense weight, nor a first segment from any weight', async () => {
    const dir = await saved(cellNamedModel());
    renameWeights(dir, (n) => (n.startsWith('out_cell/') ? n.replace('out_cell/', 'out_cell/dense_cell/') : n));
    await expect(rl.loadLayersModel(`file://${dir}`)).rejects.toThrow(/missing weight 'out_cell\/kernel' \(shape \[4, 2\]\) for layer 'out_cell' \(Dense\)/);

    const dir2 = await saved(cellNamedModel());
    renameWeights(dir2, (n) => (n.startsWith('out_cell/') ? `lstm_cell/${n}` : n));
    await expect(rl.loadLayersModel(`file://${dir2}`)).rejects.toThrow(/missing weight 'out_cell\/kernel'/);
  });
});
