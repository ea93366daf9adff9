/**
 * The optimizer state a file saved with includeOptimizer holds (tfjs's or rnnlab's, src/io/optimizer_save.ts), set
 * on the loaded model's optimizer as tfjs's loadLayersModel sets it.
 */
import type { Functional } from '../models/functional.js';
import { layerOrderWeights } from '../models/model_common.js';
import type { Sequential } from '../models/sequential.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import '../optimizers/weights.js';
import { Tensor } from '../tensor.js';
import type { Variable } from '../variable.js';
import { ModelFormatError } from './errors.js';
import type { DecodedWeight, WeightSpec } from './weights.js';

/**
 * One optimizer weight as the file names it, and the model's weight its slot belongs to (none for 'iter'). values is
 * an Int32Array where the file holds int32 ('iter'), so step counts above 2^24 load exactly.
 */
export interface SavedOptimizerWeight { name: string; shape: number[]; values: Float32Array | Int32Array; variable?: Variable }

/**
 * The optimizer weights tfjs saves with includeOptimizer (group 'optimizer': 'iter', then '<weight>/<slot>'), each
 * paired with the loaded model's variable; null when the file has none or the model was not compiled from the file.
 * tfjs names a slot after its variable, which carries a '_<n>' suffix when another model of the same program
 * already used that name ('d/kernel_1/m' for the weight saved as 'd/kernel'); tfjs itself pairs slots by position
 * and so loads such a file, and for any file tfjs writes the name without the suffix is the weight at that
 * position. A slot of a weight the model does not have, even without the suffix, is an error naming it. Slots are
 * paired by the saved weight name, not the in-memory one, which two wrappers' inner weights can share.
 */
export function optimizerWeightsOf(model: Sequential | Functional, weights: Map<string, DecodedWeight>, specs: (WeightSpec | undefined)[],
  where: string): SavedOptimizerWeight[] | null {
  const saved = [...weights.values()].filter((w) => w.group === 'optimizer');
  if (saved.length === 0 || !model.optimizer) return null;
  const vars = layerOrderWeights(model.layers);
  const bySavedName = new Map<string, Variable>();
  specs.forEach((s, i) => { if (s) bySavedName.set(s.name, vars[i]); });
  return saved.map((w) => {
    const { name, shape, values } = w;
    if (name === 'iter') return { name, shape, values };
    const cut = name.lastIndexOf('/');
    const owner = cut > 0 ? name.slice(0, cut) : '';
    const variable = cut > 0 ? bySavedName.get(owner) ?? bySavedName.get(owner.replace(/_\d+$/, '')) : undefined;
    if (!variable) {
      throw new ModelFormatError(`${where}: optimizer weight '${name}' belongs to no weight of the model (expected '<weight name>/<slot>'); ` +
        'load with {compile: false} to load the model without its optimizer state');
    }
    return { name, shape, values, variable };
  });
}

/**
 * Sets the saved state on the optimizer: setWeights checks and converts it under the file's names (unique, where
 * the in-memory names of two wrappers' weights need not be), and the slots are then handed to their variables.
 */
export async function restoreOptimizerWeights(o: Optimizer, saved: SavedOptimizerWeight[]): Promise<void> {
  // Uncounted, as tensors made inside models are: the optimizer copies their values, so no one could dispose them.
  await o.setWeights(saved.map((w) => ({ name: w.name, tensor: new Tensor(w.values, [...w.shape], w.values instanceof Int32Array ? 'int32' : 'float32') })));
  const ownerOf = new Map<string, Variable>();
  for (const w of saved) if (w.variable) ownerOf.set(w.name.slice(0, w.name.lastIndexOf('/')), w.variable);
  const taken = new Map<Variable, string>();
  const vars: Variable[] = [], slots: ArrayLike<number>[][] = [];
  for (const [owner, p] of o.pendingSlotsByName()) {
    const v = ownerOf.get(owner)!;
    const other = taken.get(v);
    if (other !== undefined) throw new Error(`'${owner}/…' and '${other}/…' are both slots of one weight of the model`);
    if (p.shape.join() !== v.shape.join()) throw new Error(`the slots '${owner}/…' have shape [${p.shape.join(', ')}], their weight [${v.shape.join(', ')}]`);
    taken.set(v, owner);
    vars.push(v);
    slots.push(p.slots);
  }
  o.setSlots(vars, slots, o.iterations);
}
