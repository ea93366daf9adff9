/**
 * compile's lossWeights go into the training config as loss_weights (tfjs's TrainingConfig field, Keras's
 * loss_weights) and come back on load, so a loaded model's loss and training are the saved model's. Keys of a
 * trainingConfig rnnlab does not apply are refused by name, never dropped.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

type Artifacts = Exclude<Parameters<typeof rl.io.fromMemory>[0], { trainingConfig?: never }> & { trainingConfig?: object };

async function artifactsOf(m: rl.Functional | rl.Sequential, opts?: object): Promise<Artifacts> {
  let art: Artifacts | undefined;
  await m.save(rl.io.withSaveHandler(async (a) => { art = a as Artifacts; return {}; }), opts);
  return art!;
}

function twoOutputs() {
  rl.setSeed(5);
  const a = rl.input({ shape: [2], name: 'a' });
  const m = rl.model({ inputs: a, outputs: [rl.layers.dense({ units: 1, name: 'o1' }).apply(a) as rl.SymbolicTensor, rl.layers.dense({ units: 1, name: 'o2' }).apply(a) as rl.SymbolicTensor], name: 'two' });
  return m;
}

const x = rl.tensor([[1, 2], [-1, 0.5], [0.3, 0.3]]);
const ys = [rl.tensor([[1], [0], [2]]), rl.tensor([[0], [1], [-1]])];
const evalDict = (m: rl.Functional) => m.evaluate(x, ys, { returnDict: true }) as unknown as Record<string, number>;

describe('lossWeights in the training config', () => {
  it('a Functional model saves them as a list in output order and loads with the same weighted loss and training step', async () => {
    const m = twoOutputs();
    m.compile({ optimizer: rl.train.sgd(0.1), loss: 'mse', lossWeights: { o2: 0.5, o1: 3 } });
    const art = await artifactsOf(m);
    expect((art.trainingConfig as Record<string, unknown>).loss_weights).toEqual([3, 0.5]);
    const back = await rl.loadLayersModel(rl.io.fromMemory(art)) as rl.Functional;
    const r = evalDict(back);
    expect(r.loss).toBeCloseTo(3 * r.o1_loss + 0.5 * r.o2_loss, 5);
    expect(r.loss).toBeCloseTo(evalDict(m).loss, 6);
    m.trainOnBatch(x, ys);
    back.trainOnBatch(x, ys);
    const w0 = m.getWeights().map((t) => Array.from(t.dataSync()));
    back.getWeights().forEach((t, i) => Array.from(t.dataSync()).forEach((v, k) => expect(v).toBeCloseTo(w0[i][k], 6)));
  });

  it('a Sequential model saves its one weight and loads it', async () => {
    rl.setSeed(2);
    const s = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
    s.compile({ optimizer: 'sgd', loss: 'mse', lossWeights: 10 });
    const art = await artifactsOf(s);
    expect((art.trainingConfig as Record<string, unknown>).loss_weights).toEqual([10]);
    const back = await rl.loadLayersModel(rl.io.fromMemory(art)) as rl.Sequential;
    const p = Array.from((back.predict(x) as rl.Tensor).dataSync());
    const mse = p.reduce((acc, v, i) => acc + (v - [1, 0, 2][i]) ** 2, 0) / 3;
    expect((back.evaluate(x, ys[0]) as rl.Tensor).dataSync()[0]).toBeCloseTo(10 * mse, 5);
  });

  it('no lossWeights writes no loss_weights; a file\'s list, dict or null is read, a wrong one is an error naming it', async () => {
    const m = twoOutputs();
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const art = await artifactsOf(m);
    expect(Object.keys(art.trainingConfig as object).sort()).toEqual(['loss', 'metrics', 'optimizer_config']);
    const load = (extra: object) => rl.loadLayersModel(rl.io.fromMemory({ ...art, trainingConfig: { ...(art.trainingConfig as object), ...extra } as never })) as Promise<rl.Functional>;
    const byDict = evalDict(await load({ loss_weights: { o1: 10, o2: 0 } }));
    expect(byDict.loss).toBeCloseTo(10 * byDict.o1_loss, 5);
    const byList = evalDict(await load({ loss_weights: [0, 2] }));
    expect(byList.loss).toBeCloseTo(2 * byList.o2_loss, 5);
    const byNull = evalDict(await load({ loss_weights: null }));
    expect(byNull.loss).toBeCloseTo(byNull.o1_loss + byNull.o2_loss, 5);
    await expect(load({ loss_weights: [1, 2, 3] })).rejects.toThrow(/trainingConfig: .*lossWeights lists 3 weights but the model has 2 outputs.*compile: false/);
    await expect(load({ loss_weights: { o3: 1 } })).rejects.toThrow(/lossWeights.*o3/);
  });

  it('keys rnnlab does not apply are refused by name (empty weighted_metrics / sample_weight_mode are nothing to apply)', async () => {
    const m = twoOutputs();
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const art = await artifactsOf(m);
    const load = (extra: object) => rl.loadLayersModel(rl.io.fromMemory({ ...art, trainingConfig: { ...(art.trainingConfig as object), ...extra } as never }));
    await expect(load({ weighted_metrics: ['mae'] })).rejects.toThrow(/trainingConfig\.weighted_metrics = \["mae"\] is not supported; load with \{compile: false\}/);
    await expect(load({ sample_weight_mode: 'temporal' })).rejects.toThrow(/trainingConfig\.sample_weight_mode = "temporal" is not supported/);
    await expect(load({ bogus_field: 1 })).rejects.toThrow(/trainingConfig\.bogus_field is not a field rnnlab knows \(it reads loss, metrics, optimizer_config, loss_weights\)/);
    expect((await load({ weighted_metrics: null, sample_weight_mode: null })).optimizer).toBeTruthy();
    expect((await rl.loadLayersModel(rl.io.fromMemory({ ...art, trainingConfig: { ...(art.trainingConfig as object), bogus_field: 1 } as never }), { compile: false })).optimizer).toBeFalsy();
  });
});
