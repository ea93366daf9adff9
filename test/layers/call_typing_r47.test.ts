/**
 * tfjs's layer.call(inputs, kwargs) is public and typed so: a strict-TypeScript custom layer calls its built-in inner
 * layers' call with tfjs's kwargs ({training}, {}, or none) without casts, and the engine's computation (the symbol-keyed compute, with
 * its CallContext) is not part of their public type. The layer, compiled as written, computes what apply() does, its
 * dropout active only with training: true.
 */
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { strictDiagnostics } from '../helpers/strict_ts.js';

const HOLDER_FILE = 'test/layers/__call_typing_r47.mts';

const HOLDER = `import * as rl from 'rnnlab';

export class Holder extends rl.layers.Layer {
  static override readonly className = 'CallTypingHolder';
  readonly embedding = rl.layers.embedding({ inputDim: 10, outputDim: 4 });
  readonly lstm = rl.layers.lstm({ units: 3, returnSequences: true });
  readonly dense = rl.layers.dense({ units: 6 });
  readonly dropout = rl.layers.dropout({ rate: 0.5 });
  override computeOutputShape(s: (number | null)[]): (number | null)[] { return [...s, 6]; }
  override call(inputs: rl.Tensor | rl.Tensor[], kwargs?: rl.Kwargs): rl.Tensor | rl.Tensor[] {
    const training = kwargs?.training ?? false;
    const e = this.embedding.call(inputs, {});
    const s = this.lstm.call(e, { training });
    const d = this.dense.call(s);
    return this.dropout.call(d, { training });
  }
}
`;

type HolderLayer = InstanceType<typeof rl.layers.Layer> & {
  embedding: InstanceType<typeof rl.layers.Layer>;
  lstm: InstanceType<typeof rl.layers.Layer>;
  dense: InstanceType<typeof rl.layers.Layer>;
  dropout: InstanceType<typeof rl.layers.Layer>;
};

/** The Holder class as tsc compiles it, run against the package. */
function holderClass(): new () => HolderLayer {
  const js = ts.transpileModule(HOLDER, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
  const body = js.replace(/^import \* as rl from 'rnnlab';$/m, '').replace(/^export /m, '');
  expect(body).not.toMatch(/^import /m);
  return new Function('rl', `${body}\nreturn Holder;`)(rl) as new () => HolderLayer;
}

const values = (t: rl.Tensor | rl.Tensor[]) => Array.from((t as rl.Tensor).dataSync());

describe('built-in layers\' call(inputs, kwargs) as tfjs types it', () => {
  it('a strict-TypeScript custom layer calls Dense, Dropout, LSTM and Embedding with {training}, {} and no kwargs, without casts', () => {
    expect(strictDiagnostics(HOLDER, HOLDER_FILE)).toEqual([]);
  }, 120_000);

  it('the engine\'s computation is not public: user code cannot reach it by the name compute', () => {
    const code = `import * as rl from 'rnnlab';\nconst d = rl.layers.dense({ units: 2 });\nd.compute(rl.ones([1, 2]), { training: false, mask: null });\n`;
    const found = strictDiagnostics(code, HOLDER_FILE);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^3: Property 'compute' does not exist/);
  }, 120_000);

  it('runs: the calls give apply()\'s values on the same tensors, dropping only with training: true', () => {
    const Holder = holderClass();
    rl.setSeed(5);
    const h = new Holder();
    const ids = rl.tensor2d([[1, 2, 3, 4], [5, 6, 7, 0]], [2, 4], 'int32');
    const inference = values(h.call(ids, {}));
    expect(inference).toHaveLength(2 * 4 * 6);
    const applied = values(h.dropout.apply(h.dense.apply(h.lstm.apply(h.embedding.apply(ids) as rl.Tensor) as rl.Tensor) as rl.Tensor) as rl.Tensor);
    expect(inference).toEqual(applied);
    expect(values(h.call(ids, { training: false }))).toEqual(applied);
    expect(inference.every((v) => v !== 0)).toBe(true);

    rl.setSeed(9);
    const trained = values(h.call(ids, { training: true }));
    const dropped = trained.filter((v) => v === 0).length;
    expect(dropped).toBeGreaterThan(0);
    expect(dropped).toBeLessThan(trained.length);
    // Dropout keeps the rest scaled by 1 / (1 - rate).
    trained.forEach((v, i) => { if (v !== 0) expect(v).toBeCloseTo(2 * applied[i], 5); });
    // Inference again after training mode: nothing left dropped.
    expect(values(h.call(ids))).toEqual(applied);
  });
});

const Dense = rl.layerClasses.Dense;
const Dropout = rl.layerClasses.Dropout;

