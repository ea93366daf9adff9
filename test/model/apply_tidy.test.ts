/**
 * model.apply(x) on real tensors (Sequential and functional) frees what the layers' calls make, as tfjs's
 * Container.call runs in tidy: only the outputs survive. Training-mode apply inside variableGrads and minimize
 * (tfjs's custom training loops) still gives the gradients of the same computation done layer by layer.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const L = rl.layers;

/** Two counted ops per call (mul, add), as a user's layer written with the public ops makes them. */
class Affine extends L.Layer {
  static override readonly className = 'ApplyTidyAffine';
  call(x: rl.Tensor | rl.Tensor[]): rl.Tensor {
    const t = Array.isArray(x) ? x[0] : x;
    return t.mul(2).add(1);
  }
}
rl.serialization.registerClass(Affine);

function models(): { seq: rl.Sequential; fm: rl.LayersModel; layers: InstanceType<typeof rl.layers.Layer>[] } {
  rl.setSeed(5);
  const d1 = L.dense({ units: 3, inputShape: [3] }), mid = new Affine({}), d2 = L.dense({ units: 1 });
  const seq = rl.sequential({ layers: [d1, mid, d2] });
  const inp = rl.input({ shape: [3] });
  const fm = rl.model({ inputs: inp, outputs: d2.apply(mid.apply(d1.apply(inp))) as rl.SymbolicTensor });
  return { seq, fm, layers: [d1, mid, d2] };
}

const x = rl.tensor(Float32Array.from({ length: 15 }, (_, i) => Math.cos(i)), [5, 3]);
const y = rl.tensor(Float32Array.from({ length: 5 }, (_, i) => i / 5), [5, 1]);

describe('model.apply frees the intermediates of the layers\' calls', () => {
  it('Sequential and functional: numTensors is flat once the output is disposed, and the output is predict\'s', () => {
    const { seq, fm } = models();
    for (const m of [seq, fm]) {
      const expected = Array.from((m.predict(x) as rl.Tensor).dataSync());
      const before = rl.memory().numTensors;
      for (let i = 0; i < 5; i++) {
        const out = m.apply(x) as rl.Tensor;
        expect(Array.from(out.dataSync())).toEqual(expected);
        out.dispose();
      }
      expect(rl.memory().numTensors).toBe(before);
    }
  });

  it('training-mode apply under variableGrads gives the layer-by-layer gradients, and minimize trains', () => {
    const { seq, fm, layers } = models();
    const vars = seq.trainableWeights as unknown as rl.Variable[];
    const lossOf = (f: () => rl.Tensor) => () => rl.mean(rl.square(rl.sub(f(), y))) as rl.Scalar;
    const byLayers = rl.variableGrads(lossOf(() => layers.reduce((h, l) => l.apply(h, { training: true }) as rl.Tensor, x)), vars);
    for (const m of [seq, fm]) {
      const before = rl.memory().numTensors;
      const r = rl.variableGrads(lossOf(() => m.apply(x, { training: true }) as rl.Tensor), vars);
      expect(r.value.dataSync()[0]).toBeCloseTo(byLayers.value.dataSync()[0], 6);
      for (const v of vars) expect(Array.from(r.grads[v.name].dataSync())).toEqual(Array.from(byLayers.grads[v.name].dataSync()));
      rl.dispose([r.value, ...Object.values(r.grads)]);
      expect(rl.memory().numTensors).toBe(before);
    }
    const opt = rl.train.sgd(0.1);
    const cost = () => opt.minimize(lossOf(() => fm.apply(x, { training: true }) as rl.Tensor), true, vars)!.dataSync()[0];
    const first = cost();
    for (let i = 0; i < 20; i++) cost();
    expect(cost()).toBeLessThan(first);
  });
});
