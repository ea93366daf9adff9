/**
 * exportOnnx's 'same' window whose stride passes its size (time_export.ts's wideSamePads): Keras's padding
 * max((⌈T/s⌉ - 1)·s + k - T, 0), odd step last, computed in the graph from the steps of [B, C, T] data, a Pad, then
 * a VALID Conv, MaxPool (the Pad filling -inf) or AveragePool (its window sum divided by an AveragePool of the
 * padded ones: the count of real steps). Recognised node by node, so that only that subgraph reads back as a layer
 * with padding 'same'; any other Pad whose pads are computed in the graph is refused with the first difference.
 */
import { attrInt, attrInts, attrString, attrsOf } from './read.js';
import type { Graph, Node } from './import_graph.js';

/** The window the Pad feeds, and how many nodes on the data path after the Pad belong to the layer. */
export interface WideSame { window: Node; skip: number }

/** Either the window read with the Pad, or why this Pad is not exportOnnx's. */
export function wideSameWindow(g: Graph, pad: Node, ahead: readonly (Node | undefined)[]): WideSame | string {
  const x = pad.input?.[0] ?? '';
  const padded = pad.output?.[0] ?? '';
  const computed = samePads(g, x, pad.input?.[1] ?? '');
  if (typeof computed === 'string') return computed;
  const { size, stride, steps } = computed;
  if (attrString(attrsOf(pad), 'mode', 'constant') !== 'constant') return `its mode is '${attrString(attrsOf(pad), 'mode', '')}', not 'constant'`;
  // Opset 18's axes input reorders which dimensions the pads apply to; the exporter never writes it.
  const axes = pad.input?.[3] ? ints(g, pad.input[3]) : '0,1,2';
  if (axes !== '0,1,2' && axes !== '-3,-2,-1') return `its axes input is ${axes === null ? 'computed in the graph' : `[${axes}]`}, not every axis in order`;
  const window = ahead[0];
  const op = window?.opType ?? '';
  if (!window || !['Conv', 'MaxPool', 'AveragePool'].includes(op) || window.input?.[0] !== padded) {
    return `the next node on the data path is ${window ? `'${window.name ?? ''}' (${op})` : 'none'}, not a Conv, MaxPool or AveragePool over the padded data`;
  }
  const fill = constValue(g, pad.input?.[2]);
  const want = op === 'MaxPool' ? -Infinity : 0;
  if (fill !== want) return `it fills with ${fill ?? 'a value computed in the graph'} before a ${op}, where Keras's same padding needs ${want}`;
  const shape = windowShape(g, window);
  if (shape.span !== size || shape.stride !== stride || !shape.valid) {
    return `its pads are Keras's same pads for a window of ${size} steps moving by ${stride}, but ${op} node '${window.name ?? ''}' spans ${shape.span} steps moving by ${shape.stride}${shape.valid ? '' : ' and pads again itself'}`;
  }
  if (op !== 'AveragePool') return { window, skip: 1 };
  const why = realStepCount(g, window, ahead[1], pad.input?.[1] ?? '', steps);
  return why ?? { window, skip: 2 };
}

/** A constant's one value (a Pad's absent value is 0), or null when the value is computed in the graph. */
function constValue(g: Graph, name: string | undefined): number | null {
  if (!name) return 0;
  const c = g.consts.get(name);
  return c && c.values.length === 1 ? Number(c.values[0]) : null;
}

/** The constant's values joined, or null when the tensor is not a constant. */
const ints = (g: Graph, name: string | undefined) => {
  const c = g.consts.get(name ?? '');
  return c ? Array.from(c.values, Number).join() : null;
};

/**
 * Reads the node that makes tensor t when its operator is op and its inputs match: a string is the constant that
 * input must hold (joined values), '*' any tensor. Returns the node's inputs, or null.
 */
function made(g: Graph, t: string | undefined, op: string, wants: string[]): string[] | null {
  const n = g.producer.get(t ?? '');
  const inputs = n?.input ?? [];
  if (n?.opType !== op || inputs.length !== wants.length) return null;
  return wants.every((w, i) => w === '*' || ints(g, inputs[i]) === w) ? inputs : null;
}

/**
 * pads = Concat([0, 0], left, [0, 0], pad - left) with left = pad / 2, pad = Max((⌈T/s⌉)·s + (k - s) - T, 0) and
 * T = Shape(x)[2] (⌈T/s⌉ as (T + s - 1) / s): k, s and T, or where it differs.
 */
