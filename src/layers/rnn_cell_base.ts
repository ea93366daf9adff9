/**
 * tfjs's tf.layers.RNNCell, the base class a user's recurrent cell extends: a layer with stateSize whose
 * call([x, ...states]) returns [output, ...newStates]. rl.layers.rnn runs such a cell step by step (user_cell.ts), as
 * it runs a plain rl.layers.Layer with stateSize. As in tfjs, rnnlab's own cells (lstmCell, gruCell, simpleRNNCell)
 * are RNNCells too: `cell instanceof rl.layers.RNNCell` holds for them, though they run on their layers' kernels.
 */
import { Layer } from './layer.js';
import { RNNCell as EngineCell } from './rnn_cells.js';

export abstract class RNNCellBase extends Layer {
  /** One size per state (a number for one state), tfjs's. */
  abstract stateSize: number | number[];

  static [Symbol.hasInstance](x: unknown): boolean {
    if (this === RNNCellBase && x instanceof EngineCell) return true;
    return Function.prototype[Symbol.hasInstance].call(this, x);
  }
}
