// tfjs's way of writing a cell, `class MyCell extends tf.layers.RNNCell`, runs unchanged on rl.layers.RNNCell: rnn
// drives it step by step as any layer with stateSize, it trains, saves and loads once registered; rnnlab's own cells
// are RNNCells too (instanceof), as in tfjs.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { LinearMinimalCell } from './user_cells.js';
import { maxDiff, removeDir, tempDir } from './functional_helpers.js';

const root = tempDir('rnnlab-rnn-cell-base-');
afterAll(() => removeDir(root));

class TfStyleCell extends rl.layers.RNNCell {
  static className = 'TfStyleCell';
  units: number; stateSize: number;
  kernel!: rl.Variable; recurrentKernel!: rl.Variable;
  constructor(config: { units: number; name?: string }) {
    super({ name: config.name });
    this.units = config.units;
    this.stateSize = config.units;
  }
  build(shape: (number | null)[] | (number | null)[][]) {
    const s = (Array.isArray(shape[0]) ? shape[0] : shape) as (number | null)[];
    this.kernel = this.addWeight('kernel', [s[s.length - 1]!, this.units], 'float32', 'glorotUniform');
    this.recurrentKernel = this.addWeight('recurrent_kernel', [this.units, this.units], 'float32', 'orthogonal');
  }
  call(inputs: rl.Tensor | rl.Tensor[]) {
    const [x, h] = inputs as rl.Tensor[];
    const out = rl.add(rl.matMul(x, this.kernel), rl.matMul(h, this.recurrentKernel));
    return [out, out];
  }
  getConfig() { return { ...super.getConfig(), units: this.units }; }
}
rl.serialization.registerClass(TfStyleCell);

describe('rl.layers.RNNCell', () => {
  it('a subclass runs in rnn as the same cell written on rl.layers.Layer, trains, and saves', async () => {
    // Seeded, and a rate this linear cell cannot diverge at: at 0.1 about 1 draw in 150 overflowed float32 in two
    // steps (outputs of 1e41), and Infinity - Infinity read as NaN in the comparison below.
    rl.setSeed(3);
    const x = rl.randomNormal([3, 6, 2], 0, 1, 'float32', 4);
    const ours = rl.sequential({ layers: [rl.layers.rnn({ cell: new TfStyleCell({ units: 3 }), inputShape: [6, 2] })] });
    const plain = rl.sequential({ layers: [rl.layers.rnn({ cell: new LinearMinimalCell({ units: 3 }), inputShape: [6, 2] })] });
    plain.setWeights(ours.getWeights());
    const p = (m: rl.Sequential) => (m.predict(x) as rl.Tensor).dataSync() as Float32Array;
    expect(maxDiff(p(ours), p(plain))).toBe(0);
    ours.compile({ optimizer: rl.train.sgd(0.01), loss: 'meanSquaredError' });
    const before = p(ours);
    await ours.fit(x, rl.zeros([3, 3]), { epochs: 2, verbose: 0 });
    expect(p(ours).every(Number.isFinite)).toBe(true);
    expect(maxDiff(p(ours), before)).toBeGreaterThan(1e-4);
    await ours.save(`file://${join(root, 'm')}`);
    expect(maxDiff(p(await rl.loadLayersModel(`file://${join(root, 'm')}`) as rl.Sequential), p(ours))).toBe(0);
  });

  it('instanceof: rnnlab\'s cells and a subclass are RNNCells; a plain layer with stateSize, or a subclass\'s sibling, is not', () => {
    expect(rl.layers.lstmCell({ units: 2 }) instanceof rl.layers.RNNCell).toBe(true);
    expect(rl.layers.gruCell({ units: 2 }) instanceof rl.layers.RNNCell).toBe(true);
    expect(new TfStyleCell({ units: 2 }) instanceof rl.layers.RNNCell).toBe(true);
    expect(new TfStyleCell({ units: 2 }) instanceof rl.layers.Layer).toBe(true);
    expect(new LinearMinimalCell({ units: 2 }) instanceof rl.layers.RNNCell).toBe(false);
    expect(rl.layers.lstmCell({ units: 2 }) instanceof TfStyleCell).toBe(false);
  });
});
