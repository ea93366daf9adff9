// A model output whose real shape is not its declared one, a map by name that names several outputs, and an error
// from inside a layer's call: each an error naming the output or layer, never a loss read in the wrong layout.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

/** Declares [batch, 5] but returns [x, x]: [batch, 4] for two features. */
class Liar extends rl.layers.Layer {
  static readonly className = 'Liar';
  computeOutputShape(s: (number | null)[]) { return [s[0], 5]; }
  call(x: rl.Tensor | rl.Tensor[]) {
    const t = Array.isArray(x) ? x[0] : x;
    return rl.concat([t, t], -1);
  }
}

/** x @ k, with k sized by the input it was built for. */
class Lin extends rl.layers.Layer {
  static readonly className = 'Lin';
  k!: rl.Variable;
  build(s: (number | null)[]) { this.k = this.addWeight('k', [s[s.length - 1] as number, 2], 'float32', 'ones'); }
  computeOutputShape(s: (number | null)[]) { return [s[0], 2]; }
  call(x: rl.Tensor | rl.Tensor[]) { return rl.matMul(Array.isArray(x) ? x[0] : x, this.k); }
}

const x3 = () => rl.tensor2d([[1, 2], [3, 4], [5, 6]]);
const liarModel = (loss: string | ((yTrue: rl.Tensor, yPred: rl.Tensor) => rl.Tensor)) => {
  const i = rl.input({ shape: [2] });
  const m = rl.model({ inputs: i, outputs: new Liar({ name: 'liar' }).apply(i) as rl.SymbolicTensor });
  m.compile({ optimizer: 'sgd', loss });
  return m;
};
const lossOf = (r: rl.Tensor | rl.Tensor[]) => (Array.isArray(r) ? r[0] : r).dataSync()[0];

