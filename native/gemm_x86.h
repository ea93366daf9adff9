// x86 helpers shared by the AVX2 and AVX-512 SGEMM kernels: 8 x 8 transposes for packing.
// Every function carries its own target attribute (the addon as a whole is built for the baseline CPU) and is
// static, so each kernel file gets a private copy and the linker never mixes code built for different targets.
#pragma once
#include "gemm_kernels.h"

#if RL_X86
#include <immintrin.h>

#define RL_TARGET_AVX2 __attribute__((target("avx2,fma")))

// The vector traits operations (gemm_tile.h) that AVX2 and AVX-512 spell alike but for the prefix P (_mm256,
// _mm512); used inside each file's traits struct, where `reg` is the register type.
#define RL_VEC_COMMON_OPS(P)                                                        \
  static reg zero() { return P##_setzero_ps(); }                                    \
  static reg set1(float x) { return P##_set1_ps(x); }                               \
  static reg load(const float* p) { return P##_load_ps(p); }                        \
  static reg loadu(const float* p) { return P##_loadu_ps(p); }                      \
  static void store(float* p, reg x) { P##_store_ps(p, x); }                        \
  static void storeu(float* p, reg x) { P##_storeu_ps(p, x); }                      \
  static reg fmadd(reg a, reg b, reg c) { return P##_fmadd_ps(a, b, c); }           \
  static reg fnmadd(reg a, reg b, reg c) { return P##_fnmadd_ps(a, b, c); }         \
  static reg mul(reg a, reg b) { return P##_mul_ps(a, b); }                         \
  static reg add(reg a, reg b) { return P##_add_ps(a, b); }                         \
  static reg sub(reg a, reg b) { return P##_sub_ps(a, b); }                         \
  static reg div(reg a, reg b) { return P##_div_ps(a, b); }                         \
  static reg min(reg a, reg b) { return P##_min_ps(a, b); }                         \
  static reg max(reg a, reg b) { return P##_max_ps(a, b); }                         \
  static reg and_(reg a, reg b) { return P##_and_ps(a, b); }                        \
  static reg or_(reg a, reg b) { return P##_or_ps(a, b); }                          \
  static reg andnot(reg a, reg b) { return P##_andnot_ps(a, b); }

namespace rl {
namespace gemm {
namespace x86 {

// In-register transpose of the 8 x 8 block r[0..7] (row i in r[i]).
static inline RL_TARGET_AVX2 void transpose8(__m256 r[8]) {
  __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
  __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
  __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
  __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
  __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  r[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
  r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
  r[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
  r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
  r[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
  r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
  r[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
  r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

// dst[c * ldd + r] = src[r * lds + c] for r < rows, c < cols (the packing of row-major A and of transposed B);
// requires ldd >= rows. Lanes [rows, min(ldd, round_up(rows, 8))) of each dst row are zeroed. Rows go in groups of
// 8 with full 8-float stores; when ldd < 8 (a single group) a store spills onto the start of the next dst row,
// which is written right after, and past the last row by up to 8 floats (the buffers keep that much slack).
static inline RL_TARGET_AVX2 void transpose_pack(const float* src, long lds, long rows, long cols, float* dst,
                                                 long ldd) {
  for (long r0 = 0; r0 < rows; r0 += 8) {
    const long nr = rows - r0 < 8 ? rows - r0 : 8;
    const float* s = src + r0 * lds;
    float* d = dst + r0;
    long c = 0;
    // A vector store covers lanes [r0, r0 + 8) of a dst row: fine when they fit in the row, or when this is
    // the only group (then a spill is overwritten by the next row); otherwise go scalar.
    const bool vec_ok = r0 + 8 <= ldd || r0 == 0;
    if (vec_ok && nr == 8) {
      for (; c + 8 <= cols; c += 8) {
        __m256 r[8];
        for (int i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(s + i * lds + c);
        transpose8(r);
        for (int i = 0; i < 8; ++i) _mm256_storeu_ps(d + (c + i) * ldd, r[i]);
      }
    } else if (vec_ok) {
      for (; c + 8 <= cols; c += 8) {
        __m256 r[8];
        for (int i = 0; i < 8; ++i) r[i] = i < nr ? _mm256_loadu_ps(s + i * lds + c) : _mm256_setzero_ps();
        transpose8(r);
        for (int i = 0; i < 8; ++i) _mm256_storeu_ps(d + (c + i) * ldd, r[i]);
      }
    }
    const long lanes = ldd - r0 < 8 ? ldd - r0 : 8;
    for (; c < cols; ++c) {
      float* dc = d + c * ldd;
      for (long i = 0; i < nr; ++i) dc[i] = s[i * lds + c];
      for (long i = nr; i < lanes; ++i) dc[i] = 0.0f;
    }
  }
}

}  // namespace x86
}  // namespace gemm
}  // namespace rl

#endif  // RL_X86
