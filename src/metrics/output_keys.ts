/**
 * The one check behind every {outputName: value} argument (compile's loss, metrics and lossWeights, fit's
 * sampleWeight and classWeight, a saved config's metrics): each key must name an output of the model.
 */

/**
 * Throws `<what> names output '<key>', but <outputsAre> <names>` for the first key that is no output name.
 * outputsAre words the model's outputs as each caller always has ('the outputs are', "the model's outputs are").
 */
export function checkOutputKeys(keys: Iterable<string>, outputNames: readonly string[], what: string, outputsAre = 'the outputs are'): void {
  for (const k of keys) {
    if (!outputNames.includes(k)) throw new Error(`${what} names output '${k}', but ${outputsAre} ${outputNames.join(', ')}`);
  }
}
