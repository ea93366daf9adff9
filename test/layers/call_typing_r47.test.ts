/**
 * tfjs's layer.call(inputs, kwargs) is public and typed so: a strict-TypeScript custom layer calls its built-in inner
 * layers' call with tfjs's kwargs ({training}, {}, or none) without casts, and the engine's computation (compute, with
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
  call(inputs: rl.Tensor | rl.Tensor[], kwargs?: rl.Kwargs): rl.Tensor | rl.Tensor[] {
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

  it('the engine\'s compute is not public: user code cannot reach it', () => {
    const code = `import * as rl from 'rnnlab';\nconst d = rl.layers.dense({ units: 2 });\nd.compute(rl.ones([1, 2]), { training: false, mask: null });\n`;
    const found = strictDiagnostics(code, HOLDER_FILE);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^3: Property 'compute' is protected/);
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
