// includeOptimizer requests that tfjs could load but not continue from: a learning-rate schedule (tfjs 4.22 takes
// the schedule's config as its rate and trains to NaN) and an SGD at momentum 0 still holding velocity (tfjs's SGD
// file has no slot for it). Both are refused by name and leave an existing saved model whole.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { expectOldModelWhole, folderBytes, removeDir, tempDir } from './helpers.js';

const root = tempDir('rnnlab-saveopt-');
afterAll(() => removeDir(root));

const x = rl.tensor(Float32Array.from({ length: 12 }, (_, i) => Math.sin(i)), [4, 3]);
const y = rl.tensor([[1], [0], [1], [0]]);

function dense(optimizer: rl.Optimizer, seed = 3): rl.Sequential {
  rl.setSeed(seed);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, activation: 'tanh', inputShape: [3] }), rl.layers.dense({ units: 1 })] });
  m.compile({ optimizer, loss: 'meanSquaredError' });
  return m;
}
const decay = () => new rl.optimizers.schedules.ExponentialDecay({ initialLearningRate: 0.01, decaySteps: 10, decayRate: 0.5 });

describe('includeOptimizer refuses state tfjs cannot continue from', () => {
  it.each([
    ['Adam', () => rl.optimizers.adam({ learningRate: decay() })],
    ['SGD', () => rl.optimizers.sgd({ momentum: 0.9, learningRate: decay() })],
  ])('%s with a learning-rate schedule, by name, writing nothing', async (cls, make) => {
    const dir = join(root, `sched-${cls}`);
    const old = dense(rl.optimizers.adam(), 7);
    await old.save(dir, { includeOptimizer: true });
    const before = folderBytes(dir);
    const m = dense(make());
    await m.fit(x, y, { epochs: 1, verbose: 0 });
    const why = new RegExp(`save: includeOptimizer: the ${cls} optimizer's learning rate is a ExponentialDecay schedule, and tfjs 4.22's optimizers take only a numeric rate .* save without includeOptimizer`);
    await expect(m.save(dir, { includeOptimizer: true })).rejects.toThrow(why);
    expect(() => rl.io.modelArtifactsOf(m, { includeOptimizer: true })).toThrow(why);
    await expectOldModelWhole(dir, before, old, x);
    // Without includeOptimizer the schedule is kept in the training config, as before.
    const art = rl.io.modelArtifactsOf(m);
    expect(JSON.stringify(art.trainingConfig)).toContain('ExponentialDecay');
  });

  it('SGD set to momentum 0 while holding velocity, by name; without velocity it saves', async () => {
    const m = dense(rl.optimizers.sgd({ learningRate: 0.05, momentum: 0.9 }));
    await m.fit(x, y, { epochs: 1, verbose: 0 });
    (m.optimizer as rl.SGD).setMomentum(0);
    expect(() => rl.io.modelArtifactsOf(m, { includeOptimizer: true }))
      .toThrow(/cannot write the SGD optimizer's state: its momentum is 0 now but it holds velocity from earlier momentum steps/);
    const plain = dense(rl.optimizers.sgd({ learningRate: 0.05 }));
    await plain.fit(x, y, { epochs: 1, verbose: 0 });
    const art = rl.io.modelArtifactsOf(plain, { includeOptimizer: true });
    expect((art.trainingConfig as { optimizer_config: { class_name: string } }).optimizer_config.class_name).toBe('SGD');
  });
});
