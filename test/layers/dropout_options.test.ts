/**
 * Dropout's noiseShape and seed (Keras and tfjs): the mask is drawn at the noise shape and shared along its 1-axes;
 * a seeded layer draws from its own generator; both save and load; without them nothing changes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { removeDir, tempDir } from '../io/helpers.js';
import { roundTrip } from './helpers.js';

const root = tempDir('rnnlab-dropout-');
afterAll(() => removeDir(root));

const x = rl.ones([4, 6, 5]);
const train = (layer: { apply(x: rl.Tensor, args: { training: boolean }): unknown }) => layer.apply(x, { training: true }) as rl.Tensor;
const kept = (t: rl.Tensor) => Array.from(t.dataSync(), (v) => (v === 0 ? 0 : 1));

describe('Dropout options', () => {
  it('noiseShape [null, 1, C] drops the same channels at every step of a sample, scaled by 1 / (1 - rate)', () => {
    rl.setSeed(1);
    const y = train(rl.layers.dropout({ rate: 0.5, noiseShape: [null, 1, 5] }));
    const k = kept(y);
    for (let b = 0; b < 4; b++) for (let t = 1; t < 6; t++) for (let c = 0; c < 5; c++) expect(k[(b * 6 + t) * 5 + c]).toBe(k[b * 30 + c]);
    // Samples differ (20 independent draws cannot all agree by chance at rate 0.5 with this seed).
    expect(k.slice(0, 5)).not.toEqual(k.slice(30, 35));
    expect(new Set(Array.from(y.dataSync()))).toEqual(new Set([0, 2]));
  });

  it('noiseShape [1, T, 1] drops whole steps shared by every sample', () => {
    rl.setSeed(2);
    const k = kept(train(rl.layers.dropout({ rate: 0.4, noiseShape: [1, 6, 1] })));
    for (let b = 0; b < 4; b++) for (let t = 0; t < 6; t++) for (let c = 0; c < 5; c++) expect(k[(b * 6 + t) * 5 + c]).toBe(k[t * 5]);
  });

  it('a seeded layer draws the same mask whatever rl.setSeed says; another seed draws another', () => {
    rl.setSeed(10);
    const a = kept(train(rl.layers.dropout({ rate: 0.5, seed: 7 })));
    rl.setSeed(99);
    const b = kept(train(rl.layers.dropout({ rate: 0.5, seed: 7 })));
    const c = kept(train(rl.layers.dropout({ rate: 0.5, seed: 8 })));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('without noiseShape and seed the masks are the ones drawn before these options existed', () => {
    rl.setSeed(3);
    const plain = kept(train(rl.layers.dropout({ rate: 0.3 })));
    rl.setSeed(3);
    const viaOp = rl.tidy(() => kept(train(rl.layers.dropout({ rate: 0.3, noiseShape: null, seed: null }))));
    expect(viaOp).toEqual(plain);
  });

  it('is the identity in predict, and gradients flow only through kept elements', async () => {
    const layer = rl.layers.dropout({ rate: 0.5, noiseShape: [null, 1, 5], seed: 4 });
    expect(Array.from((layer.apply(x) as rl.Tensor).dataSync())).toEqual(Array.from(x.dataSync()));
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 5, inputShape: [6, 5], useBias: false, kernelInitializer: 'ones' }), layer, rl.layers.flatten(), rl.layers.dense({ units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const h = await m.fit(x, rl.ones([4, 1]), { epochs: 1, batchSize: 4, verbose: 0 });
    expect(Number.isFinite(h.history.loss[0] as number)).toBe(true);
  });

  it('saves noise_shape and seed and loads them back; tfjs reads the file', async () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 5, inputShape: [6, 5] }), rl.layers.dropout({ rate: 0.25, noiseShape: [null, 1, 5], seed: 12, name: 'drop' })] });
    const configs = await roundTrip(m, x, root, 'saved');
    expect(configs[1].config).toMatchObject({ rate: 0.25, noise_shape: [null, 1, 5], seed: 12 });
    const back = await rl.loadModel(`${root}/saved`);
    const d = back.getLayer('drop') as unknown as { noiseShape: unknown; seed: unknown };
    expect([d.noiseShape, d.seed]).toEqual([[null, 1, 5], 12]);
  });

  it('bad values are errors naming the option', () => {
    expect(() => rl.layers.dropout({ rate: 0.5, noiseShape: [0, 1] })).toThrow(/noiseShape must be a list of positive sizes or nulls, got/);
    expect(() => rl.layers.dropout({ rate: 0.5, noiseShape: 'x' as never })).toThrow(/noiseShape must be a list/);
    expect(() => rl.layers.dropout({ rate: 0.5, seed: 1.5 })).toThrow(/seed must be an integer, got .*1\.5/);
    expect(() => train(rl.layers.dropout({ rate: 0.5, noiseShape: [null, 2, 5] }))).toThrow(/noiseShape \[null, 2, 5\] does not fit input \[4, 6, 5\]/);
    expect(() => train(rl.layers.dropout({ rate: 0.5, noiseShape: [1, 5] }))).toThrow(/does not fit input/);
  });
});
