/**
 * Keras's Attention (Luong, dot scores), AdditiveAttention (Bahdanau) and Dot as standard ONNX operators, computing
 * what rnnlab's layers compute at inference: scores (times the learned scale), masked value steps and, causal,
 * later steps lowered by 1e9, Softmax over the value steps, the weighted sum of the values, query steps the mask
 * marks as padding set to zero; dropout is the identity. Output masks follow rnnlab's layers: an attention output
 * carries the query's, a Dot's none.
 */
import type { GraphBuilder } from './graph.js';
import { refuse, type Flow, type LayerView } from './layer_view.js';

const swapLast = (g: GraphBuilder, x: string, prefix: string) => g.node('Transpose', [x], { perm: [0, 2, 1] }, prefix);

/** [B, Tq, Tv] scores: query · keyᵀ (times the scalar scale), or Bahdanau's sum_d scale[d]·tanh(q[i, d] + k[j, d]). */
function scores(g: GraphBuilder, view: LayerView, q: string, k: string): string {
  const p = view.name, useScale = view.config.useScale === true;
  if (view.className === 'Attention') {
    const s = g.node('MatMul', [q, swapLast(g, k, `${p}/key_t`)], {}, `${p}/scores`);
    return useScale ? g.node('Mul', [s, g.floats(`${p}/scale`, view.weights[0], [])], {}, `${p}/scaled`) : s;
  }
  const pairs = g.node('Add', [g.node('Unsqueeze', [q, g.ints([2])], {}, `${p}/query_rows`), g.node('Unsqueeze', [k, g.ints([1])], {}, `${p}/key_cols`)], {}, `${p}/pairs`);
  const th = g.node('Tanh', [pairs], {}, `${p}/tanh`);
  if (!useScale) return g.node('ReduceSum', [th, g.ints([3])], { keepdims: 0 }, `${p}/scores`);
  const scale = view.weights[0];
  const s = g.node('MatMul', [th, g.floats(`${p}/scale`, scale, [scale.length, 1])], {}, `${p}/scaled`);
  return g.node('Squeeze', [s, g.ints([3])], {}, `${p}/scores`);
}

/** float [Tq, Tv]: 1 where value step j <= query step i. */
function causalKeep(g: GraphBuilder, p: string, s: string): string {
  const shape = g.node('Shape', [s], {}, `${p}/scores_shape`);
  const steps = (axis: number, name: string) => g.node('Range', [g.ints([0], []),
    g.node('Gather', [shape, g.ints([axis], [])], { axis: 0 }, `${p}/${name}_steps`), g.ints([1], [])], {}, `${p}/${name}_positions`);
  const rows = g.node('Unsqueeze', [steps(1, 'query'), g.ints([1])], {}, `${p}/query_column`);
  return g.node('Cast', [g.node('LessOrEqual', [steps(2, 'value'), rows], {}, `${p}/causal`)], { to: 1 }, `${p}/causal_f`);
}

/** Attention and AdditiveAttention: [query, value] or [query, value, key] -> [output] or [output, weights]. */
export function exportAttention(g: GraphBuilder, view: LayerView, flows: Flow[]): Flow[] {
  if (flows.length < 2 || flows.length > 3) refuse(view, `takes 2 or 3 inputs, got ${flows.length}`);
  if (flows.some((f) => f.rank !== 3)) refuse(view, 'expects query, value and key of shape (batch, steps, features)');
  const [q, v, k = v] = flows;
  const p = view.name;
  let s = scores(g, view, q.x, k.x);
  const causal = view.config.causal === true || view.config.useCausalMask === true;
  if (v.mask || causal) {
    const valueKeep = v.mask ? g.node('Unsqueeze', [v.mask.m, g.ints([1])], {}, `${p}/value_keep`) : null;
    const c = causal ? causalKeep(g, p, s) : null;
    const keep = valueKeep && c ? g.node('Mul', [valueKeep, c], {}, `${p}/keep`) : (valueKeep ?? c)!;
    const drop = g.node('Mul', [g.node('Sub', [g.scalar(1), keep], {}, `${p}/dropped`), g.scalar(1e9)], {}, `${p}/penalty`);
    s = g.node('Sub', [s, drop], {}, `${p}/masked_scores`);
  }
  const w = g.node('Softmax', [s], { axis: -1 }, `${p}/weights`);
  let out = g.node('MatMul', [w, v.x], {}, `${p}/context`);
  if (q.mask) out = g.node('Mul', [out, g.node('Unsqueeze', [q.mask.m, g.ints([2])], {}, `${p}/query_keep`)], {}, `${p}/masked_context`);
  const result: Flow[] = [{ x: out, rank: 3, mask: q.mask }];
  if (view.config.returnAttentionScores === true) result.push({ x: w, rank: 3, mask: q.mask });
  return result;
}

/** x / sqrt(max(sum of squares along axis, 1e-12)), as rnnlab's l2Normalize. */
function l2Normalize(g: GraphBuilder, x: string, axis: number, prefix: string): string {
  const ss = g.node('ReduceSum', [g.node('Mul', [x, x], {}, `${prefix}_squares`), g.ints([axis])], { keepdims: 1 }, `${prefix}_sum_squares`);
  const norm = g.node('Sqrt', [g.node('Max', [ss, g.scalar(1e-12)], {}, `${prefix}_clipped`)], {}, `${prefix}_norm`);
  return g.node('Div', [x, norm], {}, prefix);
}

/** Dot(axes, normalize) over two rank-2 or two rank-3 inputs. */
export function exportDot(g: GraphBuilder, view: LayerView, flows: Flow[]): Flow {
  if (flows.length !== 2) refuse(view, `takes 2 inputs, got ${flows.length}`);
  const [a, b] = flows;
  const rank = a.rank;
  if (b.rank !== rank || rank < 2 || rank > 3) refuse(view, `takes two inputs of rank 2 or both of rank 3, got ranks ${a.rank} and ${b.rank}`);
  const axes = view.config.axes as number | [number, number];
  const [ia, ib] = (Array.isArray(axes) ? axes : [axes, axes]).map((ax) => (ax < 0 ? ax + rank : ax));
  const p = view.name;
  const xa = view.config.normalize === true ? l2Normalize(g, a.x, ia, `${p}/a_normalized`) : a.x;
  const xb = view.config.normalize === true ? l2Normalize(g, b.x, ib, `${p}/b_normalized`) : b.x;
  if (rank === 2) return { x: g.node('ReduceSum', [g.node('Mul', [xa, xb], {}, `${p}/products`), g.ints([1])], { keepdims: 1 }, `${p}/dot`), rank: 2, mask: null };
  const left = ia === 1 ? swapLast(g, xa, `${p}/a_t`) : xa;
  const right = ib === 2 ? swapLast(g, xb, `${p}/b_t`) : xb;
  // As rnnlab's Dot (and Keras's): the products leave no steps to mask.
  return { x: g.node('MatMul', [left, right], {}, `${p}/dot`), rank: 3, mask: null };
}
