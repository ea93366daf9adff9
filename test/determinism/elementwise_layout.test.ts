/**
 * A native kernel's numbers depend on its inputs only, never on where its arrays lie in memory. Tiny typed arrays
 * (a small Dense layer's kernel, its optimizer slots, its gradient) get their memory from malloc when the addon
 * first touches them, so two of them may sit a few bytes apart in one run and far apart in the next; a kernel that
 * chose its code path by that (GCC's overlap check, native/isa_passes.h) trained to different bits about one run in
 * a hundred. Here every elementwise kernel runs on the same values with its arrays apart (several alignments) and
 * packed into one buffer (small gaps, both orders), and every layout must give the first one's bytes.
 */
import { expect, it } from 'vitest';
import { describeNativeEachIsa, Rng, type Kernels } from '../kernels/util.js';

type Arr = Float32Array | Uint8Array | Int32Array;
/** One array argument: its length and its values (drawn from the seeded rng). */
type ArgSpec = [length: number, fill: (rng: Rng, length: number) => Arr];
interface Case { name: string; args: ArgSpec[]; call: (k: Kernels, a: Arr[]) => number | void }

const uniform = (lo = -1, hi = 1) => (rng: Rng, n: number): Arr => Float32Array.from({ length: n }, () => rng.uniform(lo, hi));
const bits = (rng: Rng, n: number): Arr => Uint8Array.from({ length: n }, () => (rng.next() < 0.5 ? 1 : 0));
const f = (a: Arr) => a as Float32Array;

/** Sizes around one 256-bit and one 512-bit vector, where the tails differ. */
const SIZES = [1, 3, 7, 8, 9, 12, 13, 15, 16, 17, 24, 31, 40];
const DRAWS = 4;

function cases(n: number): Case[] {
  const c = (name: string, args: ArgSpec[], call: Case['call']): Case => ({ name: `${name} n=${n}`, args, call });
  const u = uniform();
  return [
    c('adam', [[n, u], [n, uniform(-0.01, 0.01)], [n, uniform(-1e-3, 1e-3)], [n, uniform(0, 1e-6)]],
      (k, a) => k.adam(f(a[0]), f(a[1]), f(a[2]), f(a[3]), 0.001, 0.9, 0.999, 1e-7, 3)),
    c('rmsprop', [[n, u], [n, uniform(-0.01, 0.01)], [n, uniform(0, 1e-4)]], (k, a) => k.rmsprop(f(a[0]), f(a[1]), f(a[2]), 0.001, 0.9, 1e-7)),
    c('sgd momentum', [[n, u], [n, u], [n, u]], (k, a) => k.sgd(f(a[0]), f(a[1]), f(a[2]), 0.01, 0.9, false)),
    c('sgd nesterov', [[n, u], [n, u], [n, u]], (k, a) => k.sgd(f(a[0]), f(a[1]), f(a[2]), 0.01, 0.9, true)),
    c('axpy', [[n, u], [n, u]], (k, a) => k.axpy(0.37, f(a[0]), f(a[1]))),
    c('add', [[n, u], [n, u], [n, u]], (k, a) => k.add(f(a[0]), f(a[1]), f(a[2]))),
    c('mul', [[n, u], [n, u], [n, u]], (k, a) => k.mul(f(a[0]), f(a[1]), f(a[2]))),
    ...([1, 2, 3, 4] as const).flatMap((act) => [
      c(`activation ${act}`, [[n, uniform(-3, 3)], [n, u]], (k, a) => k.activation(act, f(a[0]), f(a[1]))),
      c(`activationBackward ${act}`, [[n, uniform(-0.99, 0.99)], [n, u], [n, u]], (k, a) => k.activationBackward(act, f(a[0]), f(a[1]), f(a[2]))),
    ]),
    c('dropoutApply', [[n, u], [n, bits], [n, u]], (k, a) => k.dropoutApply(f(a[0]), a[1] as Uint8Array, 1.25, f(a[2]))),
    c('sigmoidCrossEntropyWithLogits', [[n, uniform(-3, 3)], [n, uniform(0, 1)], [n, u]], (k, a) => k.sigmoidCrossEntropyWithLogits(n, f(a[0]), f(a[1]), f(a[2]))),
    c('binaryCrossentropy', [[n, uniform(0.01, 0.99)], [n, uniform(0, 1)], [n, u]], (k, a) => k.binaryCrossentropy(n, f(a[0]), f(a[1]), f(a[2]))),
    c('meanSquaredError', [[n, u], [n, u], [n, u]], (k, a) => k.meanSquaredError(n, f(a[0]), f(a[1]), f(a[2]))),
    c('softmax', [[2 * n, uniform(-3, 3)], [2 * n, u]], (k, a) => k.softmax(2, n, f(a[0]), f(a[1]))),
    c('softmaxBackward', [[2 * n, uniform(0, 1)], [2 * n, u], [2 * n, u]], (k, a) => k.softmaxBackward(2, n, f(a[0]), f(a[1]), f(a[2]))),
    c('softmaxCrossEntropyWithLogits', [[2 * n, uniform(-3, 3)], [2 * n, uniform(0, 1)], [2 * n, u]],
      (k, a) => k.softmaxCrossEntropyWithLogits(2, n, f(a[0]), f(a[1]), f(a[2]))),
    c('colSum', [[3 * n, u], [n, u]], (k, a) => k.colSum(3, n, f(a[0]), f(a[1]), true)),
    c('layerNormForward', [[2 * n, u], [n, u], [n, u], [2 * n, u], [2, u], [2, u]],
      (k, a) => k.layerNormForward(2, n, f(a[0]), f(a[1]), f(a[2]), 1e-3, f(a[3]), f(a[4]), f(a[5]))),
    c('layerNormBackward', [[2 * n, u], [n, u], [2, u], [2, uniform(0.5, 2)], [2 * n, u], [2 * n, u], [n, u], [n, u]],
      (k, a) => k.layerNormBackward(2, n, f(a[0]), f(a[1]), f(a[2]), f(a[3]), f(a[4]), f(a[5]), f(a[6]), f(a[7]))),
    c('batchNormForward', [[3 * n, u], [n, u], [n, uniform(0.5, 2)], [n, u], [n, u], [3 * n, u]],
      (k, a) => k.batchNormForward(3, n, 1, f(a[0]), f(a[1]), f(a[2]), f(a[3]), f(a[4]), 1e-3, f(a[5]))),
    c('batchNormBackward', [[3 * n, u], [n, u], [n, uniform(0.5, 2)], [n, u], [3 * n, u], [3 * n, u], [n, u], [n, u]],
      (k, a) => k.batchNormBackward(3, n, 1, f(a[0]), f(a[1]), f(a[2]), f(a[3]), 1e-3, true, f(a[4]), f(a[5]), f(a[6]), f(a[7]))),
    c('avgPool1dBackward', [[6 * n, u], [8 * n, u]], (k, a) => k.avgPool1dBackward(2, 4, n, 2, 1, 0, 3, f(a[0]), f(a[1]))),
    c('embeddingBackward', [[3 * n, u], [4 * n, u]], (k, a) => k.embeddingBackward(3, n, Int32Array.of(1, 3, 1), f(a[0]), f(a[1]))),
    c('gemm', [[2 * n, u], [n * 3, u], [6, u], [3, u]], (k, a) => k.gemm(false, false, 2, 3, n, 1, f(a[0]), f(a[1]), 0.5, f(a[2]), f(a[3]), 0)),
    // Conv1D and pooling over n channels: B 2, T 5, kernel 2, 4 output steps.
    c('conv1d', [[10 * n, u], [2 * n * 3, u], [3, u], [24, u]], (k, a) => k.conv1d(2, 5, n, 3, 2, 1, 0, 4, f(a[0]), f(a[1]), f(a[2]), f(a[3]), 3)),
    c('conv1dBackward', [[10 * n, u], [2 * n * 3, u], [24, u], [10 * n, u], [2 * n * 3, u], [3, u]],
      (k, a) => k.conv1dBackward(2, 5, n, 3, 2, 1, 0, 4, f(a[0]), f(a[1]), f(a[2]), f(a[3]), f(a[4]), f(a[5]))),
    c('maxPool1d', [[10 * n, u], [8 * n, u], [8 * n, (rng, len) => new Int32Array(len)]],
      (k, a) => k.maxPool1d(2, 5, n, 2, 1, 0, 4, f(a[0]), f(a[1]), a[2] as Int32Array)),
  ];
}

