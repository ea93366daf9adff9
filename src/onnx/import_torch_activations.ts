/**
 * PyTorch activations that ONNX has no single operator for, as torch.onnx.export writes them out of elementary ones.
 * Softsign's x / (1 + |x|) is read as Keras's softsign; the others are named when refused, so a user sees which
 * activation to change rather than a complaint about the Mul they happen to start with.
 */
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

const PRODUCTS: [string[], string][] = [
  [['Erf'], 'GELU, x · (1 + Erf(x / √2)) / 2'],
  [['Tanh', 'Softplus'], 'Mish, x · Tanh(Softplus(x))'],
  [['Tanh'], "GELU's tanh approximation, x · (1 + Tanh(√(2/π)(x + 0.044715x³))) / 2"],
  [['Sigmoid'], 'SiLU (swish), x · Sigmoid(x)'],
  [['HardSigmoid'], 'Hardswish, x · HardSigmoid(x)'],
];

/**
 * The PyTorch activation a Mul starts, in words, or null: a product of x with a function of x (GELU, SiLU, Mish,
 * Hardswish), or x times beta into Softplus and divided by beta (Softplus(beta)).
 */
export function torchActivationAt(g: Graph, mul: Node, next: readonly (Node | undefined)[]): string | null {
  const ins = mul.input ?? [];
  const beta = ins.map((t) => g.consts.get(t)).find(Boolean);
  if (beta) {
    const [softplus, div] = next;
    const divisor = g.consts.get(div?.input?.[1] ?? '');
    const scalar = beta.values.length === 1 && divisor?.values.length === 1 && divisor.values[0] === beta.values[0];
    return scalar && softplus?.opType === 'Softplus' && div?.opType === 'Div' && div.input?.[0] === softplus.output?.[0]
      ? `Softplus(beta=${beta.values[0]}), Softplus(x · beta) / beta (Keras's softplus has no beta)` : null;
  }
  if (ins.length !== 2) return null;
  // The factor f(x) is the input computed from the other, x: its operators, up to x, say which activation it is.
  for (const [fx, x] of [[ins[1], ins[0]], [ins[0], ins[1]]]) {
    const ops = new Set<string>();
    if (!reaches(g, fx, x, ops, 6)) continue;
    const found = PRODUCTS.find(([need]) => need.every((op) => ops.has(op)));
    if (found) return found[1];
  }
  return null;
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