/** tfjs-style subclasses: call(inputs, kwargs) handing on to super.call with tfjs's two arguments (or one). */
class PassDense extends Dense {
  static override readonly className = 'CallTypingPassDense';
  override call(inputs: rl.Tensor | rl.Tensor[], kwargs?: rl.Kwargs): rl.Tensor | rl.Tensor[] { return super.call(inputs, kwargs); }
}
class BareDense extends Dense {
  static override readonly className = 'CallTypingBareDense';
  override call(inputs: rl.Tensor | rl.Tensor[]): rl.Tensor | rl.Tensor[] { return super.call(inputs); }
}
class BareDropout extends Dropout {
  static override readonly className = 'CallTypingBareDropout';
  override call(inputs: rl.Tensor | rl.Tensor[]): rl.Tensor | rl.Tensor[] { return super.call(inputs); }
}
/** A user's own helper named compute, unrelated to the engine's computation. */
class HelperDense extends Dense {
  static override readonly className = 'CallTypingHelperDense';
  compute(v: rl.Tensor): rl.Tensor { return v; }
}
class DoublingDense extends Dense {
  static override readonly className = 'CallTypingDoublingDense';
  override call(inputs: rl.Tensor | rl.Tensor[], kwargs?: rl.Kwargs): rl.Tensor | rl.Tensor[] { return this.compute(inputs as rl.Tensor, kwargs); }
  compute(v: rl.Tensor, kwargs?: rl.Kwargs): rl.Tensor { return rl.mul(super.call(v, kwargs) as rl.Tensor, rl.scalar(2)); }
}

const X = rl.tensor2d([[1, 2], [3, -1], [0.5, 0.5], [-2, 1]], [4, 2]);

describe('a user\'s subclass of a built-in layer, tfjs-style', () => {
  it('a helper method named compute is the user\'s own: predict is Dense\'s, and a call built on it reaches super.call', () => {
    const predictWith = (L: typeof Dense) => {
      rl.setSeed(3);
      return values(rl.sequential({ layers: [new L({ units: 3, inputShape: [2] })] }).predict(X) as rl.Tensor);
    };
    const plain = predictWith(Dense);
    expect(predictWith(HelperDense)).toEqual(plain);
    expect(predictWith(DoublingDense)).toEqual(plain.map((v) => 2 * v));
  });

  it('typechecks strictly: a subclass may declare its own compute(v) with any signature', () => {
    const code = `import * as rl from 'rnnlab';
export class HelperDense extends rl.layerClasses.Dense {
  static override readonly className = 'HelperDenseTyped';
  compute(v: rl.Tensor): rl.Tensor { return v; }
}
`;
    expect(strictDiagnostics(code, HOLDER_FILE)).toEqual([]);
  }, 120_000);

  it('super.call(inputs) without kwargs: an unbuilt Dense subclass builds, a Dropout subclass drops only in training', () => {
    rl.setSeed(4);
    const plain = values(new Dense({ units: 2 }).call(X));
    rl.setSeed(4);
    expect(values(new BareDense({ units: 2 }).call(X))).toEqual(plain);
    rl.setSeed(4);
    expect(values(new PassDense({ units: 2 }).call(X, {}))).toEqual(plain);
    expect(values(new BareDropout({ rate: 0.5 }).call(X))).toEqual(values(X));
  });

  it('a Dropout subclass calling super.call(inputs) inside a Sequential predicts and fits as Dropout does', async () => {
    const run = async (D: typeof Dropout) => {
      rl.setSeed(6);
      const m = rl.sequential({ layers: [new Dense({ units: 4, inputShape: [2] }), new D({ rate: 0.5 }), new Dense({ units: 1 })] });
      m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      const predicted = values(m.predict(X) as rl.Tensor);
      const h = await m.fit(X, rl.tensor2d([[1], [0], [1], [0]], [4, 1]), { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 });
      const evaluated = values(m.evaluate(X, rl.tensor2d([[1], [0], [1], [0]], [4, 1])) as rl.Tensor);
      return { predicted, loss: h.history.loss as number[], evaluated };
    };
    const plain = await run(Dropout);
    expect(await run(BareDropout)).toEqual(plain);
  });

  it.each([
    { activation: 'sigmoid' as const, loss: 'binaryCrossentropy', y: [[1], [0], [1], [0]], units: 1 },
    { activation: 'softmax' as const, loss: 'categoricalCrossentropy', y: [[1, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0]], units: 3 },
  ])('a $activation Dense subclass ending a model gives plain Dense\'s evaluate loss (its call returns probabilities)', ({ activation, loss, y, units }) => {
    const yT = rl.tensor2d(y, [4, units]);
    const evaluate = (L: typeof Dense, wrap: boolean) => {
      rl.setSeed(3);
      const inner = new L({ units, activation });
      const layers = wrap
        ? [rl.layers.timeDistributed({ layer: inner, inputShape: [1, 2] })]
        : [new L({ units, activation, inputShape: [2] })];
      const m = rl.sequential({ layers });
      m.compile({ optimizer: 'sgd', loss });
      const x = wrap ? rl.reshape(X, [4, 1, 2]) : X;
      const target = wrap ? rl.reshape(yT, [4, 1, units]) : yT;
      const p = m.predict(x) as rl.Tensor;
      return { loss: values(m.evaluate(x, target) as rl.Tensor)[0], p: p.arraySync() as number[][] | number[][][] };
    };
    for (const wrap of [false, true]) {
      const plain = evaluate(Dense, wrap);
      const sub = evaluate(PassDense, wrap);
      expect(sub.p).toEqual(plain.p);
      expect(sub.loss).toBeCloseTo(plain.loss, 5);
      // The reference: the loss of the probabilities predict gives.
      const probs = (wrap ? (plain.p as number[][][]).map((r) => r[0]) : plain.p as number[][]);
      const manual = probs.reduce((s, row, i) => s + (units === 1
        ? -(y[i][0] * Math.log(row[0]) + (1 - y[i][0]) * Math.log(1 - row[0]))
        : -Math.log(row[y[i].indexOf(1)])), 0) / probs.length;
      expect(sub.loss).toBeCloseTo(manual, 4);
    }
  });
});