/** Where the arrays go: each in its own buffer at byte offset `offset` * (i + 1) mod 64, or all in one buffer. */
type Layout = { apart: true; offset: number } | { apart: false; gap: number; reversed: boolean };
const LAYOUTS: Layout[] = [
  ...[0, 4, 8, 16, 36].map((offset) => ({ apart: true as const, offset })),
  ...[0, 1, 3, 8].flatMap((gap) => [false, true].map((reversed) => ({ apart: false as const, gap, reversed }))),
];
const label = (l: Layout) => (l.apart ? `apart, offset ${l.offset}` : `packed, gap ${l.gap}${l.reversed ? ', reversed' : ''}`);

/** Copies of values laid out as `layout` says. */
function place(values: Arr[], layout: Layout): Arr[] {
  const view = (v: Arr, buf: ArrayBuffer, at: number): Arr => {
    const a = new (v.constructor as new (b: ArrayBuffer, o: number, n: number) => Arr)(buf, at, v.length);
    a.set(v);
    return a;
  };
  if (layout.apart) {
    return values.map((v, i) => {
      const at = (layout.offset * (i + 1)) % 64;
      return view(v, new ArrayBuffer(v.byteLength + 64), at - (at % v.BYTES_PER_ELEMENT));
    });
  }
  const order = values.map((_, i) => (layout.reversed ? values.length - 1 - i : i));
  const buf = new ArrayBuffer(values.reduce((s, v) => s + v.byteLength + 4 * layout.gap + 4, 0));
  const out: Arr[] = [];
  let at = 0;
  for (const i of order) {
    out[i] = view(values[i], buf, at);
    at = Math.ceil((at + values[i].byteLength + 4 * layout.gap) / 4) * 4;
  }
  return out;
}

/** Every byte a call leaves in its arrays, and its return value. */
function run(k: Kernels, c: Case, values: Arr[], layout: Layout): string {
  const arrays = place(values, layout);
  const ret = c.call(k, arrays);
  return [String(ret), ...arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex'))].join('|');
}

describeNativeEachIsa('elementwise kernels give the same bits wherever their arrays lie', (nat) => {
  it('every layout, apart or packed, matches the first', () => {
    const rng = new Rng(7);
    for (const n of SIZES) {
      for (const c of cases(n)) {
        // A fused and an unfused a * b + c round alike for some values: a few draws make a difference show.
        for (let draw = 0; draw < DRAWS; draw++) {
          const values = c.args.map(([len, fill]) => fill(rng, len));
          const want = run(nat, c, values, LAYOUTS[0]);
          for (const layout of LAYOUTS.slice(1)) expect(run(nat, c, values, layout), `${c.name}, draw ${draw}, ${label(layout)}`).toBe(want);
        }
      }
    }
  });
});
