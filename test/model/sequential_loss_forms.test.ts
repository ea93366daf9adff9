/**
 * Sequential.compile takes loss in every form Keras and tfjs take for a one-output model, as the Functional does:
 * a name or a function, a list of one, or {<last layer's name>: loss}; a wrong count or an unknown output name is an
 * error naming it, and anything else says which forms are accepted.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const x = rl.tensor2d([[1, 2], [3, 4], [0, 1]]);
const y = rl.tensor2d([[1], [0], [2]]);

function model(): rl.Sequential {
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2], name: 'dd', kernelInitializer: 'ones', biasInitializer: 'zeros' })] });
  return m;
}

// predictions x . [1, 1] = 3, 7, 1 against 1, 0, 2: squared errors 4, 49, 1; absolute 2, 7, 1.
const MSE = (4 + 49 + 1) / 3;
const MAE = (2 + 7 + 1) / 3;

const lossOf = (m: rl.Sequential) => (m.evaluate(x, y) as rl.Tensor).dataSync()[0];

describe('Sequential.compile loss forms', () => {
  it.each([
    ['a name', 'meanSquaredError', MSE],
    ['a list of one', ['meanSquaredError'], MSE],
    ['{outputName: loss}', { dd: 'meanAbsoluteError' }, MAE],
    ['a list of one function', [(t: rl.Tensor, p: rl.Tensor) => rl.mean(rl.abs(rl.sub(t, p)), -1)], MAE],
  ])('%s is the loss of the one output', (_label, loss, want) => {
    const m = model();
    m.compile({ optimizer: 'sgd', loss: loss as never });
    expect(lossOf(m)).toBeCloseTo(want, 5);
  });

  it('a dict-compiled Sequential trains with that loss and saves it by name', async () => {
    const m = model();
    m.compile({ optimizer: rl.train.sgd(0.01), loss: { dd: 'meanAbsoluteError' } });
    const before = lossOf(m);
    await m.fit(x, y, { epochs: 3, batchSize: 3, verbose: 0 });
    expect(lossOf(m)).toBeLessThan(before);
    expect((rl.io.modelArtifactsOf(m).trainingConfig as { loss: unknown }).loss).toBe('mean_absolute_error');
  });

  it('refuses a list of another length, naming the count and the output', () => {
    const m = model();
    expect(() => m.compile({ optimizer: 'sgd', loss: ['mse', 'mae'] as never })).toThrow(/compile: loss lists 2 losses but the model has 1 output \(dd\)/);
    expect(() => m.compile({ optimizer: 'sgd', loss: [] as never })).toThrow(/loss lists 0 losses but the model has 1 output \(dd\)/);
    expect(m.optimizer).toBeNull();
  });

  it('refuses a dict naming another output, or giving none for it', () => {
    const m = model();
    expect(() => m.compile({ optimizer: 'sgd', loss: { out: 'mse' } as never })).toThrow(/compile: loss names output 'out', but the outputs are dd/);
    expect(() => m.compile({ optimizer: 'sgd', loss: { dd: undefined } as never })).toThrow(/loss gives no loss for output 'dd'/);
  });

  it('anything else says which forms are accepted', () => {
    const m = model();
    expect(() => m.compile({ optimizer: 'sgd', loss: 42 as never }))
      .toThrow(/compile: loss must be a loss name or a function \(yTrue, yPred\) => loss, or a list of them \(one per output\) or \{outputName: loss\}, got number 42/);
    expect(() => m.compile({ optimizer: 'sgd', loss: new Map([['dd', 'mse']]) as never })).toThrow(/or \{outputName: loss\}, got an object of class Map/);
    expect(() => m.compile({ optimizer: 'sgd', loss: [['mse']] as never })).toThrow(/each output's loss must be a loss name or a function \(yTrue, yPred\) => loss, got a list/);
  });
});
