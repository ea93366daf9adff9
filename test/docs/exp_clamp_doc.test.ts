/**
 * docs/API.md (Kernels, and the ops' deliberate differences): the native exp behind softmax and sigmoid clamps its
 * input, so softmax never reaches 0; sigmoid is exactly 0 below -88.7228317 on every backend (tfjs gives a subnormal
 * there); the reference backend's softmax underflows as tfjs's does; a finite -1e9 mask makes a fully
 * masked row uniform on both.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { getBackend, nativeKernels, setBackend } from '../../src/backend/index.js';

const api = readFileSync(new URL('../../docs/API.md', import.meta.url), 'utf8');
const initial = getBackend();
afterEach(() => setBackend(initial));

const vals = (t: rl.Tensor) => Array.from(t.dataSync());

describe('native exp clamp (docs/API.md)', () => {
  it('is documented with the numbers checked below', () => {
    for (const s of ['[-87.34, 88.72]', '1.18e-38', 'is exactly 0 for x below -88.7228317', 'RNNLAB_BACKEND=reference', '-1e9']) expect(api).toContain(s);
  });

  it.skipIf(!nativeKernels())('native: -Infinity gives about 1.18e-38 (softmax) and exactly 0 (sigmoid); an all -Infinity row is uniform', () => {
    setBackend('native');
    const [p0, p1] = vals(rl.softmax(rl.tensor1d([-Infinity, 0])));
    expect(p0).toBeGreaterThan(1.17e-38);
    expect(p0).toBeLessThan(1.19e-38);
    expect(p1).toBe(1);
    // The clamped exp is divided by the row's sum: two maxima halve it (a subnormal, still not 0).
    const [q0] = vals(rl.softmax(rl.tensor1d([-100, 0, 0])));
    expect(q0).toBeGreaterThan(5.8e-39);
    expect(q0).toBeLessThan(5.9e-39);
    expect(vals(rl.softmax(rl.tensor2d([[-Infinity, -Infinity]])))).toEqual([0.5, 0.5]);
    // Below -88.7228317 sigmoid selects 0 rather than dividing by an overflowing e^-x (tfjs: 3.8e-44 at -100).
    expect(vals(rl.sigmoid(rl.tensor1d([-Infinity, -100])))).toEqual([0, 0]);
    expect(vals(rl.tanh(rl.tensor1d([-Infinity, Infinity])))).toEqual([-1, 1]);
  });

  it('float64 (setPrecision(64)): no clamp, -Infinity gives 0', () => {
    rl.setPrecision(64);
    try {
      expect(vals(rl.softmax(rl.tensor1d([-Infinity, 0])))).toEqual([0, 1]);
    } finally {
      rl.setPrecision(32);
    }
  });

  it("reference: tfjs's values (0, and NaN for an all -Infinity row)", () => {
    setBackend('reference');
    expect(vals(rl.softmax(rl.tensor1d([-Infinity, 0])))).toEqual([0, 1]);
    expect(vals(rl.softmax(rl.tensor2d([[-Infinity, -Infinity]]))).every(Number.isNaN)).toBe(true);
    expect(vals(rl.sigmoid(rl.tensor1d([-Infinity, -100])))).toEqual([0, 0]);
  });

  it('a -1e9 mask makes a fully masked row uniform on either backend, and a masked entry below 1.2e-38', () => {
    for (const b of nativeKernels() ? ['native', 'reference'] as const : ['reference'] as const) {
      setBackend(b);
      expect(vals(rl.softmax(rl.tensor2d([[-1e9, -1e9]])))).toEqual([0.5, 0.5]);
      expect(vals(rl.softmax(rl.tensor1d([-1e9, 0])))[0]).toBeLessThan(1.2e-38);
    }
  });
});
