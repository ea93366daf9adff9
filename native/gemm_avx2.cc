// AVX2 + FMA SGEMM kernels: the classic 6 x 16 micro-tile (12 ymm accumulators, 2 B vectors and a broadcast of
// A: 15 of the 16 registers). The tile, epilogue, packing and block sweep are gemm_tile.h's; this file gives the
// AVX2 vector traits, the blocking and A's packing. Only this file's code is compiled for AVX2; the kernel table
// (dispatch.h) picks it on CPUs that run it.
#include "dispatch.h"
#include "gemm_kernels.h"

#if RL_X86
#include <immintrin.h>

#include <cstring>

#include "common.h"
#include "gemm_x86.h"
#include "simd_math.h"

#pragma GCC push_options
#pragma GCC target("avx2,fma")

namespace rl {
namespace gemm {
namespace {

struct V {
  using reg = __m256;
  using mask = __m256i;  // a vmaskmov mask
  static constexpr int VEC = 8;
  static constexpr const char* name = "avx2";
  static constexpr Isa isa = Isa::avx2;
  // Keeps 2^(n-1) (see scale2) a normal float; e^x of x below it is only ever added to 1.
  static constexpr float kExpLo = -86.0f;

  RL_VEC_COMMON_OPS(_mm256)
  static reg bcast(const float* p) { return _mm256_broadcast_ss(p); }
  // Lanes [0, cols) (cols clipped to VEC).
  static mask tail(long cols) {
    const int n = cols >= VEC ? VEC : (int)cols;
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static reg load_part(const float* p, mask m) { return _mm256_maskload_ps(p, m); }
  static void store_part(float* p, mask m, reg x) { _mm256_maskstore_ps(p, m, x); }
  static reg round(reg x) { return _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  // (2y) 2^(n-1): 2^n alone is inf at n = 128 (e^x for x up to kExpMax), and doubling first is exact, so every
  // other result is y 2^n bit for bit.
  static reg scale2(reg y, reg n) {
    return _mm256_mul_ps(_mm256_add_ps(y, y), _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(126)), 23)));
  }
  static reg select_lt(reg a, reg b, reg x, reg y) { return _mm256_blendv_ps(y, x, _mm256_cmp_ps(a, b, _CMP_LT_OQ)); }
  static reg keep_nan(reg v, reg y) { return _mm256_blendv_ps(y, v, _mm256_cmp_ps(v, v, _CMP_UNORD_Q)); }
};

constexpr int MR = 6;
constexpr int NV = 2;
constexpr long KC = 256;  // A panel 6 x 256 floats = 6 KB in L1
constexpr long NC = 512;  // B block 256 x 512 floats = 512 KB in L2
// A large B is packed for any product of two rows or more. Measured on Zen 2 (32 KB L1d, 512 KB L2), one thread,
// B of 50,000 x 250: packing beats reading it in place by 4-10 % at 2 rows, about a third at 4 to 16 and up to 15 %
// at 128 (the lab's dense heads, batch 128), and the LSTM's xᵀ·dxp (100 x 400 over k = 32,000) gains 12-17 %
// (docs/BENCHMARKS.md, Zen 2); one row keeps the in-place row kernel (it loses a third packed).
constexpr long DIRECT_B_MAX_ROWS = 1;
// A small B (k x n within 384 KB) read in place loses to a packed one once C outgrows 4 MB, measured on Zen 2 one
// core: x W of the LSTM (32,000 x 100 x 400, C 51 MB) +4-24 % packed, of the CNN+LSTM (16,000 x 32 x 400) -6..+27 %;
// SimpleRNN's 8,000 x 100 x 100 (C 3.2 MB) and smaller keep B in place. Level at two threads (docs/BENCHMARKS.md).
constexpr double DIRECT_B_MAX_C_BYTES = 4.0 * 1024 * 1024;

void pack_a(bool ta, const float* A, long lda, long rows, long kc, float* dst) {
  if (!ta) {
    x86::transpose_pack(A, lda, rows, kc, dst, MR);
    return;
  }
  for (long p = 0; p < kc; ++p)
    for (long i = 0; i < rows; ++i) dst[p * MR + i] = A[p * lda + i];
}

// The common epilogues (alpha 1, beta 0 or 1, bias, linear or ReLU) of a whole tile go from the accumulators to C
// without the stack tile and store_tile's call (gemm_tile.h); the same bits. On Zen 3 (one core, perf) the epilogue
// took 5.5 % of 2048^3's samples and 8.6 % of 32,000 x 100 x 400's, stalled on C's loads and stores behind the stack
// tile; register-direct, one core, alternating rounds against the previous build: 2048^3 +3-4.5 %, the LSTM's x W
// (k = 100) +3-15 %, the CNN+LSTM's 16,000 x 32 x 400 (k = 32) +13-35 %, dX (32,000 x 400 x 100, B transposed)
// +3.5-9 %, level at 64 x 200 x 400 and 128 x 50,000 x 250. GCC 12 keeps the k loops free of spills with it.
#define RL_GEMM_REG_EPILOGUE 1
#include "gemm_tile.h"

}  // namespace
}  // namespace gemm
}  // namespace rl

#pragma GCC pop_options

#endif
