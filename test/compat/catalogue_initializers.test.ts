/** The initializer catalogue: statistics on large samples, seeds reproducible, usable in layers and saved as Keras configs. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

function stats(t: rl.Tensor): { mean: number; variance: number; min: number; max: number } {
  const d = Array.from(t.dataSync());
  const mean = d.reduce((a, b) => a + b, 0) / d.length;
  return { mean, variance: d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length, min: Math.min(...d), max: Math.max(...d) };
}

describe('initializer statistics (shape [400, 300]: fan_in 400, fan_out 300)', () => {
  const shape = [400, 300];
  const cases: [string, rl.Initializer, number, number][] = [
    // [name, initializer, expected variance, bound on |value| (Infinity: none)]
    ['heNormal', rl.initializers.heNormal({ seed: 1 }), 2 / 400, 2 * Math.sqrt(2 / 400) / 0.8796256610342398],
    ['heUniform', rl.initializers.heUniform({ seed: 1 }), 2 / 400, Math.sqrt(6 / 400)],
    ['leCunNormal', rl.initializers.leCunNormal({ seed: 1 }), 1 / 400, 2 * Math.sqrt(1 / 400) / 0.8796256610342398],
    ['leCunUniform', rl.initializers.leCunUniform({ seed: 1 }), 1 / 400, Math.sqrt(3 / 400)],
    ['glorotNormal', rl.initializers.glorotNormal({ seed: 1 }), 1 / 350, Infinity],
    ['glorotUniform', rl.initializers.glorotUniform({ seed: 1 }), 1 / 350, Math.sqrt(6 / 700)],
    ['randomNormal', rl.initializers.randomNormal({ stddev: 0.1, seed: 1 }), 0.01, Infinity],
    ['randomUniform', rl.initializers.randomUniform({ minval: -0.3, maxval: 0.3, seed: 1 }), 0.09 / 3, 0.3],
    // truncated at 2 stddev without rescaling (Keras): variance 0.7737 * stddev^2
    ['truncatedNormal', rl.initializers.truncatedNormal({ stddev: 0.2, seed: 1 }), 0.7737413 * 0.04, 0.4],
    ['varianceScaling fan_out untruncated', rl.initializers.varianceScaling({ scale: 3, mode: 'fan_out', distribution: 'untruncated_normal', seed: 1 }), 3 / 300, Infinity],
    ['varianceScaling fan_avg uniform', rl.initializers.varianceScaling({ scale: 0.5, mode: 'fan_avg', distribution: 'uniform', seed: 1 }), 0.5 / 350, Math.sqrt(1.5 / 350)],
  ];
  for (const [name, init, variance, bound] of cases) {
    it(name, () => {
      const s = stats(init.apply(shape));
      expect(Math.abs(s.mean)).toBeLessThan(4 * Math.sqrt(variance / 120000));
      expect(s.variance / variance).toBeGreaterThan(0.98);
      expect(s.variance / variance).toBeLessThan(1.02);
      expect(Math.max(-s.min, s.max)).toBeLessThanOrEqual(bound + 1e-7);
    });
  }

  it('constant, identity, zeros, ones', () => {
    expect(Array.from(rl.initializers.constant({ value: 0.25 }).apply([2, 2]).dataSync())).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(Array.from(rl.initializers.identity({ gain: 3 }).apply([2, 3]).dataSync())).toEqual([3, 0, 0, 0, 3, 0]);
    expect(() => rl.initializers.identity().apply([2, 2, 2])).toThrow(/needs a 2-D weight/);
    expect(Array.from(rl.initializers.ones().apply([2]).dataSync())).toEqual([1, 1]);
  });
});

describe('initializers in layers', () => {
  it('a seed gives the same weights every time; strings and objects both work', () => {
    const make = (init: unknown) => rl.sequential({ layers: [rl.layers.dense({ units: 4, inputShape: [5], kernelInitializer: init as never })] }).getWeights()[0].dataSync();
    expect(Array.from(make(rl.initializers.heNormal({ seed: 7 })))).toEqual(Array.from(make(rl.initializers.heNormal({ seed: 7 }))));
    expect(Array.from(make(rl.initializers.heNormal({ seed: 7 })))).not.toEqual(Array.from(make(rl.initializers.heNormal({ seed: 8 }))));
    rl.setSeed(3); const a = make('leCunUniform');
    rl.setSeed(3); const b = make('leCunUniform');
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Math.max(...Array.from(a).map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(3 / 5));
  });

  it('saves as a Keras config with its seed and reloads to the same values', async () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 3, inputShape: [2], kernelInitializer: rl.initializers.truncatedNormal({ stddev: 0.3, seed: 5 }) as never, biasInitializer: 'constant' as never })] });
    expect(m.layers[0].getConfig().kernelInitializer).toEqual({ className: 'TruncatedNormal', config: { mean: 0, stddev: 0.3, seed: 5 } });
    expect(m.layers[0].getConfig().biasInitializer).toEqual({ className: 'Constant', config: { value: 0 } });
    const dir = mkdtempSync(join(tmpdir(), 'rl-init-'));
    try {
      await m.save(`file://${dir}`);
      const back = await rl.loadModel(`file://${dir}/model.json`);
      expect(back.layers[0].getConfig().kernelInitializer).toEqual({ className: 'TruncatedNormal', config: { mean: 0, stddev: 0.3, seed: 5 } });
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('bad options are named errors', () => {
    expect(() => rl.initializers.varianceScaling({ mode: 'fan_both' as never })).toThrow(/VarianceScaling: mode must be fan_in, fan_out or fan_avg/);
    expect(() => rl.initializers.heNormal({ seed: 1.5 })).toThrow(/HeNormal: seed must be an integer/);
    expect(() => rl.initializers.randomNormal({ stdev: 1 } as never)).toThrow(/RandomNormal: unknown option 'stdev'/);
    expect(() => rl.layers.dense({ units: 1, kernelInitializer: 'heNormale' as never })).toThrow(/unknown kernelInitializer "heNormale"; use one of .*leCunNormal/);
  });
});
