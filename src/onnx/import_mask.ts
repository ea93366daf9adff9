/**
 * Recognises exportOnnx's padding-mask plumbing around a recurrent node (mask_export.ts) node for node. ONNX's
 * sequence_lens only cuts steps at the end of each row and leaves zeros in Y past them, while rnnlab's mask skips
 * padding anywhere and carries the last output forward: the two agree only through the exporter's compaction (real
 * steps moved to the front), its sequence_lens (the count of real steps, at least 1) and its restore steps (each step
 * takes the last real output, an empty row zeroed). Anything that merely looks similar (PyTorch's
 * pack_padded_sequence, a Mul by some other input-derived tensor) must not be read as them.
 */
import { attrInt, attrInts, attrString, attrsOf, type ConstTensor } from './read.js';
import type { Graph, Node } from './import_graph.js';

/** The node that makes tensor t when its operator is op; else null. */
function made(g: Graph, t: string | undefined, op: string): Node | null {
  const n = g.producer.get(t ?? '');
  return n?.opType === op ? n : null;
}

const constOf = (g: Graph, t: string | undefined): ConstTensor | null => g.consts.get(t ?? '') ?? null;

/** A constant holding exactly these values (and, when given, these dims). */
function constIs(g: Graph, t: string | undefined, values: number[], dims?: number[]): boolean {
  const c = constOf(g, t);
  return Boolean(c) && c!.values.length === values.length && values.every((v, i) => Number(c!.values[i]) === v)
    && (dims === undefined || c!.dims.join() === dims.join());
}

/** Squeeze / Unsqueeze / Reduce* axes: an input (opset 13 on, 18 for the reductions) or the attribute. */
function axesOf(g: Graph, n: Node): number[] | null {
  if (n.input?.[1]) { const c = constOf(g, n.input[1]); return c ? Array.from(c.values, Number) : null; }
  return attrInts(attrsOf(n), 'axes');
}

const castTo = (g: Graph, t: string | undefined, to: number): Node | null => {
  const c = made(g, t, 'Cast');
  return c && attrInt(attrsOf(c), 'to', 0) === to ? c : null;
};

/** Gather(Shape(m), 1) on axis 0: the steps' count, a scalar (or, with dims [1], a one-element vector). */
function stepsOf(g: Graph, t: string | undefined, m: string, vector: boolean): boolean {
  const gather = made(g, t, 'Gather');
  const shape = made(g, gather?.input?.[0], 'Shape');
  return Boolean(gather && shape) && shape!.input?.[0] === m && attrInt(attrsOf(gather!), 'axis', 0) === 0
    && !attrsOf(shape!).has('start') && !attrsOf(shape!).has('end') && constIs(g, gather!.input?.[1], [1], vector ? [1] : []);
}

/** ReduceSum(m, [1], keepdims 1): each row's count of real steps, [B, 1]. */
function isCount(g: Graph, t: string | undefined, m: string): boolean {
  const r = made(g, t, 'ReduceSum');
  return Boolean(r) && r!.input?.[0] === m && axesOf(g, r!)?.join() === '1' && attrInt(attrsOf(r!), 'keepdims', 1) === 1
    && attrInt(attrsOf(r!), 'noop_with_empty_axes', 0) === 0;
}

/** exportOnnx's token-id mask: Cast(Not(Equal(Cast(ids, float), 0)), float), ids the graph input. */
export function isIdsMask(g: Graph, m: string): boolean {
  const not = made(g, castTo(g, m, 1)?.input?.[0], 'Not');
  const equal = made(g, not?.input?.[0], 'Equal');
  if (!equal || equal.input?.length !== 2) return false;
  return [0, 1].some((i) => castTo(g, equal.input![i], 1)?.input?.[0] === g.input.name && constIs(g, equal.input![1 - i], [0]));
}

/**
 * sequence_lens as exportOnnx writes it: Cast(Max(Squeeze(ReduceSum(m, [1]), [1]), 1), int32). Returns the mask m it
 * counts, or null for any other form.
 */
export function lensMask(g: Graph, lens: string): string | null {
  const max = made(g, castTo(g, lens, 6)?.input?.[0], 'Max');
  const squeeze = made(g, max?.input?.[0], 'Squeeze');
  if (!max || !squeeze || max.input?.length !== 2 || !constIs(g, max.input[1], [1]) || axesOf(g, squeeze)?.join() !== '1') return null;
  const count = made(g, squeeze.input?.[0], 'ReduceSum');
  const m = count?.input?.[0];
  return m && isCount(g, count!.output?.[0], m) ? m : null;
}

/**
 * The compaction's order: TopK(padding·T + position, T, axis 1, ascending, sorted)'s indices, padding = 1 - m and
 * position = Range(0, T, 1) as float.
 */
function isOrder(g: Graph, t: string | undefined, m: string): boolean {
  const topk = g.producer.get(t ?? '');
  if (topk?.opType !== 'TopK' || topk.output?.[1] !== t) return false;
  const a = attrsOf(topk);
  if (attrInt(a, 'axis', -1) !== 1 || attrInt(a, 'largest', 1) !== 0 || attrInt(a, 'sorted', 1) !== 1 || !stepsOf(g, topk.input?.[1], m, true)) return false;
  const add = made(g, topk.input?.[0], 'Add');
  const mul = made(g, add?.input?.[0], 'Mul');
  const sub = made(g, mul?.input?.[0], 'Sub');
  const range = made(g, castTo(g, add?.input?.[1], 1)?.input?.[0], 'Range');
  return Boolean(add && mul && sub && range) && constIs(g, sub!.input?.[0], [1]) && sub!.input?.[1] === m
    && stepsOf(g, castTo(g, mul!.input?.[1], 1)?.input?.[0], m, false)
    && constIs(g, range!.input?.[0], [0]) && stepsOf(g, range!.input?.[1], m, false) && constIs(g, range!.input?.[2], [1]);
}

