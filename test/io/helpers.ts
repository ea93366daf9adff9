import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import * as rl from '../../src/index.js';
import { TEMP_PREFIX } from '../../src/io/atomic.js';

export const silent = { write: () => true };

export function tempDir(prefix = 'rnnlab-io-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The model saved into a new folder under root, then its model.json edited (a file that no longer fits its weights); that model.json's path. */
export async function savedThenEdited(root: string, model: { save(url: string): Promise<unknown> }, edit: (j: Json) => void): Promise<string> {
  const dir = mkdtempSync(join(root, 'm'));
  await model.save(`file://${dir}`);
  const file = join(dir, 'model.json');
  const j = JSON.parse(readFileSync(file, 'utf8')) as Json;
  edit(j);
  writeFileSync(file, JSON.stringify(j));
  return file;
}

/** Token ids [n, T] in [1, vocab) as int32, and one-hot targets [n, T', C] or binary [n, 1]. */
export function idData(n: number, T: number, vocab: number, seed: number): rl.Tensor {
  const r = new rl.Random(seed);
  const ids = new Int32Array(n * T);
  for (let i = 0; i < ids.length; i++) ids[i] = 1 + r.int(vocab - 1);
  return rl.tensor(ids, [n, T], 'int32');
}

export function binaryLabels(n: number, seed: number): rl.Tensor {
  const r = new rl.Random(seed);
  return rl.tensor(Float32Array.from({ length: n }, () => r.int(2)), [n, 1]);
}

export function oneHot(n: number, T: number, C: number, seed: number): rl.Tensor {
  const r = new rl.Random(seed);
  const y = new Float32Array(n * T * C);
  for (let i = 0; i < n * T; i++) y[i * C + r.int(C)] = 1;
  return rl.tensor(y, [n, T, C]);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function sameBits(a: Float32Array[], b: Float32Array[]): boolean {
  return a.length === b.length && a.every((x, i) => x.length === b[i].length && Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(b[i].buffer, b[i].byteOffset, b[i].byteLength)));
}

/** Small binary-classification data of token ids, learnable: label = whether id 1 appears more than id 2. */
export function toyText(n: number, T: number, vocab: number, seed: number): { x: rl.Tensor; y: rl.Tensor } {
  const r = new rl.Random(seed);
  const ids = new Int32Array(n * T), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let c = 0;
    for (let t = 0; t < T; t++) {
      const v = 1 + r.int(vocab - 1);
      ids[i * T + t] = v;
      if (v === 1) c++;
      if (v === 2) c--;
    }
    y[i] = c > 0 ? 1 : 0;
  }
  return { x: rl.tensor(ids, [n, T], 'int32'), y: rl.tensor(y, [n, 1]) };
}

/** model.evaluate's Scalars (one, or a list) as plain numbers [loss, ...metrics]. */
export function evaluated(result: rl.Tensor | rl.Tensor[]): number[] {
  return (Array.isArray(result) ? result : [result]).map((s) => s.dataSync()[0]);
}

/** Every file of a folder, by name: the bytes a failed save must leave as they were. */
export function folderBytes(dir: string): Record<string, Buffer> {
  return Object.fromEntries(readdirSync(dir).map((n) => [n, readFileSync(join(dir, n))]));
}

/**
 * After a failed save over `old`'s folder: no temp files, the same file names with the same bytes as `before`
 * (folderBytes), and the model loads and predicts on x exactly as `old` does.
 */
export async function expectOldModelWhole(dir: string, before: Record<string, Buffer>, old: rl.Sequential, x: rl.Tensor): Promise<void> {
  const after = readdirSync(dir);
  expect(after.filter((n) => n.startsWith(TEMP_PREFIX))).toEqual([]);
  expect(after.sort()).toEqual(Object.keys(before).sort());
  for (const n of after) expect(readFileSync(join(dir, n)).equals(before[n])).toBe(true);
  const back = await rl.loadModel(`file://${dir}`);
  expect(maxAbsDiff(back.predict(x).dataSync(), old.predict(x).dataSync())).toBe(0);
}
