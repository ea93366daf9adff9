/**
 * A sweep of rnnlab's tensor ops against tfjs 4.22 (the devDependency, CPU backend): every op and Tensor method the
 * two libraries share, called on a battery of inputs (rank 0, 1, 2 and 4, empty, int32, bool, NaN and infinities,
 * plain numbers and arrays) in the argument forms ops take (an axis, a negative axis, keepDims, an axis list; a second
 * operand that broadcasts or changes dtype), forward and through tf.grad / tf.grads. Wherever both answer, the
 * answers must agree (dtype, shape, values within 1e-6 relative, ints exactly) unless DELIBERATE says why not;
 * wherever rnnlab refuses, it must be an Error with a message, never a TypeError from inside it.
 * Hand-written calls (overloads, memory, errors) are in tfjs_op_parity.test.ts.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as rl from '../../src/index.js';
import { malformed, mismatch, outcome, type Lib } from './tfjs_compare.js';

/** Ops the sweep leaves out: random draws, async and engine calls, and ones that take shapes rather than tensors. */
const NOT_SWEPT = new Set(['randomNormal', 'randomUniform', 'randomUniformInt', 'randomStandardNormal', 'truncatedNormal', 'multinomial',
  'dropout', 'rand', 'randomGamma', 'print', 'ready', 'nextFrame', 'setBackend', 'tidy', 'keep', 'dispose', 'memory', 'grad', 'grads',
  'valueAndGrad', 'valueAndGrads', 'variableGrads', 'customGrad', 'variable', 'disposeVariables', 'buffer', 'whereAsync',
  'booleanMaskAsync', 'setdiff1dAsync', 'inTopKAsync', 'model', 'sequential', 'input', 'loadLayersModel', 'getBackend',
  'registerCallbackConstructor', 'data', 'array', 'bytes', 'dataToGPU', 'throwIfDisposed', 'toString', 'bufferSync', 'arraySync', 'dataSync',
  // engine switches rnnlab refuses: calling tfjs's would change tfjs itself (debug mode checks every result for NaN)
  'enableProdMode', 'enableDebugMode', 'disableDeprecationWarnings', 'env', 'engine', 'backend', 'time', 'profile', 'loadGraphModel',
  'loadGraphModelSync', 'registerOp', 'op', 'registerKernel', 'registerGradient', 'registerBackend']);

/**
 * Sweep calls whose answers differ on purpose, because tfjs 4.22's answer is wrong for the call (matched against
 * the call's label, e.g. "logSumExp(b1, 0)" or ".add(bb)").
 */
