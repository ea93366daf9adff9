/** A small two-output functional model (softmax head 'o1' of 2, linear head 'o2' of 1 over a shared trunk), seeded. */
import * as rl from '../../src/index.js';

export function twoHeads(): rl.Functional {
  rl.setSeed(1);
  const input = rl.input({ shape: [3] });
  const trunk = rl.layers.dense({ units: 4, name: 'trunk' }).apply(input) as rl.SymbolicTensor;
  const o1 = rl.layers.dense({ units: 2, activation: 'softmax', name: 'o1' }).apply(trunk) as rl.SymbolicTensor;
  const o2 = rl.layers.dense({ units: 1, name: 'o2' }).apply(trunk) as rl.SymbolicTensor;
  return rl.model({ inputs: input, outputs: [o1, o2] }) as rl.Functional;
}
