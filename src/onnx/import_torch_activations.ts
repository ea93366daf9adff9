/**
 * PyTorch activations that ONNX has no single operator for, as torch.onnx.export writes them out of elementary ones
 * (and exportOnnx writes rnnlab's own): GELU (exact and tanh), SiLU, Mish and Hardswish are read as rnnlab's gelu,
 * gelu_new, silu, mish and hard_silu when every constant is the activation's and no tensor inside feeds another node;
 * Softsign's x / (1 + |x|) as softsign. Anything else that looks like one is refused naming the pattern, so a user
 * sees which activation differs rather than a complaint about the Mul it happens to start with.
 */
import { attrFloat, attrsOf } from './read.js';
import type { Graph, Node } from './import_graph.js';

/** Div(x, Add(Abs(x), 1)): nn.Softsign. */
export function isTorchSoftsign(g: Graph, div: Node): boolean {
  const [x, denominator] = div.input ?? [];
  const add = g.producer.get(denominator ?? '');
  if (add?.opType !== 'Add') return false;
  const abs = (add.input ?? []).map((t) => g.producer.get(t)).find((n) => n?.opType === 'Abs');
  const one = (add.input ?? []).map((t) => g.consts.get(t)).find(Boolean);
  return abs?.input?.[0] === x && one?.values.length === 1 && one.values[0] === 1;
}

/** An activation read from a product of x: rnnlab's name, and how many nodes after the first Mul on the data path it spans. */
export interface WrittenActivation { name: string; skip: number }

/**
 * The activation a Mul on the data path starts, or null. It either is the activation's whole product (SiLU, Mish,
 * Hardswish, and GELU as exportOnnx writes it from (x · 0.5) · (1 + ...)), or the next node on the path multiplies it
 * by the rest (torch's (x · (1 + ...)) · 0.5).
 */
export function writtenActivationAt(g: Graph, mul: Node, next: Node | undefined): WrittenActivation | null {
  const x = dataInput(g, mul);
  if (x === undefined) return null;
  const takesMul = next?.opType === 'Mul' && (next.input ?? []).includes(mul.output?.[0] ?? '');
  for (const [end, skip] of (takesMul ? [[next, 1], [mul, 0]] : [[mul, 0]]) as [Node, number][]) {
    const nodes = new Set<Node>();
    const name = productActivation(g, end, x, nodes);
    if (name && onlyInside(g, nodes, end)) return { name, skip };
  }
  return null;
}

/** The input a node takes on the data path: its first that is not a constant (as dataPath follows it). */
const dataInput = (g: Graph, n: Node) => (n.input ?? []).find((t) => t !== '' && !g.consts.has(t));

/**
 * Constants are float32 (torch writes fround(√2)): a value within two float32 steps of the exact one is it; 0.6 for
 * 0.5 or 0.2 for HardSigmoid's 1/6 is not.
 */
const near = (v: number, want: number) => Math.abs(v - want) <= 2 ** -22 * Math.abs(want);

/** A tensor that is one float constant (a scalar or [1], which broadcast without changing the shape), or null. */
function scalar(g: Graph, t: string): number | null {
  const c = g.consts.get(t);
  return c && c.values instanceof Float32Array && c.values.length === 1 && c.dims.length <= 1 ? c.values[0] : null;
}

/** The factors of a tree of Muls: how often x, the constants, and the other tensors. */
interface Product { xs: number; consts: number[]; others: string[] }

/** Flattens the Muls under node into factors (the Muls are added to nodes); null when a constant is not one float. */
function product(g: Graph, node: Node, x: string, nodes: Set<Node>, p: Product = { xs: 0, consts: [], others: [] }, depth = 8): Product | null {
  if (!plain(node, 'Mul', 2) || depth === 0) return null;
  nodes.add(node);
  for (const t of node.input!) {
    const c = g.consts.has(t) ? scalar(g, t) : undefined;
    const inner = g.producer.get(t);
    if (t === x) p.xs++;
    else if (c === null) return null;
    else if (c !== undefined) p.consts.push(c);
    else if (inner?.opType === 'Mul') { if (!product(g, inner, x, nodes, p, depth - 1)) return null; }
    else p.others.push(t);
  }
  return p;
}

