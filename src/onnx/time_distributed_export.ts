/**
 * TimeDistributed: rnnlab folds (batch, steps, ...) into (batch·steps, ...), runs the wrapped layer and unfolds. The
 * pointwise exporters run on the unfolded tensor instead, so a wrapped layer's own axis numbers (which count the
 * folded tensor's axes) are moved one place to the right first: Softmax's axis 1 is the outer tensor's axis 2, and a
 * PReLU's alpha, made for the folded input, is the same at every step (shared over the steps axis). The mask passes
 * through unchanged, as rnnlab's TimeDistributed leaves it.
 */
import type { GraphBuilder } from './graph.js';
import { innerView, refuse, type Flow, type LayerView } from './layer_view.js';

type Exporter = (g: GraphBuilder, view: LayerView, flow: Flow) => Flow;

const asList = (v: unknown): number[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v as number[] : [v as number]);

/** The wrapped layer's config with its axes counted on the unfolded tensor. */
function unfoldedConfig(owner: LayerView, inner: LayerView, foldedRank: number): Record<string, unknown> {
  const c = inner.config;
  switch (inner.className) {
    case 'Softmax': {
      // Negative axes count from the end, the same on both tensors, except one that reaches the folded axis 0.
      const axes = asList(c.axis ?? -1).map((a) => (a < 0 ? a + foldedRank : a));
      // Axis 0 of the folded tensor runs over every step of every sample at once: no axis of the unfolded one.
      if (axes.includes(0)) refuse(owner, `wraps a Softmax over axis 0 (the folded batch and steps; axis ${-foldedRank} counted from the end), which is not exported`);
      const shifted = axes.map((a) => a + 1);
      return { ...c, axis: Array.isArray(c.axis) ? shifted : shifted[0] };
    }
    case 'PReLU': return { ...c, sharedAxes: [1, ...asList(c.sharedAxes).map((a) => a + 1)] };
    default: return c;
  }
}

export function timeDistributed(g: GraphBuilder, view: LayerView, flow: Flow, pointwise: Record<string, Exporter>): Flow {
  const inner = innerView(view, view.weights, 'inner');
  const ex = pointwise[inner.className] ?? refuse(view, `wraps ${inner.className}, which is not exported inside TimeDistributed (${Object.keys(pointwise).join(', ')} are)`);
  if (flow.rank < 3) refuse(view, `expects input (batch, steps, ...), got rank ${flow.rank}`);
  const out = ex(g, { ...inner, config: unfoldedConfig(view, inner, flow.rank - 1) }, flow);
  return { ...out, mask: flow.mask };
}
