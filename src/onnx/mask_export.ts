/**
 * Keras masking in ONNX, in-graph: the padding mask comes from the token ids (id 0 = padding), so the exported
 * model keeps rnnlab's single input. Keras skips a masked step anywhere in a sequence (state and output carried),
 * while ONNX's sequence_lens only cuts trailing steps; so the real steps of each row are first moved to the front,
 * in order (a stable sort on "masked, then position" with TopK), the RNN runs on that compacted sequence with
 * sequence_lens = number of real steps, and with returnSequences each original step then takes the output of the
 * last real step processed at or before it (zero before the first), as Keras does.
 */
import type { GraphBuilder } from './graph.js';
import type { MaskInfo, MaskParts } from './layer_view.js';

export function maskFromIds(g: GraphBuilder, ids: string): MaskInfo {
  const idsF = g.node('Cast', [ids], { to: 1 }, 'mask_ids');
  const pad = g.node('Equal', [idsF, g.scalar(0)], {}, 'mask_is_pad');
  return { m: g.node('Cast', [g.node('Not', [pad], {}, 'mask_real')], { to: 1 }, 'mask') };
}

function parts(g: GraphBuilder, mask: MaskInfo): MaskParts {
  if (mask.parts) return mask.parts;
  const m = mask.m;
  const shape = g.node('Shape', [m], {}, 'mask_shape');
  const steps1 = g.node('Gather', [shape, g.ints([1])], { axis: 0 }, 'mask_steps');
  const steps = g.node('Gather', [shape, g.ints([1], [])], { axis: 0 }, 'mask_steps_scalar');
  const pos = g.node('Cast', [g.node('Range', [g.ints([0], []), steps, g.ints([1], [])], {}, 'mask_positions')], { to: 1 }, 'mask_positions_f');
  const stepsF = g.node('Cast', [steps], { to: 1 }, 'mask_steps_f');
  const padding = g.node('Sub', [g.scalar(1), m], {}, 'mask_padding');
  const key = g.node('Add', [g.node('Mul', [padding, stepsF], {}, 'mask_key_pad'), pos], {}, 'mask_key');
  const order = g.nodeN('TopK', [key, steps1], { axis: 1, largest: 0, sorted: 1 }, 'mask_order', 2)[1];
  const countF = g.node('ReduceSum', [m, g.ints([1])], { keepdims: 1 }, 'mask_count_f');
  const count = g.node('Cast', [countF], { to: 7 }, 'mask_count');
  const lensF = g.node('Max', [g.node('Squeeze', [countF, g.ints([1])], {}, 'mask_count_row'), g.scalar(1)], {}, 'mask_lens_f');
  const lens = g.node('Cast', [lensF], { to: 6 }, 'mask_lens');
  const hasAny = g.node('Min', [countF, g.scalar(1)], {}, 'mask_has_any');
  const upTo = g.node('Cast', [g.node('CumSum', [m, g.ints([1], [])], {}, 'mask_cum_f')], { to: 7 }, 'mask_up_to');
  const before = g.node('Sub', [upTo, g.node('Cast', [m], { to: 7 }, 'mask_i64')], {}, 'mask_before');
  mask.parts = { order, lens, hasAny, upTo, before, count };
  return mask.parts;
}

/** Rows of x along time at index [B, T]; the result has the shape of like. */
function gatherSteps(g: GraphBuilder, x: string, index: string, prefix: string, like = x): string {
  const idx = g.node('Expand', [g.node('Unsqueeze', [index, g.ints([2])], {}, `${prefix}_idx`), g.node('Shape', [like], {}, `${prefix}_shape`)], {}, `${prefix}_idx3`);
  return g.node('GatherElements', [x, idx], { axis: 1 }, prefix);
}

/** x [B, T, D] with each row's real steps moved to the front; and sequence_lens for the RNN. */
export function compact(g: GraphBuilder, mask: MaskInfo, x: string, prefix: string): { x: string; lens: string } {
  const p = parts(g, mask);
  return { x: gatherSteps(g, x, p.order, `${prefix}_compacted`), lens: p.lens };
}

/** [B, H] last output: zero for a row with no real step. */
export function zeroEmptyRows(g: GraphBuilder, mask: MaskInfo, h: string, prefix: string): string {
  return g.node('Mul', [h, parts(g, mask).hasAny], {}, prefix);
}

/** [B, H] final cell state: for a row with no real step, the initial state (or zero), which Keras carries through. */
export function keepEmptyRows(g: GraphBuilder, mask: MaskInfo, c: string, initial: string | null, prefix: string): string {
  const { hasAny } = parts(g, mask);
  const kept = g.node('Mul', [c, hasAny], {}, `${prefix}_kept`);
  if (!initial) return kept;
  const carried = g.node('Mul', [initial, g.node('Sub', [g.scalar(1), hasAny], {}, `${prefix}_empty`)], {}, `${prefix}_carried`);
  return g.node('Add', [kept, carried], {}, prefix);
}

/**
 * y [B, T, H] computed on the compacted sequence -> Keras's output at every original step. forward: the state after
 * the real steps at or before t; reverse (time-aligned): after the real steps at or after t.
 */
export function expandSteps(g: GraphBuilder, mask: MaskInfo, y: string, reverse: boolean, prefix: string): string {
  const p = parts(g, mask);
  if (!reverse) {
    const padded = g.node('Pad', [y, g.ints([0, 1, 0, 0, 0, 0])], {}, `${prefix}_padded`);
    return gatherSteps(g, padded, p.upTo, prefix, y);
  }
  const padded = g.node('Pad', [y, g.ints([0, 0, 0, 0, 1, 0])], {}, `${prefix}_padded`);
  const steps = g.node('Gather', [g.node('Shape', [mask.m], {}, `${prefix}_mshape`), g.ints([1], [])], { axis: 0 }, `${prefix}_steps`);
  const valid = g.node('Less', [p.before, p.count], {}, `${prefix}_valid`);
  return gatherSteps(g, padded, g.node('Where', [valid, p.before, steps], {}, `${prefix}_index`), prefix, y);
}
