import { expect } from 'vitest';

type ErrorClass = abstract new (...args: never[]) => Error;

/** The call fails with exactly this error class and a message matching `message`; anything else fails the test. */
export async function expectClean(fn: () => unknown, type: ErrorClass, message: RegExp): Promise<Error> {
  let err: unknown = null;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${type.name} matching ${message}, but nothing was thrown`).not.toBeNull();
  expect(err).toBeInstanceOf(type);
  const e = err as Error;
  expect(e.message).toMatch(message);
  // A clean error says what is wrong in words: no internals leaking out.
  expect(e.message).not.toMatch(/Cannot read propert|is not a function|undefined is not (a function|an object|iterable)|Maximum call stack|\[object Object\]/);
  return e;
}