const DELIBERATE: [RegExp, string][] = [
  [/^\.?(logSigmoid|logSoftmax|logSumExp)\((b1|bb)/, 'tfjs returns bool garbage or ±Infinity for bool input; rnnlab computes on 0/1'],
  [/^\.?logSumExp\(ei/, 'tfjs\'s max of no int32 values reads as 0, so it answers -Infinity for int32 (NaN for float32); rnnlab answers NaN for both'],
  [/^\.?unstack\(\w+, null/, 'tfjs reads a null axis as no axis and returns the input whole; rnnlab reads it as the default axis 0'],
  [/^\.concat\(if\)/, 'tfjs gives the first tensor\'s dtype, truncating the float32 values to int32; rnnlab upcasts as the other ops do'],
  [/^\.?batchNorm\((i1|b1|si|ei),/, 'tfjs keeps int32/bool for a normalized (fractional) result; rnnlab gives float32'],
  [/^\.?(dot|outerProduct)\(bb\)/, 'tfjs types a product of bools bool; rnnlab sums them as int32, as sum does'],
  [/^\.?topk\(fsp/, 'tfjs orders NaN by an inconsistent comparator; rnnlab ranks NaN highest, as max does'],
  [/^\.?broadcastTo\((s|si|num), \[0,1\]\)/, 'tfjs broadcasts a scalar to [0, 1] as [1, 1]; rnnlab gives the asked shape'],
  [/^range\(num, (0|-1)/, 'tfjs counts fractional downward ranges with abs(ceil(n)) (range(0.25, 0) is empty); rnnlab includes the start'],
  [/^\.?(mean|moments)\((e|ei)/, 'tfjs answers 0 for the mean of no values; rnnlab NaN (docs/API.md, deliberate differences)'],
  [/^\.?all\((e|ei)/, 'tfjs answers false for all() of no values; rnnlab answers true, as TensorFlow and NumPy do'],
];

const inputs: Record<string, (l: Lib) => unknown> = {
  f1: (l) => l.tensor1d([-2.5, -1.5, -0.5, 0, 0.5, 1.5, 2.5, 3.7, -3.7, 0.3]),
  fsp: (l) => l.tensor1d([NaN, Infinity, -Infinity, 0, -0, 1e-30, 100]),
  i1: (l) => l.tensor1d([-7, -3, -1, 0, 1, 2, 5], 'int32'),
  b1: (l) => l.tensor1d([true, false, true], 'bool'),
  s: (l) => l.scalar(0.7),
  si: (l) => l.scalar(-3, 'int32'),
  e: (l) => l.zeros([0, 3]),
  ei: (l) => l.zeros([0, 3], 'int32'),
  m: (l) => l.tensor2d([[1, -2, 3], [4, 5, -6]]),
  r4: (l) => l.div(l.range(-12, 12), 5).reshape([2, 3, 2, 2]),
  arr: () => [1, -2, 0.5],
  num: () => 0.25,
};
const forms: unknown[][] = [[], [0], [-1], [1], [-1, true], [null, true], [[0, 1]]];
const pairs: Record<string, [(l: Lib) => unknown, (l: Lib) => unknown]> = {
  ff: [inputs.f1, (l) => l.tensor1d([2, -2, 0.5, 0, -1, 3, 2, -0.4, 1.5, 0])],
  ii: [(l) => l.tensor1d([7, -7, 7, -7, 0, 5, 3], 'int32'), (l) => l.tensor1d([2, 2, -2, -2, 3, 0, 3], 'int32')],
  if: [inputs.i1, (l) => l.tensor1d([2, -2, 0.5, 0, -1, 3, 2])],
  fi: [(l) => l.tensor1d([2, -2, 0.5, 0, -1, 3, 2]), inputs.i1],
  bc: [inputs.m, (l) => l.tensor1d([2, -1, 0.5])],
  bc2: [(l) => l.tensor2d([[1], [2]]), (l) => l.tensor2d([[3, 4, 5]])],
  bc4: [inputs.r4, (l) => l.tensor2d([[1, 2]])],
  sn: [inputs.m, () => 2],
  ns: [() => 3, inputs.m],
  sc: [inputs.m, (l) => l.scalar(-1.5)],
  nan: [inputs.fsp, (l) => l.tensor1d([1, NaN, Infinity, 0, 0, -Infinity, 2])],
  empty: [inputs.e, (l) => l.ones([1, 3])],
  bb: [inputs.b1, (l) => l.tensor1d([true, true, false], 'bool')],
  arrarr: [() => [1, 2, 3], () => [3, 2, 1]],
};

const tfTop = tf as unknown as Record<string, unknown>, rlTop = rl as unknown as Record<string, unknown>;
const sharedOps = Object.keys(tfTop).filter((k) => /^[a-z]/.test(k) && typeof tfTop[k] === 'function' && typeof rlTop[k] === 'function' && !NOT_SWEPT.has(k)).sort();
const tfProbe = tf.ones([1]) as unknown as Record<string, unknown>, rlProbe = rl.ones([1]) as unknown as Record<string, unknown>;
const sharedMethods = Object.getOwnPropertyNames(tf.Tensor.prototype)
  .filter((k) => k !== 'constructor' && typeof tfProbe[k] === 'function' && typeof rlProbe[k] === 'function' && !NOT_SWEPT.has(k) && k !== 'dispose').sort();

/** Every call of one op (or method, name starting with '.') in the sweep: [label, call]. */
function sweepCalls(name: string): [string, (l: Lib) => unknown][] {
  const calls: [string, (l: Lib) => unknown][] = [];
  const method = name.startsWith('.'), op = method ? name.slice(1) : name;
  for (const [iname, make] of Object.entries(inputs)) {
    if (method && (iname === 'arr' || iname === 'num')) continue;
    for (const rest of forms) {
      const label = `${name}(${[iname, ...rest.map((r) => JSON.stringify(r))].join(', ')})`;
      calls.push([label, method ? (l) => (make(l) as Record<string, (...a: unknown[]) => unknown>)[op](...rest) : (l) => l[op](make(l), ...rest)]);
    }
  }
  for (const [pname, [a, b]] of Object.entries(pairs)) {
    if (method && (pname === 'ns' || pname === 'arrarr')) continue;
    calls.push([`${name}(${pname})`, method ? (l) => (a(l) as Record<string, (...x: unknown[]) => unknown>)[op](b(l)) : (l) => l[op](a(l), b(l))]);
  }
  return calls;
}

function sweep(name: string): string[] {
  const problems: string[] = [];
  for (const [label, call] of sweepCalls(name)) {
    const want = outcome(tf, (l) => l.tidy(() => call(l))), got = outcome(rl, call);
    if ('err' in got) {
      if (!(got.err instanceof Error) || got.err instanceof TypeError || got.err instanceof RangeError || !got.err.message) {
        problems.push(`${label}: rnnlab failed inside (${String(got.err)}) instead of refusing the call with a clear error`);
      }
      continue;
    }
    if ('err' in want || malformed(want.ok) || DELIBERATE.some(([re]) => re.test(label))) continue;
    const d = mismatch(got.ok, want.ok);
    if (d) problems.push(`${label}${d}`);
  }
  return problems;
}

describe('sweep: shared ops on a battery of inputs agree with tfjs 4.22', () => {
  it('finds the shared names', () => {
    expect(sharedOps.length).toBeGreaterThan(180);
    expect(sharedMethods.length).toBeGreaterThan(120);
  });
  it.each(sharedOps)('%s', (name) => expect(sweep(name)).toEqual([]));
  it.each(sharedMethods)('.%s', (name) => expect(sweep(`.${name}`)).toEqual([]));
});

/** The gradient sweep: d sum(op(x, ...rest) * w) / dx for float inputs and the argument forms above, w fixed per output. */
function gradSweep(name: string): string[] {
  const problems: string[] = [];
  const method = name.startsWith('.'), op = method ? name.slice(1) : name;
  const floatInputs: Record<string, (l: Lib) => unknown> = { f1: inputs.f1, s: inputs.s, m: inputs.m, r4: inputs.r4 };
  for (const [iname, make] of Object.entries(floatInputs)) {
    for (const rest of [[], [0], [-1], [-1, true], [null, true], [[0, 1]]] as unknown[][]) {
      const label = `grad ${name}(${[iname, ...rest.map((r) => JSON.stringify(r))].join(', ')})`;
      const call = (l: Lib) => {
        const loss = (x: Lib) => {
          const y = method ? x[op](...rest) : l[op](x, ...rest);
          if (!y || typeof y.mul !== 'function' || y.dtype !== 'float32') throw new Error('not a float tensor');
          return y.mul(l.cos(l.range(0, y.size).mul(1.3)).reshape(y.shape)).sum();
        };
        return l.grad(loss)(make(l));
      };
      const want = outcome(tf, (l) => l.tidy(() => call(l)));
      if ('err' in want || malformed(want.ok) || DELIBERATE.some(([re]) => re.test(label.slice(5)))) continue;
      const got = outcome(rl, call);
      // A forward call rnnlab refuses is the forward sweep's business; here, a refused gradient is a difference.
      if ('err' in got && 'err' in outcome(rl, (l) => (method ? (make(l) as Lib)[op](...rest) : l[op](make(l), ...rest)))) continue;
      if ('err' in got) { problems.push(`${label}: rnnlab throws ${got.err.message} where tfjs differentiates`); continue; }
      const d = mismatch(got.ok, want.ok);
      if (d) problems.push(`${label}${d}`);
    }
  }
  for (const pname of method ? ['ff', 'bc', 'bc2', 'sc'] : ['ff', 'bc', 'bc2', 'sn', 'ns', 'sc']) {
    const [a, b] = pairs[pname], label = `grads ${name}(${pname})`;
    const call = (l: Lib) => {
      const loss = (x: Lib, y: Lib) => {
        const out = method ? x[op](y) : l[op](x, y);
        if (!out || typeof out.mul !== 'function' || out.dtype !== 'float32') throw new Error('not a float tensor');
        return out.mul(l.cos(l.range(0, out.size).mul(1.3)).reshape(out.shape)).sum();
      };
      const xa = a(l), xb = b(l);
      if (typeof xa === 'number') return l.grad((y: Lib) => loss(xa, y))(xb);
      if (typeof xb === 'number') return l.grad((x: Lib) => loss(x, xb))(xa);
      return l.grads(loss)([xa, xb]);
    };
    const want = outcome(tf, (l) => l.tidy(() => call(l)));
    if ('err' in want || malformed(want.ok)) continue;
    const got = outcome(rl, call);
    if ('err' in got && 'err' in outcome(rl, (l) => (method ? (a(l) as Lib)[op](b(l)) : l[op](a(l), b(l))))) continue;
    if ('err' in got) { problems.push(`${label}: rnnlab throws ${got.err.message} where tfjs differentiates`); continue; }
    const d = mismatch(got.ok, want.ok);
    if (d) problems.push(`${label}${d}`);
  }
  return problems;
}

describe('gradient sweep: shared ops differentiate as tfjs 4.22 does', () => {
  it.each(sharedOps)('%s', (name) => expect(gradSweep(name)).toEqual([]));
  it.each(sharedMethods)('.%s', (name) => expect(gradSweep(`.${name}`)).toEqual([]));
});
