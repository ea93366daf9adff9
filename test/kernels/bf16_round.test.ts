/**
 * fp32 → bf16 rounding against hand-computed values: ties to even, NaN (a signalling NaN must not become an
 * infinity), infinities, overflow, subnormals (flushed to signed zero, as VCVTNEPS2BF16 does). The reference rounding
 * (reference/bf16_round.ts) and the native vector conversion the packing uses (bf16Round) must both give them.
 */
import { describe, expect, it } from 'vitest';
import { nativeKernels } from '../../src/backend/index.js';
import { bf16Bits, roundBf16, roundBf16Array } from '../../src/backend/reference/bf16_round.js';

const addon = nativeKernels() as unknown as { bf16Round?: (x: Float32Array, y: Float32Array) => void; bf16Supported?: () => boolean } | null;
const hasBf16 = !!addon?.bf16Supported?.();

/** [fp32 bit pattern of the input, bf16 bit pattern expected]. */
const CASES: [number, number, string][] = [
  [0x3f800000, 0x3f80, '1 stays'],
  [0x3f808000, 0x3f80, '1 + 2^-8: halfway, ties to the even 1'],
  [0x3f818000, 0x3f82, '1 + 3 * 2^-8: halfway, ties to the even 1 + 2^-6'],
  [0x3f808001, 0x3f81, 'just above halfway rounds up'],
  [0x3f807fff, 0x3f80, 'just below halfway rounds down'],
  [0xbf808000, 0xbf80, '-(1 + 2^-8): ties to even, sign kept'],
  [0x7f800000, 0x7f80, '+Inf'],
  [0xff800000, 0xff80, '-Inf'],
  [0x7fc00000, 0x7fc0, 'quiet NaN'],
  [0x7f800001, 0x7fc0, 'signalling NaN with a low payload stays NaN (made quiet), not Inf'],
  [0xffa00000, 0xffe0, 'negative NaN keeps its sign and payload, made quiet'],
  [0x7f7fffff, 0x7f80, 'largest fp32 rounds past the largest bf16: +Inf'],
  [0x7f7f7fff, 0x7f7f, 'just below the overflow halfway point: the largest bf16'],
  [0x00800000, 0x0080, 'smallest normal stays'],
  [0x007fffff, 0x0000, 'largest subnormal flushes to +0'],
  [0x00000001, 0x0000, 'smallest subnormal flushes to +0'],
  [0x80400000, 0x8000, 'negative subnormal flushes to -0'],
  [0x80000000, 0x8000, '-0 stays'],
  [0x40490fdb, 0x4049, 'pi rounds down to 3.140625'],
];

function fromBits(bits: number): Float32Array {
  return new Float32Array(new Uint32Array([bits >>> 0]).buffer);
}

describe('fp32 → bf16 rounding', () => {
  it.each(CASES)('reference: %s → %s (%s)', (input, expected) => {
    // A JS number cannot carry a signalling NaN; the reference sees the quiet NaN V8 makes of it, same result.
    expect(bf16Bits(fromBits(input)[0])).toBe(expected);
  });

  it('widens back to the fp32 value of the bf16 pattern', () => {
    expect(roundBf16(1 + 2 ** -8)).toBe(1);
    expect(roundBf16(1 + 3 * 2 ** -8)).toBe(1 + 2 ** -6);
    expect(roundBf16(Math.PI)).toBe(3.140625);
    expect(Object.is(roundBf16(-(2 ** -140)), -0)).toBe(true);
    expect(roundBf16(Infinity)).toBe(Infinity);
    expect(Number.isNaN(roundBf16(NaN))).toBe(true);
    const y = new Float32Array(2);
    roundBf16Array([1 + 2 ** -8, 1e39], y);
    expect([...y]).toEqual([1, Infinity]);
    expect(() => roundBf16Array([1, 2], new Float32Array(1))).toThrow(/bf16Round: argument 'y' has 1 elements, needs 2/);
  });

  it.skipIf(!hasBf16)('native vector conversion gives every hand-computed pattern (needs AVX512-BF16)', () => {
    // 37 inputs: two full 16-lane vectors and a masked tail, each case at several lanes.
    const n = 37;
    const x = new Uint32Array(n), want = new Uint32Array(n);
    for (let i = 0; i < n; i++) { x[i] = CASES[i % CASES.length][0] >>> 0; want[i] = (CASES[i % CASES.length][1] << 16) >>> 0; }
    const y = new Float32Array(n);
    addon!.bf16Round!(new Float32Array(x.buffer), y);
    expect([...new Uint32Array(y.buffer)].map((v) => v.toString(16))).toEqual([...want].map((v) => v.toString(16)));
  });
});
