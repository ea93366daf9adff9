/**
 * rl.layers.rnn({cell}) as the recurrent layers it equals: one cell is its SimpleRNN/LSTM/GRU, a stack is those
 * layers in a row (inner ones returning sequences, only the first reading backwards), each exported as usual.
 */
import type { GraphBuilder } from './graph.js';
import { exportRecurrent, reverseSteps } from './recurrent_export.js';
import { LAYER_OF_CELL, refuse, type Flow, type LayerView } from './layer_view.js';

interface CellEntry { className?: string; config?: Record<string, unknown> }

export function exportCellRNN(g: GraphBuilder, view: LayerView, flow: Flow): Flow {
  const entry = view.config.cell as CellEntry | undefined;
  if (!entry?.config) refuse(view, 'has no cell in its config');
  const cells = entry.className === 'StackedRNNCells' ? (entry.config.cells as CellEntry[]) : [entry];
  const last = cells.length - 1;
  let offset = 0;
  // With goBackwards the first cell hands on its steps in processing order (last first), and rnnlab's stack (as
  // Keras's loop) gives the later cells the mask in that order too; the stack's output mask is the input's.
  const backwardsMask = view.config.goBackwards && flow.mask && cells.length > 1
    ? { m: reverseSteps(g, flow.mask.m, `${view.name}/mask_processing_order`) } : null;
  const out = cells.reduce((f, c, i) => {
    const className = LAYER_OF_CELL[c.className ?? ''] ?? refuse(view, `has a cell of class ${String(c.className)}, which is not exported`);
    const config = c.config ?? {};
    const count = config.useBias === false ? 2 : 3;
    const inner: LayerView = { name: `${view.name}/${String(config.name ?? `cell_${i}`)}`, className, weights: view.weights.slice(offset, offset + count),
      config: { ...config, returnSequences: i < last || Boolean(view.config.returnSequences), goBackwards: i === 0 && Boolean(view.config.goBackwards),
        stateful: view.config.stateful, returnState: view.config.returnState, zeroOutputForMask: view.config.zeroOutputForMask } };
    offset += count;
    return exportRecurrent(g, inner, [inner], i > 0 && backwardsMask ? { ...f, mask: backwardsMask } : f);
  }, flow);
  return backwardsMask && out.mask ? { ...out, mask: flow.mask } : out;
}
