// ONNX import: every exported test model reads back as an equal Sequential (same layers, same predictions), PyTorch
// exports (Embedding -> LSTM/GRU/RNN -> last step -> Linear -> sigmoid, and a
// bidirectional GRU read from its final states) predict what ONNX Runtime and PyTorch computed
// and can be fine-tuned, and anything else is refused by name.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { loadOnnx, modelFromOnnx, toOnnx } from '../../src/onnx/index.js';
import { GraphBuilder } from '../../src/onnx/graph.js';
import { CASES, trainedCase } from './cases.js';
import { maxAbsDiff, ortPredict, ortSession } from './helpers.js';

const TOL = 1e-5;
const FIXTURES = join(__dirname, '..', 'fixtures', 'onnx');

describe('exported models import back unchanged', () => {
  for (const c of CASES) {
    it(c.title, async () => {
      const { model: original, x } = await trainedCase(c);
      const imported = modelFromOnnx(toOnnx(original), 'roundtrip.onnx');
      expect(imported.layers.map((l) => l.className)).toEqual(original.layers.filter((l) => l.className !== 'Dropout').map((l) => l.className));
      expect(maxAbsDiff(imported.predict(x).values, original.predict(x).values)).toBeLessThanOrEqual(TOL);
    });
  }
});

describe('PyTorch exports (scripts/gen_onnx_fixtures.py)', () => {
  const LAYERS: Record<string, string[]> = {
    torch_lstm: ['Embedding', 'LSTM', 'Dense'], torch_gru: ['Embedding', 'GRU', 'Dense'],
    torch_rnn: ['Embedding', 'SimpleRNN', 'Dense'], torch_bigru: ['Embedding', 'Bidirectional', 'Dense'],
  };
  for (const name of Object.keys(LAYERS)) {
    it(`${name}: predict equals ONNX Runtime and PyTorch, and fine-tuning lowers its loss`, async () => {
      const path = join(FIXTURES, `${name}.onnx`);
      const sample = JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as { ids: number[][]; shape: number[]; torch_output: number[] };
      const x = rl.tensor(Int32Array.from(sample.ids.flat()), sample.shape, 'int32');
      const m = await loadOnnx(path);
      expect(m.layers.map((l) => l.className)).toEqual(LAYERS[name]);
      const ours = m.predict(x).values;
      const ort = await ortPredict(await ortSession(readFileSync(path)), x);
      expect(maxAbsDiff(ours, ort)).toBeLessThanOrEqual(TOL);
      expect(maxAbsDiff(ours, sample.torch_output)).toBeLessThanOrEqual(TOL);
      // Fine-tuning: one epoch of training on labels changes the weights and the loss.
      const y = rl.tensor(Float32Array.from(sample.ids, (row) => (row[0] % 2 === 0 ? 1 : 0)), [sample.shape[0], 1]);
      m.compile({ optimizer: rl.train.adam(0.05), loss: 'binaryCrossentropy' });
      const before = (m.evaluate(x, y, { verbose: 0 } as never) as rl.Tensor).dataSync()[0];
      await m.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0 });
      const after = (m.evaluate(x, y, { verbose: 0 } as never) as rl.Tensor).dataSync()[0];
      expect(after).toBeLessThan(before);
    });
  }
});

describe('ONNX import refuses what it cannot read, naming it', () => {
  it('an operator outside the supported chain', () => {
    const g = new GraphBuilder();
    const y = g.node('Erf', ['x'], {}, 'odd');
    const bytes = g.toBytes({ name: 'x', elemType: 'float32', shape: ['batch', 3] }, { name: y, elemType: 'float32', shape: ['batch', 3] }, 'g', '');
    expect(() => modelFromOnnx(bytes, 'odd.onnx')).toThrow(/odd\.onnx: node 'odd_node' \(Erf\): operator Erf is not imported/);
  });

  it('an LSTM with clip', () => {
    const g = new GraphBuilder();
    const xt = g.node('Transpose', ['x'], { perm: [1, 0, 2] });
    const W = g.floats('W', new Float32Array(4 * 2 * 3), [1, 8, 3]), R = g.floats('R', new Float32Array(4 * 2 * 2), [1, 8, 2]);
    const [, h] = g.nodeN('LSTM', [xt, W, R], { hidden_size: 2, clip: { float: 3 } }, 'clipped', 2);
    const y = g.node('Squeeze', [h, g.ints([0])]);
    const bytes = g.toBytes({ name: 'x', elemType: 'float32', shape: ['batch', 4, 3] }, { name: y, elemType: 'float32', shape: ['batch', 2] }, 'g', '');
    expect(() => modelFromOnnx(bytes, 'clip.onnx')).toThrow(/clip\.onnx: node 'clipped_node' \(LSTM\): attribute 'clip'/);
  });

  it('a file that is not ONNX, and a missing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rnnlab-onnx-'));
    try {
      const bad = join(dir, 'bad.onnx');
      await writeFile(bad, 'this is not protobuf \u00ff\u00ff\u00ff');
      await expect(loadOnnx(bad)).rejects.toThrow(/bad\.onnx: not an ONNX model/);
      await expect(loadOnnx(join(dir, 'missing.onnx'))).rejects.toThrow(/cannot read ONNX file '.*missing\.onnx'/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
