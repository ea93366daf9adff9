// Overlapping loads of one view: which answer may be shown when they come back out of order.

/** What a wrapped call resolves to when its answer (or failure) is dropped as stale. */
export const STALE = Symbol('stale answer');

/**
 * Wraps an async loader so that an answer older than one already used is dropped: the call resolves to STALE instead
 * of its value or its failure, as an older answer would undo a newer one. A call is not made to wait for calls started
 * after it, since reloads that come faster than answers (a training job reloads the runs table every few hundred ms)
 * would then never show anything. Options:
 * - `newestOnly`: only the last call started is used, for a decision that a later call must be able to reverse
 *   (taking a run off the overlay);
 * - `keepFailures`: a failure is thrown even when stale, as it reports a request the user made (a page asked for),
 *   which a newer answer does not undo.
 *
 * The wrapped function has `newerUnderWay()`: whether a call started after the last one used is still waiting for its
 * answer, which will decide again.
 */
export function latestWins(load, { newestOnly = false, keepFailures = false } = {}) {
  let started = 0;
  let used = 0;
  const wrapped = async (...args) => {
    const call = ++started;
    let value, error, failed = false;
    try {
      value = await load(...args);
    } catch (e) {
      failed = true;
      error = e;
    }
    const stale = newestOnly ? call !== started : call < used;
    if (stale && !(failed && keepFailures)) return STALE;
    if (!stale) used = call;
    if (failed) throw error;
    return value;
  };
  wrapped.newerUnderWay = () => started > used;
  return wrapped;
}
