/** tfjs's engine entry points that programs await before work; rnnlab's kernels load with the module. */
export async function ready(): Promise<void> {}

/** tfjs's nextFrame: resolves on the next turn of the event loop (in Node, tfjs uses setImmediate too). */
export function nextFrame(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
