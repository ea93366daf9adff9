/**
 * Seeded random convolution and pool configurations (sizes, strides, dilations, every pad kind, rounding modes)
 * against tfjs 4.22, values and gradients. Known tfjs faults are left out by construction or skipped, each named:
 * numeric pads with non-square windows (tfjs sizes the width from the height), gradients where a rounding mode
 * makes windows run past the pads (tfjs's differ from its forward), dilated pools with other pads (tfjs ignores them).
 * The 3-D ops, with their own tfjs faults, are in conv3d_fuzz.test.ts.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import * as tf from '@tensorflow/tfjs';
import { serialize } from './plain_results.js';
it('random convolution and pool configurations match tfjs', () => {
  let seed = 12345; const r = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  const ri = (a: number, b: number) => a + Math.floor(r() * (b - a + 1));
  const bad: string[] = [];
  let compared = 0;
  const near = (x: any, y: any): boolean => {
    if (Array.isArray(x)) return Array.isArray(y) && x.length === y.length && x.every((v, i) => near(v, y[i]));
    if (x && typeof x === 'object') return y && typeof y === 'object' && Object.keys(x).every((k) => near(x[k], y[k]));
    if (typeof x === 'number' && typeof y === 'number') return Math.abs(x - y) <= 1e-4 + 1e-3 * Math.abs(x);
    return x === y;
  };
  for (let trial = 0; trial < 150; trial++) {
    const h = ri(1, 7), w = ri(1, 7), c = ri(1, 3), b = ri(1, 2), kh = ri(1, 3), co = ri(1, 3); const padKind0 = ri(0, 3); const kw = padKind0 >= 2 ? kh : ri(1, 3); const ptype = r() < 0.5 ? 'max' : 'avg';
    const dil = r() < 0.3 ? ri(2, 3) : 1, st = dil > 1 ? 1 : ri(1, 3);
    const padKind = padKind0;
    const pad: any = padKind === 0 ? 'valid' : padKind === 1 ? 'same' : padKind === 2 ? ri(0, 2) : [[0, 0], [ri(0, 2), ri(0, 2)], [ri(0, 2), ri(0, 2)], [0, 0]];
    const rm: any = (typeof pad === 'number' || Array.isArray(pad)) && r() < 0.5 ? ['floor', 'ceil', 'round'][ri(0, 2)] : undefined;
    const mk = (l: any, s: number[], k: number) => l.sin(l.range(0, s.reduce((a, v) => a * v, 1)).mul(0.37 * k)).reshape(s);
    const ops: Record<string, (l: any) => any> = {
      conv2d: (l) => l.conv2d(mk(l, [b, h, w, c], 1), mk(l, [kh, kw, c, co], 2), st, pad, 'NHWC', dil, rm),
      depthwise: (l) => l.depthwiseConv2d(mk(l, [b, h, w, c], 1), mk(l, [kh, kw, c, co], 2), st, pad, 'NHWC', dil, rm),
      maxPool: (l) => l.maxPool(mk(l, [b, h, w, c], 1), [kh, kw], st, pad, rm),
      avgPool: (l) => l.avgPool(mk(l, [b, h, w, c], 1), [kh, kw], st, pad, rm),
      pool: (l) => l.pool(mk(l, [b, h, w, c], 1), [kh, kw], ptype, pad, dil, st),
      conv2dGrad: (l) => l.grads((x: any, f: any) => l.conv2d(x, f, st, pad, 'NHWC', 1, rm).square().sum())([mk(l, [b, h, w, c], 1), mk(l, [kh, kw, c, co], 2)]),
      maxPoolGrad: (l) => l.grad((x: any) => l.maxPool(x, [kh, kw], st, pad, rm).square().sum())(mk(l, [b, h, w, c], 1)),
      convT: (l) => { const y = l.conv2d(mk(l, [b, h, w, c], 1), mk(l, [kh, kw, c, co], 2), st, pad, 'NHWC', 1, rm); return l.conv2dTranspose(l.onesLike(y), mk(l, [kh, kw, c, co], 2), [b, h, w, c], st, pad, rm); },
    };
    for (const [name, f] of Object.entries(ops)) {
      let a: any, e1 = '', e2 = '';
      let x: any;
      try { a = serialize(tf.tidy(() => f(tf))); } catch (e) { e1 = (e as Error).message; }
      try { x = serialize(f(rl)); } catch (e) { e2 = (e as Error).message; }
      if (e1 && e2) continue;
      const cfg = JSON.stringify({ b, h, w, c, kh, kw, co, dil, st, pad, rm });
      const knownFault = /Grad$/.test(name) && rm !== undefined && st > 1;
      if (knownFault) continue;
      if (e2 && /does not fit the input|with dilations the pad must be 'same' or 'valid'/.test(e2)) continue;
      if (e1 || e2) { bad.push(`${name} ${cfg} tf:${e1.slice(0, 80)} rl:${e2.slice(0, 80)}`); continue; }
      compared++;
      if (!near(a, x)) bad.push(`${name} ${cfg} MISMATCH ${JSON.stringify(a).slice(0, 120)} vs ${JSON.stringify(x).slice(0, 120)}`);
    }
  }
  expect(bad).toEqual([]);
  expect(compared).toBeGreaterThan(600);
});
