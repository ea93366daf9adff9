// AVX-512 SGEMM kernels: an 8 x 48 micro-tile (24 zmm accumulators, 3 B vectors and a broadcast of A live at
// once, within the 32 registers). The tile, epilogue, packing and block sweep are gemm_tile.h's; this file gives
// the AVX-512 vector traits, the blocking and A's packing. Only this file's code is compiled for AVX-512; the
// kernel table (dispatch.h) picks it on CPUs that run it.
#include "dispatch.h"
#include "gemm_kernels.h"

#if RL_X86
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 flags the intrinsics' own `__m512 __Y = __Y;` (_mm512_undefined_ps) once they are inlined here.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cstring>

#include "common.h"
#include "gemm_x86.h"
#include "simd_math.h"

#pragma GCC push_options
#pragma GCC target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")

namespace rl {
namespace gemm {
namespace {

struct V {
  using reg = __m512;
  using mask = __mmask16;
  static constexpr int VEC = 16;
  static constexpr const char* name = "avx512";
  static constexpr Isa isa = Isa::avx512;
  // e^x is 0 below it anyway; vscalefps takes the whole range of n.
  static constexpr float kExpLo = -104.0f;
  static constexpr mask kAll = 0xFFFF;

  RL_VEC_COMMON_OPS(_mm512)
  static reg bcast(const float* p) { return _mm512_set1_ps(*p); }
  // Lanes [0, cols) (cols clipped to VEC).
  static mask tail(long cols) { return cols >= VEC ? kAll : (mask)((1u << cols) - 1u); }
  static reg load_part(const float* p, mask m) { return _mm512_maskz_loadu_ps(m, p); }
  static void store_part(float* p, mask m, reg x) { _mm512_mask_storeu_ps(p, m, x); }
  static reg round(reg x) { return _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static reg scale2(reg y, reg n) { return _mm512_scalef_ps(y, n); }
  static reg select_lt(reg a, reg b, reg x, reg y) { return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_LT_OQ), y, x); }
  static reg keep_nan(reg v, reg y) { return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q), y, v); }
};

constexpr int MR = 8;
constexpr int NV = 3;  // vectors per micro-tile row
// An 8 x 512 A panel (16 KB) stays in L1 and a 512 x 480 B block (under 1 MB) in L2. Measured on Zen 5, a deep
// kc = 512 beats 256 by a few percent on large products and by 10-20% when n is small (one k slice, so C is
// written once); the B block then nearly fills a 1 MB L2, which still measured best.
constexpr long KC = 512;
constexpr long NC = 480;
// Measured on Zen 5: a large B read in place beats packing it up to 160 rows of C.
constexpr long DIRECT_B_MAX_ROWS = 160;
// Not measured on an AVX-512 machine: a small B is read in place whatever the size of C, as before the limit existed.
constexpr double DIRECT_B_MAX_C_BYTES = kNoLimit;

// dst[p * MR + i] = op(A)[i, p] for i < rows, p < kc.
void pack_a(bool ta, const float* A, long lda, long rows, long kc, float* dst) {
  if (!ta) {
    x86::transpose_pack(A, lda, rows, kc, dst, MR);
    return;
  }
  const __mmask8 m = (__mmask8)((1u << rows) - 1u);
  for (long p = 0; p < kc; ++p) _mm256_storeu_ps(dst + p * MR, _mm256_maskz_loadu_ps(m, A + p * lda));
}

#include "gemm_tile.h"

}  // namespace
}  // namespace gemm
}  // namespace rl

#pragma GCC pop_options

#endif
