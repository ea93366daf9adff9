/**
 * The Reshape target shapes that make (batch, width) rows, as PyTorch writes a flatten: a constant [0, -1],
 * [batch size, -1] for a fixed batch, [-1, width], or the dynamic [x.size(0), -1] built from Shape in the graph.
 */
import { attrInt, attrInts, attrsOf } from './read.js';
import type { Graph, Node } from './import_graph.js';

/**
 * How the rows come out: `batchKept`, the first axis is the batch whatever the rest (0, the fixed batch size, or
 * Shape(x)[0]); otherwise it is -1, inferred, which makes rows of the data only when `width` is the size of the rest.
 * width null: -1, the rest. Null when the target is not a constant or PyTorch's dynamic form of these.
 */
export interface RowsShape { batchKept: boolean; width: number | null }

export function rowsShape(g: Graph, reshape: Node): RowsShape | null {
  const target = reshape.input?.[1] ?? '';
  // allowzero 1 (opset 14) makes a 0 an empty axis, not "keep the batch".
  const zeroKeeps = attrInt(attrsOf(reshape), 'allowzero', 0) === 0;
  const c = g.consts.get(target);
  if (c) {
    if (c.values.length !== 2) return null;
    const [b, w] = Array.from(c.values);
    const width = w === -1 ? null : w > 0 ? w : undefined;
    if (width === undefined) return null;
    if ((b === 0 && zeroKeeps) || (b > 0 && b === g.input.dims[0])) return { batchKept: true, width };
    return b === -1 && width !== null ? { batchKept: false, width } : null;
  }
  const concat = g.producer.get(target);
  const [first, second] = concat?.input ?? [];
  const tail = g.consts.get(second ?? '');
  const tailWidth = tail?.values.length === 1 ? tail.values[0] : 0;
  if (concat?.opType !== 'Concat' || concat.input?.length !== 2 || !(tailWidth === -1 || tailWidth > 0)) return null;
  if (!batchOf(g, first ?? '', reshape.input?.[0] ?? '')) return null;
  return { batchKept: true, width: tailWidth === -1 ? null : tailWidth };
}

/** Is t Unsqueeze(Gather(Shape(x), 0), [0]), x the graph input or the tensor being reshaped (both batch-first)? */
function batchOf(g: Graph, t: string, reshaped: string): boolean {
  const unsqueeze = g.producer.get(t), gather = g.producer.get(unsqueeze?.input?.[0] ?? '');
  const shape = g.producer.get(gather?.input?.[0] ?? ''), index = g.consts.get(gather?.input?.[1] ?? '');
  const axes = unsqueeze?.input?.[1] ? g.consts.get(unsqueeze.input[1])?.values : attrInts(attrsOf(unsqueeze ?? {}), 'axes');
  return unsqueeze?.opType === 'Unsqueeze' && axes?.length === 1 && axes[0] === 0
    && gather?.opType === 'Gather' && attrInt(attrsOf(gather), 'axis', 0) === 0 && index?.values.length === 1 && index.values[0] === 0
    && shape?.opType === 'Shape' && [g.input.name, reshaped].includes(shape.input?.[0] ?? '') && !attrsOf(shape).has('start');
}