/** GatherElements(x, Expand(Unsqueeze(index, [2]), Shape(like)), axis 1): rows of x along time at index. */
function gathersSteps(g: Graph, node: Node, like: string, index: (t: string | undefined) => boolean): boolean {
  const expand = made(g, node.input?.[1], 'Expand');
  const unsqueeze = made(g, expand?.input?.[0], 'Unsqueeze');
  const shape = made(g, expand?.input?.[1], 'Shape');
  return node.opType === 'GatherElements' && attrInt(attrsOf(node), 'axis', 0) === 1 && Boolean(unsqueeze && shape)
    && axesOf(g, unsqueeze!)?.join() === '2' && shape!.input?.[0] === like && !attrsOf(shape!).has('start') && index(unsqueeze!.input?.[0]);
}

/** The compaction: GatherElements(x, order of m) moving each row's real steps to the front. */
export function isCompaction(g: Graph, node: Node, m: string): boolean {
  return gathersSteps(g, node, node.input?.[0] ?? '', (t) => isOrder(g, t, m));
}

/** Min(ReduceSum(m, [1]), 1): 1 where the row has a real step, [B, 1]. */
export function isHasAny(g: Graph, t: string | undefined, m: string): boolean {
  const min = made(g, t, 'Min');
  return Boolean(min) && min!.input?.length === 2 && isCount(g, min!.input[0], m) && constIs(g, min!.input[1], [1]);
}

/** Cast(CumSum(m, 1), int64): the real steps at or before each step. */
function isUpTo(g: Graph, t: string | undefined, m: string): boolean {
  const cum = made(g, castTo(g, t, 7)?.input?.[0], 'CumSum');
  return Boolean(cum) && cum!.input?.[0] === m && constIs(g, cum!.input?.[1], [1])
    && attrInt(attrsOf(cum!), 'exclusive', 0) === 0 && attrInt(attrsOf(cum!), 'reverse', 0) === 0;
}

/** Where(Less(before, count), before, T), before = upTo - m, count the real steps: the reverse direction's index. */
function isReverseIndex(g: Graph, t: string | undefined, m: string): boolean {
  const where = made(g, t, 'Where');
  const less = made(g, where?.input?.[0], 'Less');
  const before = made(g, less?.input?.[0], 'Sub');
  return Boolean(where && less && before) && where!.input?.[1] === less!.input?.[0] && stepsOf(g, where!.input?.[2], m, false)
    && isUpTo(g, before!.input?.[0], m) && castTo(g, before!.input?.[1], 7)?.input?.[0] === m && isCount(g, castTo(g, less!.input?.[1], 7)?.input?.[0], m);
}

/** The pads of the restore's Pad: one zero step before the sequence (forward) or after it (reverse). */
export const RESTORE_PADS = { forward: '0,1,0,0,0,0', reverse: '0,0,0,0,1,0' };

/**
 * The restore's GatherElements after Pad(y): forward, each step takes the output after the real steps at or before
 * it; reverse (time-aligned), after those at or after it.
 */
export function isRestore(g: Graph, node: Node, y: string, m: string, reverse: boolean): boolean {
  return gathersSteps(g, node, y, (t) => (reverse ? isReverseIndex(g, t, m) : isUpTo(g, t, m)));
}

/**
 * One direction d of a masked recurrent node's output as exportOnnx writes it before a merge: the final state
 * Gather(Y_h, d) times "row has a real step", or the sequence Gather(Transpose(Y, [2, 0, 1, 3]), d) padded and spread
 * back over the steps.
 */
export function isMaskedDirection(g: Graph, t: string, rnn: Node, d: number, m: string, sequence: boolean): boolean {
  const picks = (x: string | undefined, from: string | undefined, axis: number) => {
    const gather = made(g, x, 'Gather');
    return Boolean(gather) && gather!.input?.[0] === from && attrInt(attrsOf(gather!), 'axis', 0) === axis && constIs(g, gather!.input?.[1], [d], []);
  };
  if (!sequence) {
    const mul = made(g, t, 'Mul');
    return Boolean(mul) && picks(mul!.input?.[0], rnn.output?.[1], 0) && isHasAny(g, mul!.input?.[1], m);
  }
  const restore = made(g, t, 'GatherElements');
  const pad = made(g, restore?.input?.[0], 'Pad');
  const y = pad?.input?.[0];
  const transpose = made(g, made(g, y, 'Gather')?.input?.[0], 'Transpose');
  const reverse = d === 1;
  return Boolean(restore && pad && transpose) && constIs(g, pad!.input?.[1], RESTORE_PADS[reverse ? 'reverse' : 'forward'].split(',').map(Number))
    && !pad!.input?.[2] && attrString(attrsOf(pad!), 'mode', 'constant') === 'constant' && attrInts(attrsOf(transpose!), 'perm')?.join() === '2,0,1,3' && transpose!.input?.[0] === rnn.output?.[0]
    && picks(y, transpose!.output?.[0], 2) && isRestore(g, restore!, y!, m, reverse);
}
