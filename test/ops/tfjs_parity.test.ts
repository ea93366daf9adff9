/**
 * rnnlab's tensor ops against tfjs 4.22 (the devDependency, CPU backend) on the shared cases of tfjs_parity_cases.ts:
 * dtype, shape and values (NaN and infinities exactly), gradients included. Where tfjs throws on a case, rnnlab
 * must too (errorCases); cases tfjs cannot answer and rnnlab deliberately does are in ops_beyond_tfjs.test.ts.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as rl from '../../src/index.js';
import { cases as baseCases, errorCases as baseErrors } from './tfjs_parity_cases.js';
import { convCases, convErrorCases } from './conv_cases.js';
import { serialize, type Plain } from './plain_results.js';

const cases = { ...baseCases, ...convCases }, errorCases = { ...baseErrors, ...convErrorCases };

function close(got: Plain, want: Plain, path: string): void {
  if (typeof want === 'number' && typeof got === 'number') {
    expect(Math.abs(got - want), `${path}: ${got} vs tfjs ${want}`).toBeLessThanOrEqual(1e-5 + 2e-4 * Math.abs(want));
    return;
  }
  if (Array.isArray(want)) {
    expect(Array.isArray(got), `${path}: not a list`).toBe(true);
    expect((got as Plain[]).length, `${path}: length`).toBe(want.length);
    want.forEach((w, i) => close((got as Plain[])[i], w, `${path}[${i}]`));
    return;
  }
  if (want !== null && typeof want === 'object') {
    expect(Object.keys(got as object).sort(), `${path}: keys`).toEqual(Object.keys(want).sort());
    for (const k of Object.keys(want)) close((got as Record<string, Plain>)[k], want[k], `${path}.${k}`);
    return;
  }
  expect(got, path).toEqual(want);
}

describe('ops match tfjs 4.22', () => {
  for (const [name, run] of Object.entries(cases)) {
    it(name, () => close(serialize(run(rl)), serialize(tf.tidy(() => run(tf) as tf.TensorContainer) ?? run(tf)), name));
  }
});

describe('inputs tfjs refuses are refused', () => {
  for (const [name, run] of Object.entries(errorCases)) {
    it(name, () => {
      expect(() => run(tf), 'tfjs throws here').toThrow();
      expect(() => run(rl)).toThrow();
    });
  }
});

describe('memory() counts what tfjs counts', () => {
  // Composite ops and rl.grad run in a scope, as tfjs's op() and gradients do: only their outputs stay counted.
  it.each([
    ['linalg.qr', (l: any, m: any) => l.linalg.qr(m)],
    ['gramSchmidt', (l: any, m: any) => l.linalg.gramSchmidt(m)],
    ['conv2d', (l: any, m: any) => l.conv2d(l.reshape(m, [1, 2, 2, 1]), l.ones([2, 2, 1, 2]), 1, 'same')],
    ['maxPool', (l: any, m: any) => l.maxPool(l.reshape(m, [1, 2, 2, 1]), 2, 1, 'same')],
    ['localResponseNormalization', (l: any, m: any) => l.localResponseNormalization(l.reshape(m, [1, 1, 2, 2]))],
    ['grad', (l: any, m: any) => l.grad((a: any) => l.square(a).sum())(m)],
    ['grads', (l: any, m: any) => l.grads((a: any, b: any) => l.mul(a, b).sum())([m, l.neg(m)])],
    ['valueAndGrad', (l: any, m: any) => l.valueAndGrad((a: any) => l.square(a).sum())(m)],
  ] as [string, (l: any, m: any) => unknown][])('%s', (_name, run) => {
    const made = (lib: any) => { const m = lib.tensor2d([[1, 2], [3, 4]]); const before = lib.memory().numTensors; run(lib, m); return lib.memory().numTensors - before; };
    expect(made(rl)).toBe(made(tf));
  });
});
