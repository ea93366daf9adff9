/**
 * The order of a Functional model's layers, as tfjs's Container computes it (and Keras 2's Network): by depth
 * from the outputs, deepest first, ties broken by when a walk from the outputs first reached the layer. Programs
 * written for tfjs index model.layers and model.getWeights() in this order, so it is kept exactly.
 */
import type { Layer } from '../layers/layer.js';
import type { Node, SymbolicTensor } from '../layers/symbolic.js';

export function layersByDepth(outputs: readonly SymbolicTensor[]): Layer[] {
  const firstSeen = new Map<Layer, number>();
  const postOrder: Node[] = [];
  const done = new Set<Node>();
  const visit = (t: SymbolicTensor) => {
    const node = t.node;
    if (done.has(node)) return;
    if (!firstSeen.has(node.layer)) firstSeen.set(node.layer, firstSeen.size);
    for (const i of node.inputs) visit(i);
    done.add(node);
    postOrder.push(node);
  };
  for (const t of outputs) visit(t);
  // A node's depth: 1 + its deepest consumer's; a layer's: its deepest node's, seen so far in this sweep (as tfjs).
  const nodeDepth = new Map<Node, number>();
  const layerDepth = new Map<Layer, number>();
  for (const node of postOrder.reverse()) {
    const depth = Math.max(nodeDepth.get(node) ?? 0, layerDepth.get(node.layer) ?? 0);
    layerDepth.set(node.layer, depth);
    nodeDepth.set(node, depth);
    for (const i of node.inputs) nodeDepth.set(i.node, Math.max(depth + 1, nodeDepth.get(i.node) ?? 0));
  }
  return [...layerDepth.keys()].sort((a, b) => layerDepth.get(b)! - layerDepth.get(a)! || firstSeen.get(a)! - firstSeen.get(b)!);
}
