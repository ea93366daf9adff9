// Per-output metrics survive save and load (model.json's trainingConfig.metrics as {outputName: [metrics]}).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { twoHeads } from '../helpers/two_heads.js';

describe('per-output metrics round trip', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlab-metrics-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are saved per output and load back per output, with the same evaluate numbers', async () => {
    const m = twoHeads();
    m.compile({ optimizer: 'sgd', loss: ['categoricalCrossentropy', 'mse'], metrics: { o1: 'accuracy', o2: ['mae'] } });
    await m.save(`file://${join(dir, 'm')}`);
    const json = JSON.parse(readFileSync(join(dir, 'm', 'model.json'), 'utf8'));
    expect(json.trainingConfig.metrics).toEqual({ o1: ['accuracy'], o2: ['mae'] });
    const back = await rl.loadLayersModel(`file://${join(dir, 'm')}`) as rl.Functional;
    expect(back.metricsNames).toEqual(['loss', 'o1_loss', 'o2_loss', 'o1_accuracy', 'o2_mae']);
    const x = rl.tensor2d([[1, 2, 3], [0, -1, 2]]), y = [rl.tensor2d([[1, 0], [0, 1]]), rl.tensor2d([[0.5], [-1]])];
    const a = (m.evaluate(x, y) as rl.Scalar[]).map((t) => t.dataSync()[0]);
    const b = (back.evaluate(x, y) as rl.Scalar[]).map((t) => t.dataSync()[0]);
    expect(b).toEqual(a);
  });

  it('the same metrics for every output stay a list', async () => {
    const m = twoHeads();
    m.compile({ optimizer: 'sgd', loss: ['categoricalCrossentropy', 'mse'], metrics: ['mae'] });
    await m.save(`file://${join(dir, 'l')}`);
    expect(JSON.parse(readFileSync(join(dir, 'l', 'model.json'), 'utf8')).trainingConfig.metrics).toEqual(['mae']);
    const back = await rl.loadLayersModel(`file://${join(dir, 'l')}`) as rl.Functional;
    expect(back.metricsNames).toEqual(m.metricsNames);
  });
});
