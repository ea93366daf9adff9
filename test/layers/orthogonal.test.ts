/** rl.initializers.orthogonal (tfjs's factory) and Orthogonal's gain from a loaded config. */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

/** The Gram matrix of the columns of a rows × cols weight. */
function gram(w: ArrayLike<number>, rows: number, cols: number): number[][] {
  return Array.from({ length: cols }, (_, i) => Array.from({ length: cols }, (_, j) => {
    let s = 0;
    for (let r = 0; r < rows; r++) s += w[r * cols + i]! * w[r * cols + j]!;
    return s;
  }));
}

describe('orthogonal initializer', () => {
  it('rl.initializers.orthogonal({gain, seed}) gives orthogonal columns scaled by gain, the same for a seed', () => {
    const init = rl.initializers.orthogonal({ gain: 2, seed: 5 });
    const w = init.apply([6, 3]).dataSync();
    gram(w, 6, 3).forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(i === j ? 4 : 0, 5)));
    expect(Array.from(rl.initializers.orthogonal({ gain: 2, seed: 5 }).apply([6, 3]).dataSync())).toEqual(Array.from(w));
    expect(init.getConfig()).toEqual({ gain: 2, seed: 5 });
    expect(() => rl.initializers.orthogonal({ gian: 2 } as never)).toThrow(/gian/);
    expect(() => init.apply([4])).toThrow(/rank 2 or more/);
  });

  it('a layer keeps the gain through save and load, and a Keras config with a gain loads with it', () => {
    const d = rl.layers.dense({ units: 3, inputShape: [6], kernelInitializer: rl.initializers.orthogonal({ gain: 0.5 }) as never });
    const m = rl.sequential({ layers: [d] });
    const cfg = JSON.stringify(m.toJSON(null, false));
    expect(cfg).toMatch(/"class_name":"Orthogonal","config":\{"gain":0\.5/);
    const loaded = rl.layers.dense({ units: 3, inputShape: [6], kernelInitializer: { className: 'Orthogonal', config: { gain: 3, seed: null } } as never });
    rl.sequential({ layers: [loaded] });
    gram(loaded.getWeights()[0]!.dataSync(), 6, 3).forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(i === j ? 9 : 0, 4)));
  });
});
