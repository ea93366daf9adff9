/**
 * A StackedRNNCells used on its own (built by its first call on tensors, or by build()) over a user's cell that sets
 * `built` in its constructor, against @tensorflow/tfjs 4.22: tfjs's StackedRNNCells.build calls every cell's build
 * whatever the flag says, so the cell's build makes its weights; rnnlab skipped it, and the step failed on the
 * missing weight. rl.layers.rnn does the same since r52 (test/layers/rnn_constructor_built_cell_r52.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { maxDiff } from '../compat/functional_helpers.js';
import { randomF32, tfjsReady, toTf } from './tfjs_twin.js';

beforeAll(() => tfjsReady());
type Lib = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** h' = tanh((x @ k + h @ r) * g): g and r made in the constructor, which sets built; k in build, counted. */
function defineCell(lib: Lib, className: string) {
  const init = (seed: number) => lib.initializers.randomUniform({ minval: -1, maxval: 1, seed });
  class CtorBuiltCell extends lib.layers.Layer {
    static className = className;
    units = 2; stateSize = 2; g: any; r: any; k: any; builds = 0;
    constructor(a: unknown) {
      super(a);
      this.g = this.addWeight('g', [2], 'float32', init(1));
      this.r = this.addWeight('r', [2, 2], 'float32', init(2));
      this.built = true;
    }
    build(s: number[] | number[][]) {
      this.builds++;
      const xs = (Array.isArray(s[0]) ? s[0] : s) as number[];
      this.k = this.addWeight('k', [xs[xs.length - 1], 2], 'float32', init(3));
      this.built = true;
    }
    call(inputs: any) {
      const [x, h] = inputs;
      const y = lib.tanh(lib.mul(lib.add(lib.matMul(x, this.k.read()), lib.matMul(h, this.r.read())), this.g.read()));
      return [y, y];
    }
  }
  lib.serialization.registerClass(CtorBuiltCell);
  return CtorBuiltCell as any;
}
const Cell = { rl: defineCell(rl, 'CtorBuiltStackCellR53'), tf: defineCell(tf, 'CtorBuiltStackCellR53') };

const stack = (lib: Lib, C: any) => {
  const cell = new C({ name: 'c' });
  return { cell, s: lib.layers.stackedRNNCells({ cells: [cell, lib.layers.simpleRNNCell({ units: 3, name: 's' })], name: 'st' }) };
};
const values = (t: { dataSync(): ArrayLike<number> }) => Array.from(t.dataSync());

describe("a StackedRNNCells on its own runs a constructor-built cell's build, as tfjs's", () => {
  it("its first call builds the cell (k made once), and a step gives tfjs's outputs with the same weights", () => {
    const x = randomF32([4, 3], 1, 1.5), h3 = randomF32([4, 3], 2), h2 = randomF32([4, 2], 3);
    const r = stack(rl, Cell.rl), t = stack(tf, Cell.tf);
    // tfjs's order: the last cell's states first.
    const ours = r.s.apply([x, h3, h2]) as rl.Tensor[];
    t.s.apply([toTf(x), toTf(h3), toTf(h2)]);
    expect([r.cell.builds, t.cell.builds]).toEqual([1, 1]);
    expect(r.s.weights.map((w: { shape: number[] }) => w.shape)).toEqual(t.s.weights.map((w: { shape: number[] }) => w.shape));
    expect(r.s.weights.map((w: { name: string }) => w.name)).toEqual(['c/g', 'c/r', 'st/RNNCell_0/k', 'st/RNNCell_1/kernel', 'st/RNNCell_1/recurrent_kernel', 'st/RNNCell_1/bias']);
    t.s.weights.forEach((w: tf.LayerVariable, i: number) => w.write(tf.tensor(values(r.s.weights[i]), w.shape as number[])));
    const theirs = t.s.apply([toTf(x), toTf(h3), toTf(h2)]) as tf.Tensor[];
    expect(ours.map((o) => o.shape)).toEqual(theirs.map((o) => o.shape));
    ours.forEach((o, i) => expect(maxDiff(o.dataSync(), theirs[i].dataSync())).toBeLessThan(1e-5));
    expect(values(ours[0]).some((v) => Math.abs(v) > 0.1)).toBe(true);
    // Built once: a second step runs no build.
    r.s.apply([x, h3, h2]);
    expect(r.cell.builds).toBe(1);
  });

  it('build() builds it too, for the step shape given', () => {
    const r = stack(rl, Cell.rl), t = stack(tf, Cell.tf);
    r.s.build([null, 5]);
    t.s.build([null, 5]);
    expect([r.cell.builds, t.cell.builds]).toEqual([1, 1]);
    expect(r.cell.k.shape).toEqual([5, 2]);
    expect(r.s.weights.length).toBe(t.s.weights.length);
  });

  it("a cell whose build() already ran is refused, as tfjs's fails on the weight made twice", () => {
    const t = stack(tf, Cell.tf);
    t.cell.build([null, 3]);
    expect(() => t.s.build([null, 3])).toThrow(/Duplicate weight name k/);
    const r = stack(rl, Cell.rl);
    r.cell.build([null, 3]);
    expect(() => r.s.build([null, 3])).toThrow(/c \(CtorBuiltStackCellR53\): the stack 'st' runs the cell's build \(as tfjs's StackedRNNCells does\), which makes weight 'k' again \('st\/RNNCell_0\/k'; the cell has 'c\/k'\): its build ran before/);
  });
});
