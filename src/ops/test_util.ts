/**
 * tfjs's tf.test_util: the assertions tfjs programs' own tests call (abalone-node's model_test.js). Same tolerances
 * and messages as tfjs 4; each throws an Error on a mismatch, so it works under any test runner.
 */
import { isTypedArray, nestedShape, Tensor } from '../tensor.js';
import { flatten } from './util.js';
import { unsupported } from './unsupported.js';

type Values = Tensor | ArrayLike<unknown> | number | boolean | string | unknown[];

/** tfjs's tolerance for float32 backends (TEST_EPSILON_FLOAT32); rnnlab computes in float32 or float64. */
const TEST_EPSILON_FLOAT32 = 1e-3;
/** tfjs's tolerance for backends that compute in float16, which rnnlab has none of; exported as tfjs does. */
export const TEST_EPSILON_FLOAT16 = 1e-1;

export function testEpsilon(): number { return TEST_EPSILON_FLOAT32; }

// tfjs 4 compares two Tensors vacuously (each flattens to one non-number, and two non-finite values are close), so a
// test handing it tensors always passes; rnnlab compares their values and shapes, as tfjs 1 did.
const valuesOf = (x: Values): unknown => (x instanceof Tensor ? x.arraySync() : x);

function areClose(a: number, e: number, epsilon: number): boolean {
  if (!Number.isFinite(a) && !Number.isFinite(e)) return true;
  return !(Number.isNaN(a) || Number.isNaN(e) || Math.abs(a - e) > epsilon);
}

function expectArraysPredicate(actualIn: Values, expectedIn: Values, predicate: (a: unknown, e: unknown) => boolean): void {
  const actual = valuesOf(actualIn), expected = valuesOf(expectedIn);
  // As tfjs: a typed array matches a plain array of the same values, but two typed arrays must be of one kind.
  const oneTyped = isTypedArray(actual) !== isTypedArray(expected);
  if (!oneTyped) {
    const aType = (actual as object).constructor.name, eType = (expected as object).constructor.name;
    if (aType !== eType) throw new Error(`Arrays are of different type. Actual: ${aType}. Expected: ${eType}`);
  }
  if (Array.isArray(actual) && Array.isArray(expected)) {
    const aShape = nestedShape(actual), eShape = nestedShape(expected);
    if (aShape.join() !== eShape.join()) throw new Error(`Arrays have different shapes. Actual: [${aShape}]. Expected: [${eShape}]`);
  }
  const a = flatten(actual as unknown[]), e = flatten(expected as unknown[]);
  if (a.length !== e.length) {
    throw new Error(`Arrays have different lengths actual: ${a.length} vs expected: ${e.length}.\nActual:   ${a}.\nExpected: ${e}.`);
  }
  for (let i = 0; i < e.length; i++) {
    if (!predicate(a[i], e[i])) throw new Error(`Arrays differ: actual[${i}] = ${a[i]}, expected[${i}] = ${e[i]}.\nActual:   ${a}.\nExpected: ${e}.`);
  }
}

/** Equal shapes (nested arrays) and every value within epsilon (default 1e-3, tfjs's); two non-finite values are close. */
export function expectArraysClose(actual: Values, expected: Values, epsilon?: number): void {
  const eps = epsilon ?? testEpsilon();
  expectArraysPredicate(actual, expected, (a, e) => areClose(a as number, e as number, eps));
}

/** Exactly equal values; strings compare with ==, as tfjs's. */
export function expectArraysEqual(actual: Values, expected: Values): void {
  const isString = (x: unknown): boolean => typeof x === 'string' || (Array.isArray(x) && typeof x[0] === 'string');
  if (isString(actual) || isString(expected)) {
    const exp = typeof expected === 'string' || typeof expected === 'number' || typeof expected === 'boolean' ? [expected] : expected;
    // Loose, as tfjs's: '1' matches 1.
    expectArraysPredicate(actual, exp, (a, e) => a == e);
    return;
  }
  expectArraysPredicate(actual, expected, (a, e) => areClose(a as number, e as number, 0));
}

export function expectNumbersClose(a: number, e: number, epsilon?: number): void {
  if (!areClose(a, e, epsilon ?? testEpsilon())) throw new Error(`Numbers differ: actual === ${a}, expected === ${e}`);
}

export function expectValuesInRange(actual: ArrayLike<number>, low: number, high: number): void {
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] < low || actual[i] > high) throw new Error(`Value out of range:${actual[i]} low: ${low}, high: ${high}`);
  }
}

/** The buffers read as float32 values (tfjs's view of them) must match, NaN matching NaN. */
export function expectArrayBuffersEqual(actual: ArrayBuffer, expected: ArrayBuffer): void {
  const a = new Float32Array(actual), e = new Float32Array(expected);
  const i = a.length !== e.length ? -1 : a.findIndex((v, k) => !Object.is(v, e[k]) && v !== e[k]);
  if (a.length !== e.length || i >= 0) {
    throw new Error(`ArrayBuffers differ: ${a.length !== e.length ? `${a.length} vs ${e.length} float32 values` : `at float32 index ${i}, ${a[i]} vs ${e[i]}`}`);
  }
}

/** Jasmine's done callback, as tfjs's tests pass it. */
export interface DoneFn { (): void; fail: (message?: Error | string) => void }

export function expectPromiseToFail(fn: () => Promise<unknown>, done: DoneFn): void {
  fn().then(() => done.fail(), () => done());
}

export const test_util = {
  TEST_EPSILON_FLOAT16, testEpsilon, expectArraysClose, expectArraysEqual, expectNumbersClose, expectValuesInRange,
  expectArrayBuffersEqual, expectPromiseToFail,
  encodeStrings: unsupported('test_util.encodeStrings', 'strings'),
  createVideoElement: unsupported('test_util.createVideoElement', 'browser'),
  play: unsupported('test_util.play', 'browser'),
};