function samePads(g: Graph, x: string, pads: string): { size: number; stride: number; steps: string } | string {
  const differs = (what: string) => `its pads are computed in the graph, which is imported only as exportOnnx writes Keras's 'same' padding of a Conv1D or pooling window whose strides pass its size (max((⌈T/s⌉ - 1)·s + k - T, 0) from Shape(x), odd step last, then a VALID window); here ${what} differs`;
  const concat = made(g, pads, 'Concat', ['0,0', '*', '0,0', '*']);
  if (!concat || attrInt(attrsOf(g.producer.get(pads)!), 'axis', 0) !== 0) return differs('the Concat of the pads ([0, 0, left, 0, 0, right] along axis 0)');
  const [, left, , right] = concat;
  const half = made(g, left, 'Div', ['*', '2']);
  const rest = made(g, right, 'Sub', ['*', '*']);
  if (!half || !rest || rest[0] !== half[0] || rest[1] !== left) return differs('the split (left = pad / 2, right = pad - left)');
  const clamp = made(g, half[0], 'Max', ['*', '0']);
  const need = made(g, clamp?.[0], 'Sub', ['*', '*']);
  const covered = made(g, need?.[0], 'Add', ['*', '*']);
  const span = made(g, covered?.[0], 'Mul', ['*', '*']);
  const windows = made(g, span?.[0], 'Div', ['*', '*']);
  const up = made(g, windows?.[0], 'Add', ['*', '*']);
  if (!need || !covered || !span || !windows || !up || up[0] !== need[1]) return differs('the padding max(⌈T/s⌉·s + k - s - T, 0)');
  const [stride, strideAgain, strideLess1, sizeLessStride] = [span[1], windows[1], up[1], covered[1]].map((t) => constValue(g, t));
  if (stride === null || stride < 1 || strideAgain !== stride || strideLess1 !== stride - 1 || sizeLessStride === null || sizeLessStride + stride < 1) {
    return differs('the stride and size constants (s, s, s - 1 and k - s, one value each)');
  }
  const steps = up[0];
  const gather = made(g, steps, 'Gather', ['*', '2']);
  const shape = g.producer.get(gather?.[0] ?? '');
  const whole = shape && !attrsOf(shape).has('start') && !attrsOf(shape).has('end');
  if (!gather || attrInt(attrsOf(g.producer.get(steps)!), 'axis', 0) !== 0 || shape?.opType !== 'Shape' || !whole || shape.input?.[0] !== x) {
    return differs("the steps T (Shape of the Pad's own input, axis 2)");
  }
  return { size: sizeLessStride + stride, stride, steps };
}

/** A window's span (a Conv's dilated kernel), stride, and whether it pads nothing itself (VALID, or zero pads). */
function windowShape(g: Graph, n: Node): { span: number; stride: number; valid: boolean } {
  const a = attrsOf(n);
  const k = attrInts(a, 'kernel_shape') ?? g.consts.get(n.input?.[1] ?? '')?.dims.slice(2) ?? [];
  const dilation = attrInts(a, 'dilations')?.[0] ?? 1;
  const auto = attrString(a, 'auto_pad', 'NOTSET');
  const valid = auto === 'VALID' || (auto === 'NOTSET' && (attrInts(a, 'pads') ?? [0, 0]).every((p) => p === 0));
  return { span: ((k[0] ?? 0) - 1) * dilation + 1, stride: attrInts(a, 'strides')?.[0] ?? 1, valid };
}

/**
 * The average's Div(window sum, count): count the same window over Pad(Expand(1, Concat([1, 1], T)), the same pads),
 * T the steps the pads were computed from. Null when it is that; else where it differs.
 */
function realStepCount(g: Graph, sum: Node, div: Node | undefined, pads: string, steps: string): string | null {
  const count = g.producer.get(div?.input?.[1] ?? '');
  const padded = made(g, count?.input?.[0], 'Pad', ['*', '*']);
  const ones = made(g, padded?.[0], 'Expand', ['1', '*']);
  const shape = made(g, ones?.[1], 'Concat', ['1,1', '*']);
  const ok = div?.opType === 'Div' && div.input?.[0] === sum.output?.[0] && count?.opType === 'AveragePool' && windowAttrs(count) === windowAttrs(sum)
    && padded?.[1] === pads && shape?.[1] === steps && attrString(attrsOf(g.producer.get(count.input?.[0] ?? '')!), 'mode', 'constant') === 'constant';
  return ok ? null : `AveragePool node '${sum.name ?? ''}' is not divided by the same window over the padded ones (the count of real steps), as exportOnnx writes Keras's average of the real steps`;
}

/** What makes two AveragePools the same window over their inputs. */
function windowAttrs(n: Node): string {
  const a = attrsOf(n);
  return JSON.stringify([attrInts(a, 'kernel_shape'), attrInts(a, 'strides'), attrString(a, 'auto_pad', 'NOTSET'), attrInts(a, 'pads'), attrInt(a, 'ceil_mode', 0), attrInt(a, 'count_include_pad', 0)]);
}