describe("a layer whose call returns another shape than computeOutputShape's", () => {
  it('fit and evaluate refuse its targets, naming the output and both shapes (no loss read in another layout)', async () => {
    const m = liarModel('mse');
    const y = rl.zeros([3, 5]);
    const msg = /output 'liar' has shape \[3, 4\] \(what its layer's call returned\), which does not fit its targets of shape \[3, 5\].*never read in another layout/;
    expect(() => m.evaluate(x3(), y)).toThrow(msg);
    await expect(m.fit(x3(), y, { epochs: 1, verbose: 0 })).rejects.toThrow(msg);
    // A user's loss function gets the same check (its ops would broadcast or read it flat).
    const custom = liarModel((yTrue, yPred) => rl.mean(rl.square(rl.sub(yPred, yTrue)), -1));
    expect(() => custom.evaluate(x3(), y)).toThrow(msg);
  });

  it('a sparse output refuses class ids the returned classes do not hold, and takes the rest', () => {
    const m = liarModel('sparseCategoricalCrossentropy');
    expect(() => m.evaluate(x3(), rl.tensor1d([4, 0, 1]))).toThrow(/output 'liar' has shape \[3, 4\] \(what its layer's call returned\), 4 classes, but its targets hold class id 4/);
    // Ids within the 4 classes: the loss of the rows as returned, as probabilities (Keras scales them to sum 1).
    const rows = [[1, 2, 1, 2], [3, 4, 3, 4], [5, 6, 5, 6]], ids = [3, 0, 1];
    const want = rows.reduce((s, r, i) => s - Math.log(r[ids[i]] / r.reduce((a, v) => a + v, 0)), 0) / 3;
    expect(lossOf(m.evaluate(x3(), rl.tensor1d(ids)))).toBeCloseTo(want, 5);
  });

  it('targets Keras reshapes still train: class ids [n] or [n, 1], and [n] for a [null, 1] output, as the same targets in the output\'s shape', () => {
    const i = rl.input({ shape: [2] });
    const probs = rl.layers.dense({ units: 3, activation: 'softmax', name: 'probs', kernelInitializer: 'ones' }).apply(i) as rl.SymbolicTensor;
    const one = rl.layers.dense({ units: 1, name: 'one', kernelInitializer: 'ones' }).apply(i) as rl.SymbolicTensor;
    const m = rl.model({ inputs: i, outputs: [probs, one] });
    m.compile({ optimizer: 'sgd', loss: ['sparseCategoricalCrossentropy', 'mse'] });
    const flat = m.evaluate(x3(), [rl.tensor1d([0, 2, 1]), rl.tensor1d([1, 2, 3])]) as rl.Tensor[];
    const cols = m.evaluate(x3(), [rl.tensor2d([[0], [2], [1]]), rl.tensor2d([[1], [2], [3]])]) as rl.Tensor[];
    // Ones kernel, zero bias: 'one' predicts 3, 7, 11; the softmax is uniform over 3 classes.
    expect(flat[2].dataSync()[0]).toBeCloseTo((4 + 25 + 64) / 3, 4);
    expect(flat[1].dataSync()[0]).toBeCloseTo(Math.log(3), 5);
    expect(cols.map(lossOf)).toEqual(flat.map(lossOf));
  });
});

describe('a map by name when outputs share a name', () => {
  const stateModel = () => {
    const a = rl.input({ shape: [3, 2] });
    const [seq, , c] = rl.layers.lstm({ units: 2, returnState: true, name: 'ls' }).apply(a) as rl.SymbolicTensor[];
    const m = rl.model({ inputs: a, outputs: [seq, c] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    return m;
  };
  const yh = () => rl.tensor2d([[1, 2], [3, 4]]), yc = () => rl.tensor2d([[-5, 5], [6, -6]]);
  const shared = /'ls' names 2 outputs of the model \(outputs 0 and 1; the model's outputs are ls, ls\), so a map by name cannot give each its own value; pass a list in output order/;

  it('y as {name: tensor} is refused in evaluate and fit, and a list gives each output its own target', async () => {
    const m = stateModel();
    expect(m.outputNames).toEqual(['ls', 'ls']);
    expect(() => m.evaluate(rl.ones([2, 3, 2]), { ls: yh() })).toThrow(new RegExp(`^evaluate: ${shared.source}`));
    await expect(m.fit(rl.ones([2, 3, 2]), { ls: yh() }, { epochs: 1, verbose: 0 })).rejects.toThrow(shared);
    const r = m.evaluate(rl.ones([2, 3, 2]), [yh(), yc()], { returnDict: true }) as unknown as Record<string, number>;
    const same = m.evaluate(rl.ones([2, 3, 2]), [yh(), yh()], { returnDict: true }) as unknown as Record<string, number>;
    expect(r.ls_loss_0).toBeCloseTo(same.ls_loss_0, 6);
    expect(r.ls_loss_1).not.toBeCloseTo(same.ls_loss_1, 1);
  });

  it("compile's loss, lossWeights and metrics maps are refused for the shared name", () => {
    const m = stateModel();
    expect(() => m.compile({ optimizer: 'sgd', loss: { ls: 'mse' } })).toThrow(new RegExp(`compile: loss: ${shared.source}`));
    expect(() => m.compile({ optimizer: 'sgd', loss: 'mse', lossWeights: { ls: 2 } })).toThrow(new RegExp(`compile: lossWeights: ${shared.source}`));
    expect(() => m.compile({ optimizer: 'sgd', loss: 'mse', metrics: { ls: ['mae'] } })).toThrow(new RegExp(`compile: metrics: ${shared.source}`));
    m.compile({ optimizer: 'sgd', loss: ['mse', 'mae'], lossWeights: [1, 2] });
  });

  it('a map missing an output keeps its error; distinct names fit from a map as from the list', async () => {
    const build = () => {
      const i = rl.input({ shape: [2] });
      const a = rl.layers.dense({ units: 1, name: 'a', kernelInitializer: 'ones' }).apply(i) as rl.SymbolicTensor;
      const b = rl.layers.dense({ units: 2, name: 'b', kernelInitializer: 'ones' }).apply(i) as rl.SymbolicTensor;
      const m = rl.model({ inputs: i, outputs: [a, b] });
      m.compile({ optimizer: 'sgd', loss: { a: 'mse', b: 'mae' } });
      return m;
    };
    const ya = rl.tensor2d([[1], [0], [2]]), yb = rl.tensor2d([[0, 1], [1, 0], [2, 2]]);
    expect(() => build().evaluate(x3(), { a: ya })).toThrow("evaluate: no value for output 'b'");
    const byMap = await build().fit(x3(), { b: yb, a: ya }, { epochs: 2, verbose: 0, batchSize: 3, shuffle: false });
    const byList = await build().fit(x3(), [ya, yb], { epochs: 2, verbose: 0, batchSize: 3, shuffle: false });
    expect(byMap.history.a_loss).toEqual(byList.history.a_loss);
    expect(byMap.history.b_loss).toEqual(byList.history.b_loss);
    expect((byMap.history.loss[1] as number)).toBeLessThan(byMap.history.loss[0] as number);
  });
});

describe('an error from inside a layer', () => {
  it("is named after the layer and its class, with the original as its cause and the same class", () => {
    class Boom extends rl.layers.Layer {
      static readonly className = 'Boom';
      call(): rl.Tensor { throw new RangeError('index 7 out of range'); }
    }
    const i = rl.input({ shape: [2] });
    const m = rl.model({ inputs: i, outputs: new Boom({ name: 'boom' }).apply(i) as rl.SymbolicTensor });
    let caught: unknown;
    try { m.predict(x3()); } catch (e) { caught = e; }
    expect(caught).toBeInstanceOf(RangeError);
    expect((caught as Error).message).toBe('boom (Boom): index 7 out of range');
    expect(((caught as Error).cause as Error).message).toBe('index 7 out of range');
  });

  it('a custom layer applied to a width it was not built for fails in predict and fit naming it', async () => {
    const lin = new Lin({ name: 'lin' });
    lin.apply(rl.input({ shape: [3] }));
    const b = rl.input({ shape: [4] });
    const m = rl.model({ inputs: b, outputs: rl.layers.dense({ units: 1, name: 'after' }).apply(lin.apply(b) as rl.SymbolicTensor) as rl.SymbolicTensor });
    expect(() => m.predict(rl.ones([2, 4]))).toThrow(/^lin \(Lin\): .*matMul/);
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    await expect(m.fit(rl.ones([2, 4]), rl.ones([2, 1]), { epochs: 1, verbose: 0 })).rejects.toThrow(/^lin \(Lin\): .*matMul/);
  });

  it('a message that already names the layer is not prefixed again; a holding layer adds its own name', () => {
    const dense = rl.layers.dense({ units: 2, name: 'dd' });
    dense.apply(rl.ones([1, 3]));
    let msg = '';
    try { dense.apply(rl.ones([1, 4])); } catch (e) { msg = (e as Error).message; }
    expect(msg).toMatch(/^dd \(Dense\): /);
    expect(msg.split('dd (Dense)').length).toBe(2);

    class Outer extends rl.layers.Layer {
      static readonly className = 'Outer';
      inner = new Lin({});
      computeOutputShape(s: (number | null)[]) { return [s[0], 2]; }
      call(x: rl.Tensor | rl.Tensor[]) { return this.inner.apply(Array.isArray(x) ? x[0] : x) as rl.Tensor; }
    }
    const outer = new Outer({ name: 'outer' });
    outer.apply(rl.ones([1, 3]));
    expect(() => outer.apply(rl.ones([1, 4]))).toThrow(/^outer \(Outer\): outer\/inner \(Lin\): .*matMul/);
  });
});
