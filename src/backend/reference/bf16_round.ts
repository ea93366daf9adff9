/**
 * fp32 → bfloat16 rounding, exactly as native/bf16.h (and VCVTNEPS2BF16) does it: round to nearest, ties to even;
 * NaN stays NaN (made quiet), infinities stay, values past the largest bf16 become infinities, and fp32 subnormals
 * become signed zeros. The mixed_bfloat16 reference kernels round every product operand with it.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The bf16 bit pattern of x (first rounded to fp32). */
export function bf16Bits(x: number): number {
  f32[0] = x;
  const u = u32[0];
  if ((u & 0x7f800000) === 0) return (u >>> 16) & 0x8000; // zero or subnormal
  if ((u & 0x7fffffff) > 0x7f800000) return (u >>> 16) | 0x0040; // NaN, made quiet
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

/** The fp32 value of a bf16 bit pattern. */
export function bf16Value(bits: number): number {
  u32[0] = (bits & 0xffff) << 16;
  return f32[0];
}

/** x rounded to bf16, as a number. */
export function roundBf16(x: number): number {
  return bf16Value(bf16Bits(x));
}

/** y[i] = x[i] rounded to bf16 (y may be x). */
export function roundBf16Array(x: ArrayLike<number>, y: { [i: number]: number; length: number }): void {
  if (y.length < x.length) throw new RangeError(`bf16Round: argument 'y' has ${y.length} elements, needs ${x.length}`);
  for (let i = 0; i < x.length; i++) y[i] = roundBf16(x[i]);
}
