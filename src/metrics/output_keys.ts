/**
 * The one check behind every {outputName: value} argument (compile's loss, metrics and lossWeights, fit's
 * sampleWeight and classWeight, a saved config's metrics): each key must name an output of the model, and only one.
 */

/**
 * Throws `<what> names output '<key>', but <outputsAre> <names>` for the first key that is no output name.
 * outputsAre words the model's outputs as each caller always has ('the outputs are', "the model's outputs are").
 */
export function checkOutputKeys(keys: Iterable<string>, outputNames: readonly string[], what: string, outputsAre = 'the outputs are'): void {
  const list = [...keys];
  for (const k of list) {
    if (!outputNames.includes(k)) throw new Error(`${what} names output '${k}', but ${outputsAre} ${outputNames.join(', ')}`);
  }
  refuseSharedNames(list, outputNames, 'output', what);
}

/**
 * A map {name: value} cannot tell apart outputs (or inputs) that share a name (one layer's several outputs, or its
 * shared calls): each would get the same value, silently (tfjs looks the names up one by one). Refused for any key
 * that names more than one of them.
 */
export function refuseSharedNames(keys: readonly string[], names: readonly string[], kind: 'input' | 'output', what: string): void {
  for (const k of keys) {
    const at = names.flatMap((n, i) => (n === k ? [i] : []));
    if (at.length > 1) {
      throw new Error(`${what}: '${k}' names ${at.length} ${kind}s of the model (${kind}s ${at.join(' and ')}; the model's ${kind}s are ${names.join(', ')}), ` +
        `so a map by name cannot give each its own value; pass a list in ${kind} order`);
    }
  }
}