/** Is node an op with that many inputs, one output and no attributes (none of those read here has any that matter)? */
function plain(node: Node | undefined, op: string, inputs: number): node is Node {
  return node?.opType === op && node.input?.length === inputs && node.output?.length === 1 && (node.attribute ?? []).length === 0;
}

/** The node of op making t (plain, added to nodes), or null. */
function made(g: Graph, t: string | undefined, op: string, inputs: number, nodes: Set<Node>): Node | null {
  const n = g.producer.get(t ?? '');
  if (!plain(n, op, inputs)) return null;
  nodes.add(n);
  return n;
}

/** x · f(x) (silu, mish, hard_silu) or 0.5 · x · (1 + f(x)) (gelu, gelu_new): rnnlab's name, or null. */
function productActivation(g: Graph, end: Node, x: string, nodes: Set<Node>): string | null {
  const p = product(g, end, x, nodes);
  if (!p || p.xs !== 1 || p.others.length !== 1) return null;
  const f = p.others[0];
  if (p.consts.length === 0) {
    if (made(g, f, 'Sigmoid', 1, nodes)?.input![0] === x) return 'silu';
    const tanh = made(g, f, 'Tanh', 1, nodes);
    if (tanh && made(g, tanh.input![0], 'Softplus', 1, nodes)?.input![0] === x) return 'mish';
    return isHardSigmoidOfX(g, f, x, nodes) ? 'hard_silu' : null;
  }
  if (p.consts.length !== 1 || !near(p.consts[0], 0.5)) return null;
  const onePlus = made(g, f, 'Add', 2, nodes);
  const [a, b] = onePlus?.input ?? [];
  const inner = scalar(g, a) === null ? a : b;
  if (!onePlus || !near(scalar(g, inner === a ? b : a) ?? NaN, 1)) return null;
  const erf = made(g, inner, 'Erf', 1, nodes);
  if (erf) return isScaledX(g, erf.input![0], x, Math.SQRT2, nodes) ? 'gelu' : null;
  const tanh = made(g, inner, 'Tanh', 1, nodes);
  return tanh && isGeluTanhArgument(g, tanh.input![0], x, nodes) ? 'gelu_new' : null;
}

/** HardSigmoid(x) with alpha 1/6 and beta 0.5: relu6(x + 3) / 6, torch's Hardswish before opset 14. */
function isHardSigmoidOfX(g: Graph, t: string, x: string, nodes: Set<Node>): boolean {
  const n = g.producer.get(t);
  if (n?.opType !== 'HardSigmoid' || n.input?.length !== 1 || n.input[0] !== x || n.output?.length !== 1) return false;
  const a = attrsOf(n);
  if ([...a.keys()].some((k) => k !== 'alpha' && k !== 'beta')) return false;
  nodes.add(n);
  return near(attrFloat(a, 'alpha', 0.2), 1 / 6) && near(attrFloat(a, 'beta', 0.5), 0.5);
}

/** t = x / s (torch's Div) or x · (1/s) (exportOnnx's Mul). */
function isScaledX(g: Graph, t: string, x: string, s: number, nodes: Set<Node>): boolean {
  const div = made(g, t, 'Div', 2, nodes);
  if (div) return div.input![0] === x && near(scalar(g, div.input![1]) ?? NaN, s);
  const mul = t === x ? undefined : g.producer.get(t);
  const p = mul && product(g, mul, x, nodes);
  return Boolean(p) && p!.xs === 1 && p!.others.length === 0 && p!.consts.length === 1 && near(p!.consts[0], 1 / s);
}

/** t = √(2/π) · (x + 0.044715 · x³), x³ as Muls of x or Pow(x, 3). */
function isGeluTanhArgument(g: Graph, t: string, x: string, nodes: Set<Node>): boolean {
  const mul = t === x ? undefined : g.producer.get(t);
  const outer = mul && product(g, mul, x, nodes);
  if (!outer || outer.xs !== 0 || outer.others.length !== 1 || outer.consts.length !== 1 || !near(outer.consts[0], Math.sqrt(2 / Math.PI))) return false;
  const sum = made(g, outer.others[0], 'Add', 2, nodes);
  const cubic = sum?.input?.[0] === x ? sum.input[1] : sum?.input?.[1] === x ? sum.input[0] : undefined;
  const term = cubic === x ? undefined : g.producer.get(cubic ?? '');
  const p = term && product(g, term, x, nodes);
  if (!p || p.consts.length !== 1 || !near(p.consts[0], 0.044715)) return false;
  if (p.xs === 3 && p.others.length === 0) return true;
  const pow = made(g, p.others[0], 'Pow', 2, nodes);
  return p.xs === 0 && p.others.length === 1 && pow?.input![0] === x && scalar(g, pow.input![1]) === 3;
}

