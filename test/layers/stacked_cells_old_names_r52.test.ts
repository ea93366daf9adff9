/**
 * A StackedRNNCells applied on its own in a functional model, over a user's cell that makes its weights in its
 * constructor: rnnlab now saves such a weight as '<stack>/g' (its leaf unique in the stack) where it wrote
 * '<stack>/RNNCell_<i>/g' before. Files of the older form must still load, as they do for the same stack inside an
 * rnn layer; they failed with "missing weight 'st/g'".
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

type T = rl.Tensor;
const ops = rl as unknown as { tanh(a: T): T; mul(a: T, b: T): T; add(a: T, b: T): T; matMul(a: T, b: T): T };
const uniform = (minval: number, maxval: number, seed: number) => rl.initializers.randomUniform({ minval, maxval, seed }) as never;

/** h' = tanh((x @ k + h @ r) * g), all three weights made in the constructor, which sets built. */
class CtorStackCellR52 extends rl.layers.Layer {
  static className = 'CtorStackCellR52';
  units = 2; stateSize = 2;
  g: rl.LayerVariable; r: rl.LayerVariable; k: rl.LayerVariable;
  constructor(args: { name: string; inputDim: number }) {
    super({ name: args.name });
    this.g = this.addWeight('g', [2], 'float32', uniform(0.5, 2, 1));
    this.r = this.addWeight('r', [2, 2], 'float32', uniform(-1, 1, 2));
    this.k = this.addWeight('k', [args.inputDim, 2], 'float32', uniform(-1, 1, 3));
    this.built = true;
  }
  call(inputs: T | T[]) {
    const [x, h] = inputs as T[];
    const y = ops.tanh(ops.mul(ops.add(ops.matMul(x, this.k.read()), ops.matMul(h, this.r.read())), this.g.read()));
    return [y, y];
  }
  getConfig() { return { ...super.getConfig(), inputDim: this.k.shape[0] }; }
}
rl.serialization.registerClass(CtorStackCellR52 as never);

const filled = (shape: number[], seed: number) => rl.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(seed * 7.1 + i * 1.3)), shape);
const values = (t: T) => Array.from(t.dataSync());

type Spec = { name: string; shape: number[]; dtype: string };

function stackModel(cellAt: number) {
  const simple = rl.layers.simpleRNNCell({ units: 3, name: 's' });
  const user = new CtorStackCellR52({ name: 'c', inputDim: 3 });
  const stack = rl.layers.stackedRNNCells({ cells: cellAt === 0 ? [user, simple] : [simple, user], name: 'st' });
  const x = rl.input({ shape: [3] });
  const states = (stack.stateSize as number[]).map((n) => rl.input({ shape: [n] }));
  return rl.model({ inputs: [x, ...states], outputs: stack.apply([x, ...states]) as rl.SymbolicTensor[] });
}

describe.each([0, 1])('a StackedRNNCells used on its own, the constructor-built cell at RNNCell_%i', (at) => {
  it('loads a file of rnnlab\'s older form (<stack>/RNNCell_<i>/g) with the same weights and predictions', () => {
    const m = stackModel(at);
    const arts = rl.io.modelArtifactsOf(m);
    const specs = arts.weightSpecs as Spec[];
    const names = specs.map((w) => w.name);
    expect(names.filter((n) => /^st\/[grk]$/.test(n))).toEqual(['st/g', 'st/r', 'st/k']);
    // The names rnnlab wrote for this model before constructor weights in a stack were saved bare.
    const older = { ...arts, weightSpecs: specs.map((w) => ({ ...w, name: w.name.replace(/^st\/([grk])$/, `st/RNNCell_${at}/$1`) })) };
    expect(older.weightSpecs.map((w) => w.name)).toContain(`st/RNNCell_${at}/g`);
    const back = rl.layersModelFromArtifacts(older);
    if (!(back instanceof rl.Functional)) throw new Error('expected a functional model back');
    expect(back.getWeights().map(values)).toEqual(m.getWeights().map(values));
    const inputs = [filled([4, 3], 1), ...m.inputs.slice(1).map((inp, i) => filled([4, inp.shape[1] as number], i + 2))];
    const want = (m.predict(inputs) as T[]).map(values);
    const got = (back.predict(inputs) as T[]).map(values);
    expect(want[0].some((v) => Math.abs(v) > 0.1)).toBe(true);
    expect(got).toEqual(want);
  });
});
