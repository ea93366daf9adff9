/** tfjs's evaluate result: Scalars, one alone when there is only the loss, else a list [loss, ...metrics]. */
import { allocPersistent } from '../backend/index.js';
import { Tensor } from '../tensor.js';

export function scalarResult(values: readonly number[]): Tensor | Tensor[] {
  const scalars = values.map((v) => {
    const data = allocPersistent(1);
    data[0] = v;
    return new Tensor(data, [], 'float32');
  });
  return scalars.length === 1 ? scalars[0] : scalars;
}
