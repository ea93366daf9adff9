/**
 * Past |x| = 9.0109 float32's tanh is exactly ±1, so a saturated recurrent unit passes no gradient: the native
 * kernels' rational tanh stopped 4 ulps short (0.99999976), leaving a gradient (1 - y)(1 + y) of 4.8e-7 per unit that
 * the reference kernels and tfjs do not have. A 1-unit SimpleRNN with kernel 1 computes h = tanh(x), on every
 * instruction set this CPU runs.
 */
import { expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { describeNativeEachIsa } from './util.js';

function unitRnn(): rl.Sequential {
  return rl.sequential({ layers: [rl.layers.simpleRNN({ units: 1, inputShape: [1, 1], useBias: false, kernelInitializer: 'ones', recurrentInitializer: 'zeros' })] });
}

describeNativeEachIsa('recurrent tanh at saturation', () => {
  it('outputs exactly ±1 past 9.0109, as float32 rounds tanh, and close to tanh below', () => {
    const m = unitRnn();
    const xs = [9.02, 20, 1e4, -9.02, -20, -1e4, 0.5, 5, 8.5];
    const ys = m.predict(rl.tensor3d(xs.map((x) => [[x]]))).dataSync();
    xs.forEach((x, i) => {
      if (Math.abs(x) > 9.0109) expect(ys[i]).toBe(Math.sign(x));
      else expect(Math.abs(ys[i] - Math.tanh(x))).toBeLessThan(3e-7);
    });
  });

  it('a saturated unit passes no gradient: one SGD step leaves its kernel exactly as it was', async () => {
    for (const x of [20, 1e4, -20]) {
      const m = unitRnn();
      m.compile({ optimizer: rl.train.sgd(1), loss: 'meanSquaredError' });
      await m.fit(rl.tensor3d([[[x]]]), rl.tensor2d([[0]]), { epochs: 1, verbose: 0 });
      expect(m.layers[0].getWeights()[0].dataSync()[0]).toBe(1);
    }
  });
});
