/**
 * Seeded random 3-D convolution and pool configurations against tfjs 4.22, values and gradients, where tfjs is
 * right; the two tfjs faults listed in docs/API.md are checked another way:
 * - 'same' where a dimension's pad would be negative ((out - 1)·stride + window < size): tfjs shifts its windows;
 *   TensorFlow pads 0, which is then 'valid' in that dimension, so rnnlab's 'same' is compared with tfjs's 'valid'.
 * - maxPool3d's gradient where a window differs from its stride (overlapping windows, or gaps between them): tfjs's
 *   puts gradients on the wrong entries, so rnnlab's is compared with central differences of the forward (which
 *   agrees with tfjs's); where every window equals its stride it is compared with tfjs's.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { serialize } from './plain_results.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

const near = (x: any, y: any): boolean => {
  if (Array.isArray(x)) return Array.isArray(y) && x.length === y.length && x.every((v, i) => near(v, y[i]));
  if (x && typeof x === 'object') return y && typeof y === 'object' && Object.keys(x).every((k) => near(x[k], y[k]));
  if (typeof x === 'number' && typeof y === 'number') return Math.abs(x - y) <= 1e-4 + 1e-3 * Math.abs(x);
  return x === y;
};
const mk = (l: any, s: number[], k: number) => l.sin(l.range(0, s.reduce((a, v) => a * v, 1)).mul(0.37 * k)).reshape(s);
/** Distinct values at least 1/size apart (a permutation of i/size), so a central difference never crosses a tie. */
const spread = (s: number[]) => { const n = s.reduce((a, v) => a * v, 1); return Array.from({ length: n }, (_, i) => ((i * 37) % n) / n); };

/** Largest gap between rnnlab's maxPool3d gradient and central differences of its forward. */
function maxPool3dGradError(s: number[], k: number[], st: number | number[], p: 'same' | 'valid'): number {
  const x0 = spread(s);
  const loss = (v: number[]) => rl.maxPool3d(rl.tensor(v, s), k as never, st as never, p).square().sum().dataSync()[0] as number;
  const fd = x0.map((_, i) => { const a = [...x0], b = [...x0]; a[i] += 1e-3; b[i] -= 1e-3; return (loss(a) - loss(b)) / 2e-3; });
  const ours = rl.grad((x: rl.Tensor) => rl.maxPool3d(x, k as never, st as never, p).square().sum())(rl.tensor(x0, s)).dataSync();
  return Math.max(...fd.map((v, i) => Math.abs(v - (ours[i] as number))));
}

/** Total 'same' pad per spatial dimension as TensorFlow computes it before clamping at 0. */
function samePads(size: number[], window: number[], stride: number[], dil = 1): number[] {
  return size.map((n, i) => (Math.ceil(n / stride[i]) - 1) * stride[i] + (window[i] - 1) * dil + 1 - n);
}

