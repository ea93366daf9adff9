/** The tfjs names added for the snippet suite refuse bad input with errors naming what is wrong. */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

describe('errors of the tfjs-compatibility additions', () => {
  it('variables and minimize', () => {
    expect(() => rl.variable(rl.tensor1d([1, 2], 'int32'))).toThrow(/variable: dtype int32 is not supported/);
    const v = rl.variable(rl.zeros([2]), true, 'snip_v');
    expect(() => v.assign(rl.zeros([3]))).toThrow(/weight 'snip_v': assign expected shape \[2\], got \[3\]/);
    const opt = rl.train.sgd(0.1);
    expect(() => opt.minimize(() => rl.scalar(1), false, [v])).toThrow(/SGD.minimize: the cost does not depend on any trainable variable/);
    expect(() => opt.minimize(() => v.square(), false, [v])).toThrow(/SGD.minimize: f must return a scalar, got shape \[2\]/);
    expect(opt.minimize(() => v.sub(1).square().sum(), false, [v])).toBeNull();
    expect(Array.from(v.dataSync())).toEqual([expect.closeTo(0.2, 6), expect.closeTo(0.2, 6)]);
    const frozen = rl.variable(rl.ones([1]), false, 'snip_frozen');
    expect(() => rl.variableGrads(() => frozen.square().sum(), [frozen])).toThrow(/variableGrads: the only variable in varList, 'snip_frozen', is not trainable/);
  });

  it('setBackend names a tfjs backend rnnlab lacks', async () => {
    expect(() => rl.setBackend('webgl')).toThrow(/setBackend: backend 'webgl' is not available: rnnlab runs on the CPU/);
    await expect(rl.setBackend('reference')).resolves.toBe(true);
    expect(rl.getBackend()).toBe('reference');
    await rl.setBackend('cpu');
    expect(rl.getBackend()).toBe(rl.backendInfo().addon ? 'native' : 'reference');
  });

  it('multinomial', () => {
    expect(() => rl.multinomial(rl.zeros([1, 2, 3]), 1)).toThrow(/logits must be 1D or 2D, but got rank 3/);
    expect(() => rl.multinomial([0.5, 0.5], 0)).toThrow(/numSamples must be a positive integer/);
    expect(rl.multinomial([0, 0, 1], 5, 1, true).arraySync()).toEqual([2, 2, 2, 2, 2]);
    expect(rl.multinomial([0.2, 0.8], 4, 7).arraySync()).toEqual(rl.multinomial([0.2, 0.8], 4, 7).arraySync());
  });

  it('IO handlers and modelFromJSON', async () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
    expect(() => rl.io.fromMemory(null as never)).toThrow(/io.fromMemory: expected model artifacts/);
    expect(() => rl.io.withSaveHandler('x' as never)).toThrow(/io.withSaveHandler: expected a function/);
    await expect(m.save({} as never)).rejects.toThrow(/save: expected a 'file:\/\/DIR' URL, a path, or an IO handler/);
    await expect(rl.models.modelFromJSON({ modelTopology: m.toJSON(null, false), weightsManifest: [] })).rejects.toThrow(/modelFromJSON: weightsManifest is not read here/);
    await expect(rl.models.modelFromJSON('{')).rejects.toThrow(/modelFromJSON: the string is not JSON/);
    const twin = await rl.models.modelFromJSON(m.toJSON() as string);
    expect(twin.countParams()).toBe(3);
    const { weightData } = rl.io.modelArtifactsOf(m);
    expect(weightData.byteLength).toBe(12);
    const loaded = await rl.loadModel(rl.io.fromMemory(rl.io.modelArtifactsOf(m)));
    expect(Array.from(loaded.getWeights()[0].dataSync())).toEqual(Array.from(m.getWeights()[0].dataSync()));
  });

  it('datasets', async () => {
    expect(() => rl.data.array([1]).concatenate([2] as never)).toThrow(/concatenate: expected an rl.data dataset/);
    expect(() => rl.data.func(3 as never)).toThrow(/data.func: expected a function/);
    await expect(rl.data.csv('/nonexistent-dir-snip/x.csv').columnNames()).rejects.toThrow(/data.csv: cannot read .*x.csv: no such file/);
    expect(await rl.data.csv('unused.csv', { columnNames: ['a', 'b'], hasHeader: false }).columnNames()).toEqual(['a', 'b']);
    expect(rl.data.array([1, 2]).concatenate(rl.data.array([3])).size).toBe(3);
  });

  it('losses and metrics', () => {
    expect(() => rl.losses.absoluteDifference([1, 2], [1])).toThrow(/Error in absoluteDifference: Shapes \[2\] and \[1\] must match/);
    expect(() => rl.losses.computeWeightedLoss([1], null, 7 as never)).toThrow(/Unknown reduction: 7/);
    // [1, 2] against [1, 1] broadcasts (tfjs and Keras); [1, 2] against [1, 3] does not.
    expect(() => rl.metrics.meanSquaredError([[1, 2]], [[1, 2, 3]])).toThrow(/metrics.meanSquaredError: yTrue has shape \[1, 2\] but yPred has \[1, 3\]/);
  });
});
