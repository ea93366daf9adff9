/** Shared by the functional-API tests: float64 gradient checks of graphs, temp folders, tfjs artifact moves. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import * as rl from '../../src/index.js';
import { withTape } from '../../src/autograd/tape.js';
import { lossOp } from '../../src/autograd/loss_ops.js';
import { Tensor } from '../../src/tensor.js';
import type { Variable } from '../../src/variable.js';

export function randomTensor(shape: number[], seed: number, scale = 1): Tensor {
  const r = new rl.Random(seed);
  const d = new Float64Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < d.length; i++) d[i] = r.uniform(-scale, scale);
  return new Tensor(d, shape, 'float32');
}

/**
 * Checks d loss / d (inputs and params) of f against central differences (run under rl.setPrecision(64)); the loss
 * is MSE against a fixed random target so every output element counts. Returns the largest relative error.
 */
export function gradCheck(f: (xs: Tensor[]) => Tensor, xs: Tensor[], params: Variable[] = [], tol = 1e-6): number {
  const out0 = f(xs);
  const r = new rl.Random(99);
  const target = new Tensor(new Float64Array(out0.size).map(() => r.uniform(-1, 1)), out0.shape, 'float32');
  const lossOf = () => lossOp('meanSquaredError', f(xs), target, false).values[0] as number;
  for (const x of xs) { x.requiresGrad = true; x.grad = null; }
  for (const p of params) p.grad = null;
  const { value, backward } = withTape(() => lossOp('meanSquaredError', f(xs), target, false));
  backward(value);
  let worst = 0;
  for (const t of [...xs, ...params]) {
    const d = t.values as Float64Array;
    const g = t.grad ? Float64Array.from(t.grad) : new Float64Array(d.length);
    for (let i = 0; i < d.length; i++) {
      const old = d[i], h = 1e-6;
      d[i] = old + h; const lp = lossOf();
      d[i] = old - h; const lm = lossOf();
      d[i] = old;
      const num = (lp - lm) / (2 * h);
      const err = Math.abs(num - g[i]) / Math.max(1e-3, Math.abs(num) + Math.abs(g[i]));
      worst = Math.max(worst, err);
    }
  }
  for (const x of xs) { x.requiresGrad = false; x.grad = null; }
  for (const p of params) p.grad = null;
  expect(worst).toBeLessThan(tol);
  return worst;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

type TfIo = {
  fromMemory(a: unknown): unknown;
  withSaveHandler(h: (a: Record<string, unknown>) => Promise<unknown>): unknown;
};

/** A folder written by model.save('file://DIR') as in-memory tfjs artifacts (tf.io.fromMemory's argument). */
export function folderArtifacts(dir: string): Record<string, unknown> {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const groups = json.weightsManifest as { paths: string[]; weights: unknown[] }[];
  const bytes = Buffer.concat(groups.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p)))));
  return { modelTopology: json.modelTopology, weightSpecs: groups.flatMap((g) => g.weights), format: json.format,
    weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), trainingConfig: json.trainingConfig };
}

/** A save handler writing model.json + weights.bin to dir, laid out as tfjs-node's file:// handler does. */
export function folderSaveHandler(io: TfIo, dir: string): unknown {
  return io.withSaveHandler(async (a) => {
    mkdirSync(dir, { recursive: true });
    const { weightSpecs, weightData, ...rest } = a;
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ ...rest, weightsManifest: [{ paths: ['weights.bin'], weights: weightSpecs }] }));
    writeFileSync(join(dir, 'weights.bin'), Buffer.from(weightData as ArrayBuffer));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  });
}