describe('3-D convolutions and pools', () => {
  it('random configurations match tfjs where tfjs is right, and tfjs\'s \'valid\' where its \'same\' pad is negative', () => {
    let seed = 4242; const r = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
    const ri = (a: number, b: number) => a + Math.floor(r() * (b - a + 1));
    const bad: string[] = [];
    let compared = 0, negative = 0, fdChecked = 0;
    for (let trial = 0; trial < 40; trial++) {
      const b = ri(1, 2), d = ri(1, 4), h = ri(1, 6), w = ri(1, 6), c = ri(1, 2), co = ri(1, 2);
      const win = [ri(1, 3), ri(1, 3), ri(1, 3)];
      const dil = r() < 0.25 ? 2 : 1;
      const st = dil > 1 ? [1, 1, 1] : [ri(1, 3), ri(1, 3), ri(1, 3)];
      const pad: 'same' | 'valid' = r() < 0.6 ? 'same' : 'valid';
      const xs = [b, d, h, w, c], fs = [...win, c, co];
      const pads = samePads([d, h, w], win, st, dil);
      // All negative or zero: TensorFlow's 'same' is 'valid' here; mixed signs have no tfjs reference.
      const allNonPositive = pads.every((p) => p <= 0), anyNegative = pads.some((p) => p < 0);
      if (pad === 'same' && anyNegative && !allNonPositive) continue;
      const tfPad = pad === 'same' && anyNegative ? 'valid' : pad;
      if (tfPad !== pad) negative++;
      const tfjsPoolGradRight = win.every((k, i) => k === st[i]);
      if (!tfjsPoolGradRight && dil === 1) {
        const err = maxPool3dGradError(xs, win, st, pad);
        if (!(err < 5e-3)) bad.push(`maxPool3dGrad vs central differences ${JSON.stringify({ xs, win, st, pad })}: ${err}`);
        fdChecked++;
      }
      const ops: Record<string, (l: any, p: string) => any> = {
        conv3d: (l, p) => l.conv3d(mk(l, xs, 1), mk(l, fs, 2), st, p, 'NDHWC', dil),
        avgPool3d: (l, p) => l.avgPool3d(mk(l, xs, 1), win, st, p),
        maxPool3d: (l, p) => l.maxPool3d(mk(l, xs, 1), win, st, p),
        ...(dil === 1 ? {
          conv3dGrads: (l: any, p: string) => l.grads((x: any, f: any) => l.conv3d(x, f, st, p).square().sum())([mk(l, xs, 1), mk(l, fs, 2)]),
          conv3dTranspose: (l: any, p: string) => {
            const y = l.conv3d(mk(l, xs, 1), mk(l, fs, 2), st, p);
            return l.conv3dTranspose(mk(l, y.shape, 3), mk(l, fs, 2), xs, st, p);
          },
          ...(tfjsPoolGradRight ? { maxPool3dGrad: (l: any, p: string) => l.grad((x: any) => l.maxPool3d(x, win, st, p).square().sum())(l.tensor(spread(xs), xs)) } : {}),
          // tfjs's avgPool gradient over padding divides by the whole window (docs/API.md): 'valid' or no pad only.
          ...(tfPad === 'valid' || pads.every((q) => q === 0) ? { avgPool3dGrad: (l: any, p: string) => l.grad((x: any) => l.avgPool3d(x, win, st, p).square().sum())(mk(l, xs, 1)) } : {}),
        } : {}),
      };
      for (const [name, f] of Object.entries(ops)) {
        let a: any, x: any, e1 = '', e2 = '';
        try { a = serialize(tf.tidy(() => f(tf, tfPad))); } catch (e) { e1 = (e as Error).message; }
        try { x = serialize(f(rl, pad)); } catch (e) { e2 = (e as Error).message; }
        if (e1 && e2) continue;
        const cfg = JSON.stringify({ xs, fs, st, dil, pad, tfPad });
        if (e1 || e2) { bad.push(`${name} ${cfg} tf:${e1.slice(0, 80)} rl:${e2.slice(0, 80)}`); continue; }
        compared++;
        if (!near(a, x)) bad.push(`${name} ${cfg} MISMATCH ${JSON.stringify(a).slice(0, 120)} vs ${JSON.stringify(x).slice(0, 120)}`);
      }
    }
    expect(bad).toEqual([]);
    expect(compared).toBeGreaterThan(80);
    expect(negative).toBeGreaterThan(0);
    expect(fdChecked).toBeGreaterThan(10);
  });

  it('tfjs\'s \'same\' with a negative pad shifts the windows (the fault the comparison above avoids)', () => {
    // Width 8, window 1, stride 2: out 4, pad (4-1)·2+1-8 = -1; TensorFlow takes columns 0, 2, 4, 6.
    const x = mk(tf, [1, 1, 1, 8, 1], 1);
    const same = Array.from(tf.maxPool3d(x as any, [1, 1, 1], 2, 'same').dataSync());
    const valid = Array.from(tf.maxPool3d(x as any, [1, 1, 1], 2, 'valid').dataSync());
    const ours = Array.from(rl.maxPool3d(mk(rl, [1, 1, 1, 8, 1], 1), [1, 1, 1], 2, 'same').dataSync() as Float32Array);
    const cols = Array.from(x.dataSync()).filter((_, i) => i % 2 === 0);
    expect(ours.map((v) => Math.fround(v))).toEqual(cols.map((v) => Math.fround(v as number)));
    expect(valid).toEqual(cols);
    expect(same).not.toEqual(cols);
  });

  it.each([
    [[1, 2, 6, 8, 1], [2, 2, 4], 1, 'valid'],
    [[2, 4, 3, 1, 3], [3, 3, 4], 1, 'same'],
    [[1, 3, 7, 7, 1], [3, 4, 3], [1, 2, 2], 'same'],
    [[2, 1, 2, 4, 2], [1, 2, 1], [2, 3, 1], 'valid'],
  ] as [number[], [number, number, number], number | [number, number, number], 'same' | 'valid'][])(
    'maxPool3d\'s gradient (x %j, window %j, stride %j) is the forward\'s central difference; tfjs\'s is not', (s, k, st, p) => {
      expect(maxPool3dGradError(s, k, st, p)).toBeLessThan(5e-3);
      // The forward agrees with tfjs's; tfjs's gradient does not (docs/API.md).
      const x0 = spread(s), tfx = tf.tensor(x0, s as never) as tf.Tensor5D, rx = rl.tensor(x0, s as never) as any;
      expect(near(serialize(tf.maxPool3d(tfx, k, st, p)), serialize(rl.maxPool3d(rx, k, st, p)))).toBe(true);
      const theirs = tf.grad((x) => tf.maxPool3d(x as tf.Tensor5D, k, st, p).square().sum())(tfx).dataSync();
      const ours = rl.grad((x: rl.Tensor) => rl.maxPool3d(x as any, k, st, p).square().sum())(rx).dataSync();
      expect(Math.max(...Array.from(theirs, (v, i) => Math.abs(v - (ours[i] as number))))).toBeGreaterThan(0.1);
    });
});
