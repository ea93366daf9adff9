/**
 * How rl.layers.rnn (rnn_layer.ts) drives each of its cells over a sequence, whatever kind of cell it is: rnnlab's
 * RNNCell on its layer's fused kernels (rnn_cells.ts), or a user's cell step by step (user_cell.ts).
 */
import type { Tensor } from '../tensor.js';
import type { Variable } from '../variable.js';
import type { CallContext, SymbolicShape, WeightPenalty, WeightSpec } from './layer.js';

/**
 * A cell's weight spec, named relative to the rnn layer; `scoped`: the name a user's cell's constructor weight takes
 * where its bare leaf is not unique in the stack (see distinctSpecs in user_cell.ts).
 */
export type CellWeightSpec = WeightSpec & { scoped?: string };

/** How the owning rnn layer runs a cell: the options its engine takes. */
export interface SequenceOptions { returnSequences: boolean; goBackwards: boolean; stateful: boolean }

/**
 * A cell as rl.layers.rnn drives it over a sequence: one of rnnlab's own (an RNNCell, on its layer's fused kernels)
 * or a user's (a UserCellLoop around it, step by step on the tape).
 */
export interface CellDriver {
  readonly units: number;
  /** One size per state tensor (tfjs's stateSize as a list). */
  readonly stateSizes: number[];
  readonly weights: Variable[];
  readonly built: boolean;
  weightPenalties(): WeightPenalty[];
  adopt(owner: string, seq: SequenceOptions): void;
  /** Built for input [batch, steps, features], the weights named under scope ('<rnn>' or '<rnn>/RNNCell_<i>'). */
  builtAs(scope: string, inputShape: SymbolicShape): void;
  /** The weights builtAs makes, named relative to the rnn layer `layer` (a user's cell: only once built). */
  sequenceWeightSpecs(inputShape: SymbolicShape, scope: string, layer: string): CellWeightSpec[];
  readonly engine: {
    run(x: Tensor, ctx: CallContext, initialState?: Tensor[]): { output: Tensor; states: Tensor[] };
    resetStates(states?: Tensor[]): void;
    getStates(): Tensor[];
  };
}