/** Do the outputs of the pattern's nodes, but the last, feed only its own nodes (and not the graph's output)? */
function onlyInside(g: Graph, nodes: Set<Node>, end: Node): boolean {
  for (const n of nodes) {
    if (n === end) continue;
    const out = n.output![0];
    if (out === g.output || g.nodes.some((m) => !nodes.has(m) && (m.input ?? []).includes(out))) return false;
  }
  return true;
}

const PRODUCTS: [string[], string][] = [
  [['Erf'], 'GELU, x · (1 + Erf(x / √2)) / 2'],
  [['Tanh', 'Softplus'], 'Mish, x · Tanh(Softplus(x))'],
  [['Tanh'], "GELU's tanh approximation, x · (1 + Tanh(√(2/π)(x + 0.044715x³))) / 2"],
  [['Sigmoid'], 'SiLU (swish), x · Sigmoid(x)'],
  [['HardSigmoid'], 'Hardswish, x · HardSigmoid(x)'],
];

/**
 * Why a Mul that starts a PyTorch activation (one writtenActivationAt did not read) is refused, or null: a product of
 * x with a function of x (GELU, SiLU, Mish, Hardswish) not in the exact form read, or x times beta into Softplus and
 * divided by beta (Softplus(beta)).
 */
export function torchActivationRefusal(g: Graph, mul: Node, next: readonly (Node | undefined)[]): string | null {
  const ins = mul.input ?? [];
  const beta = ins.map((t) => g.consts.get(t)).find(Boolean);
  if (beta) {
    const [softplus, div] = next;
    const divisor = g.consts.get(div?.input?.[1] ?? '');
    const scalarBeta = beta.values.length === 1 && divisor?.values.length === 1 && divisor.values[0] === beta.values[0];
    if (scalarBeta && softplus?.opType === 'Softplus' && div?.opType === 'Div' && div.input?.[0] === softplus.output?.[0]) {
      return `this Mul starts PyTorch's Softplus(beta=${beta.values[0]}), Softplus(x · beta) / beta, which is not imported (Keras's softplus has no beta; nn.Softplus() with beta 1 is a plain Softplus node, imported)`;
    }
    // x times a constant first (as exportOnnx writes GELU's x · 0.5): the function of x is the next Mul's other factor.
    const x = dataInput(g, mul), after = next[0];
    const fx = after?.opType === 'Mul' ? (after.input ?? []).find((t) => t !== mul.output?.[0]) : undefined;
    return x !== undefined && fx !== undefined ? productRefusal(g, fx, x) : null;
  }
  if (ins.length !== 2) return null;
  // The factor f(x) is the input computed from the other, x: its operators, up to x, say which activation it is.
  for (const [fx, x] of [[ins[1], ins[0]], [ins[0], ins[1]]]) {
    const why = productRefusal(g, fx, x);
    if (why) return why;
  }
  return null;
}

function productRefusal(g: Graph, fx: string, x: string): string | null {
  const ops = new Set<string>();
  if (!reaches(g, fx, x, ops, 6)) return null;
  const found = PRODUCTS.find(([need]) => need.every((op) => ops.has(op)));
  return found ? `this Mul starts PyTorch's ${found[1]}, written as several operators but not exactly as torch.onnx.export writes it: it is imported only with each constant its own (0.5, 1, √2 or 1/√2, √(2/π), 0.044715; HardSigmoid's alpha 1/6 and beta 0.5) and no tensor inside it feeding another node` : null;
}

/** Does t depend on x within depth nodes? The operators on the way are added to ops. */
function reaches(g: Graph, t: string, x: string, ops: Set<string>, depth: number): boolean {
  if (t === x) return true;
  const n = g.producer.get(t);
  if (!n || depth === 0) return false;
  const found = (n.input ?? []).filter((i) => reaches(g, i, x, ops, depth - 1)).length > 0;
  if (found) ops.add(n.opType ?? '');
  return found;
}
