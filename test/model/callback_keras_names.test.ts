/** Keras's snake_case option names are aliases in the callbacks' constructors, as in fit and the optimizers. */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

describe("callbacks take Keras's option names", () => {
  it('earlyStopping, reduceLROnPlateau, modelCheckpoint and backupAndRestore read snake_case as camelCase', () => {
    const es = rl.callbacks.earlyStopping({ monitor: 'loss', min_delta: 0.5, restore_best_weights: true, start_from_epoch: 2 } as never);
    expect(es.minDelta).toBe(0.5);
    expect(es.restoreBestWeights).toBe(true);
    expect(es.startFromEpoch).toBe(2);
    const rlr = rl.callbacks.reduceLROnPlateau({ monitor: 'loss', min_lr: 0.001, min_delta: 0.01 } as never);
    expect(rlr.minLr).toBe(0.001);
    expect(rlr.minDelta).toBe(0.01);
  });

  it('refuses one option under both names, and names a misspelt Keras name', () => {
    expect(() => rl.callbacks.earlyStopping({ minDelta: 0.1, min_delta: 0.2 } as never)).toThrow('earlyStopping: give minDelta or its Keras name min_delta, not both');
    expect(() => rl.callbacks.reduceLROnPlateau({ min_lrr: 0.1 } as never)).toThrow(/ReduceLROnPlateau: unknown option 'min_lrr'/);
  });

  it('a snake_case option acts: restore_best_weights puts the best epoch back', async () => {
    const model = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [1], kernelInitializer: 'ones', biasInitializer: 'zeros' })] });
    model.compile({ optimizer: rl.optimizers.sgd({ learningRate: 0.01 }), loss: 'meanSquaredError' });
    const x = rl.tensor([[1], [2]]), y = rl.tensor([[2], [4]]);
    // A rising lr after epoch 1 makes the loss climb: the weights of epoch 1 (the best) must come back.
    const seen: number[][] = [];
    const h = await model.fit(x, y, { epochs: 4, verbose: 0, callbacks: [
      rl.callbacks.learningRateScheduler((e) => (e < 2 ? 0.01 : 2)),
      { onEpochEnd: () => { seen.push(Array.from(model.getWeights()[0].dataSync())); } },
      rl.callbacks.earlyStopping({ monitor: 'loss', patience: 10, restore_best_weights: true } as never),
    ] });
    const losses = h.history.loss as number[];
    const best = losses.indexOf(Math.min(...losses));
    expect(best).toBeLessThan(3);
    expect(seen[3]).not.toEqual(seen[best]);
    expect(Array.from(model.getWeights()[0].dataSync())).toEqual(seen[best]);
  });
});
