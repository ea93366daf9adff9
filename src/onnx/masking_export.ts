/**
 * Keras's Masking layer in ONNX: a step is padding when every feature equals maskValue. The mask it makes is the
 * same [B, T] float mask embedding maskZero makes (mask_export.ts), so the recurrent layers and the masked global
 * average that follow read it the same way; the layer's output is its input with the masked steps zeroed.
 */
import type { GraphBuilder } from './graph.js';
import { refuse, type Flow, type LayerView } from './layer_view.js';

export function masking(g: GraphBuilder, view: LayerView, flow: Flow): Flow {
  if (flow.rank < 3) refuse(view, `expects input (batch, steps, features...), got rank ${flow.rank}`);
  const p = view.name;
  const featureAxes = Array.from({ length: flow.rank - 2 }, (_, i) => i + 2);
  const differs = g.node('Cast', [g.node('Not', [g.node('Equal', [flow.x, g.scalar(view.config.maskValue as number ?? 0)], {}, `${p}/is_mask_value`)], {}, `${p}/differs`)], { to: 1 }, `${p}/differs_f`);
  // A step is real when any of its features differs from maskValue.
  const m = g.node('ReduceMax', [differs], { axes: featureAxes, keepdims: 0 }, `${p}/mask`);
  const x = g.node('Mul', [flow.x, g.node('Unsqueeze', [m, g.ints(featureAxes)], {}, `${p}/mask_features`)], {}, `${p}/masked`);
  return { x, rank: flow.rank, mask: { m } };
}
