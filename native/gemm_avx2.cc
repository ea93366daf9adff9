// AVX2 + FMA SGEMM kernels: the classic 6 x 16 micro-tile (12 ymm accumulators, 2 B vectors and a broadcast of
// A: 15 of the 16 registers) reading A and B packed or in place, masked loads and stores at the right edge, and
// the epilogue (alpha, beta, bias, activation) fused into the tile's write-back. Only the functions here are
// compiled for AVX2; the driver calls them after checking the CPU.
#include "dispatch.h"
#include "gemm_kernels.h"

#if RL_X86
#include <immintrin.h>

#include <cstring>

#include "common.h"
#include "gemm_x86.h"

#define RL_AVX2 RL_TARGET_AVX2

namespace rl {
namespace gemm {
namespace {

constexpr int VEC = 8;
constexpr int MR = 6;
constexpr int NV = 2;
constexpr int NR = NV * VEC;
constexpr long KC = 256;  // A panel 6 x 256 floats = 6 KB in L1
constexpr long NC = 512;  // B block 256 x 512 floats = 512 KB in L2

// ---------------------------------------------------------------- activations on 8 floats

// e^x as in the AVX-512 file, with 2^n built in the exponent field; the clamp keeps n within the normal range
// (e^x is then 1.6e38 at most and 1.6e-38 at least, which is what the activations below need).
RL_AVX2 inline __m256 exp8(__m256 x) {
  x = _mm256_min_ps(_mm256_set1_ps(88.0f), _mm256_max_ps(_mm256_set1_ps(-87.0f), x));
  __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                             _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 y = _mm256_set1_ps(1.9875691500e-4f);
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.3981999507e-3f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(8.3334519073e-3f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(4.1665795894e-2f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.6666665459e-1f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(5.0000001201e-1f));
  y = _mm256_fmadd_ps(y, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(y, _mm256_castsi256_ps(e));
}

RL_AVX2 inline __m256 sigmoid8(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  return _mm256_div_ps(one, _mm256_add_ps(one, exp8(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

RL_AVX2 inline __m256 tanh8(__m256 x) {
  const __m256 sign = _mm256_castsi256_ps(_mm256_set1_epi32((int)0x80000000u));
  __m256 a = _mm256_andnot_ps(sign, x);
  __m256 z = _mm256_mul_ps(a, a);
  __m256 p = _mm256_set1_ps(-5.70498872745e-3f);
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(2.06390887954e-2f));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(-5.37397155531e-2f));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(1.33314422036e-1f));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(-3.33332819422e-1f));
  __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(p, z), a, a);
  const __m256 one = _mm256_set1_ps(1.0f);
  __m256 big = _mm256_sub_ps(one, _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(exp8(_mm256_add_ps(a, a)), one)));
  __m256 t = _mm256_blendv_ps(big, small, _mm256_cmp_ps(a, _mm256_set1_ps(0.625f), _CMP_LT_OQ));
  return _mm256_or_ps(t, _mm256_and_ps(x, sign));
}

RL_AVX2 inline __m256 act8(int act, __m256 v) {
  switch (act) {
    // max/min return their second operand for a NaN: blend NaN back in, so it propagates as in the pointwise kernels.
    case ACT_RELU: return _mm256_blendv_ps(_mm256_max_ps(v, _mm256_setzero_ps()), v, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    case ACT_SIGMOID: return sigmoid8(v);
    case ACT_TANH: return tanh8(v);
    case ACT_HARD_SIGMOID:
      return _mm256_blendv_ps(
          _mm256_min_ps(_mm256_max_ps(_mm256_fmadd_ps(v, _mm256_set1_ps(0.2f), _mm256_set1_ps(0.5f)), _mm256_setzero_ps()),
                        _mm256_set1_ps(1.0f)),
          v, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    default: return v;
  }
}

// Lanes [0, cols) set (cols clipped to 8), as a vmaskmov mask.
RL_AVX2 inline __m256i tail_mask(long cols) {
  const int n = cols >= VEC ? VEC : (int)cols;
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// ---------------------------------------------------------------- micro-kernel

// C[0..rows, 0..nv*8] = act(alpha * tile + beta * C + bias); tile rows are nv*8 floats; the last vector holds
// lastcols columns.
RL_AVX2 __attribute__((noinline)) void store_tile(int rows, int nv, const float* tile, float* c, long ldc,
                                                  long lastcols, const Epilogue& e) {
  const __m256 alpha = _mm256_set1_ps(e.alpha);
  const __m256 beta = _mm256_set1_ps(e.beta);
  const __m256i mlast = tail_mask(lastcols);
  const bool full = lastcols >= VEC;
  for (int i = 0; i < rows; ++i, c += ldc, tile += nv * VEC) {
    for (int v = 0; v < nv; ++v) {
      const bool whole = v < nv - 1 || full;
      __m256 x = _mm256_mul_ps(_mm256_load_ps(tile + v * VEC), alpha);
      if (e.beta != 0.0f)
        x = _mm256_fmadd_ps(beta, whole ? _mm256_loadu_ps(c + v * VEC) : _mm256_maskload_ps(c + v * VEC, mlast), x);
      if (e.bias)
        x = _mm256_add_ps(x, whole ? _mm256_loadu_ps(e.bias + v * VEC) : _mm256_maskload_ps(e.bias + v * VEC, mlast));
      if (e.act != ACT_LINEAR) x = act8(e.act, x);
      if (whole) _mm256_storeu_ps(c + v * VEC, x);
      else _mm256_maskstore_ps(c + v * VEC, mlast, x);
    }
  }
}

// One micro-tile's operands, as in the AVX-512 file: op(A)[i, p] is a[i * ais + p * aks]; B's row p is
// b + p * bks; the last vector holds lastcols columns of C (and of B when read in place).
struct Tile {
  long kc;
  const float* a;
  long ais, aks;
  const float* b;
  long bks;
  float* c;
  long ldc;
  long lastcols;
};

template <int R, int V, bool MASKB, bool AROWS>
RL_AVX2 void kernel(const Tile& t, const Epilogue& e) {
  const long kc = t.kc, bks = t.bks, aks = t.aks;
  const __m256i mlast = tail_mask(t.lastcols);
  const float* b = t.b;
  const float* a = t.a;
  const float* ar[R];
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i) ar[i] = t.a + i * t.ais;
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) _mm_prefetch((const char*)(t.c + i * t.ldc + v * VEC), _MM_HINT_T0);
  __m256 acc[R][V];
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) acc[i][v] = _mm256_setzero_ps();

#pragma GCC unroll 4
  for (long p = 0; p < kc; ++p) {
    __m256 bv[V];
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v)
      bv[v] = (MASKB && v == V - 1) ? _mm256_maskload_ps(b + v * VEC, mlast) : _mm256_loadu_ps(b + v * VEC);
#pragma GCC unroll 8
    for (int i = 0; i < R; ++i) {
      const __m256 ai = _mm256_broadcast_ss(AROWS ? ar[i] + p : a + i);
#pragma GCC unroll 4
      for (int v = 0; v < V; ++v) acc[i][v] = _mm256_fmadd_ps(ai, bv[v], acc[i][v]);
    }
    if (!AROWS) a += aks;
    b += bks;
  }

  // With 16 registers the epilogue cannot share them with the accumulators: it works from memory.
  alignas(32) float tile[R][V * VEC];
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) _mm256_store_ps(tile[i] + v * VEC, acc[i][v]);
  store_tile(R, V, &tile[0][0], t.c, t.ldc, t.lastcols, e);
}

using KernelFn = void (*)(const Tile&, const Epilogue&);

// kKernels[R - 1][V - 1][MASKB][AROWS]
template <int R, int V>
struct Entry {
  static constexpr KernelFn f[2][2] = {{&kernel<R, V, false, false>, &kernel<R, V, false, true>},
                                       {&kernel<R, V, true, false>, &kernel<R, V, true, true>}};
};
#define RL_ROW(R)                                                                                   \
  {                                                                                                 \
    {{Entry<R, 1>::f[0][0], Entry<R, 1>::f[0][1]}, {Entry<R, 1>::f[1][0], Entry<R, 1>::f[1][1]}},   \
        {{Entry<R, 2>::f[0][0], Entry<R, 2>::f[0][1]}, {Entry<R, 2>::f[1][0], Entry<R, 2>::f[1][1]}} \
  }
const KernelFn kKernels[MR][NV][2][2] = {RL_ROW(1), RL_ROW(2), RL_ROW(3), RL_ROW(4), RL_ROW(5), RL_ROW(6)};
#undef RL_ROW

// ---------------------------------------------------------------- packing

RL_AVX2 void pack_a(bool ta, const float* A, long lda, long rows, long kc, float* dst) {
  if (!ta) {
    x86::transpose_pack(A, lda, rows, kc, dst, MR);
    return;
  }
  for (long p = 0; p < kc; ++p)
    for (long i = 0; i < rows; ++i) dst[p * MR + i] = A[p * lda + i];
}

RL_AVX2 void pack_b(bool tb, const float* B, long ldb, long kc, long nc, float* dst) {
  for (long j0 = 0; j0 < nc; j0 += NR) {
    const long cols = nc - j0 < NR ? nc - j0 : NR;
    const long w = (cols + VEC - 1) / VEC * VEC;
    float* d = dst + j0 * kc;
    if (!tb) {
      const float* s = B + j0;
      const __m256i m = tail_mask(cols - (w - VEC));
      for (long p = 0; p < kc; ++p, s += ldb, d += w) {
        long v = 0;
        for (; v + VEC < w; v += VEC) _mm256_storeu_ps(d + v, _mm256_loadu_ps(s + v));
        _mm256_storeu_ps(d + v, _mm256_maskload_ps(s + v, m));
      }
    } else {
      if (cols < w) std::memset(d, 0, sizeof(float) * w * kc);
      x86::transpose_pack(B + j0 * ldb, ldb, cols, kc, d, w);
    }
  }
}

// ---------------------------------------------------------------- block and epilogue

RL_AVX2 void block(const Block& k) {
  Tile t;
  t.kc = k.kc;
  t.ldc = k.ldc;
  for (long i0 = 0; i0 < k.m; i0 += MR) {
    const long rows = k.m - i0 < MR ? k.m - i0 : MR;
    bool arows = false;
    if (k.a_packed) {
      pack_a(k.ta, k.ta ? k.A + i0 : k.A + i0 * k.lda, k.lda, rows, k.kc, k.abuf);
      t.a = k.abuf, t.ais = 1, t.aks = MR;
    } else if (k.ta) {
      t.a = k.A + i0, t.ais = 1, t.aks = k.lda;
    } else {
      t.a = k.A + i0 * k.lda, t.ais = k.lda, t.aks = 1, arows = true;
    }
    for (long j0 = 0; j0 < k.n; j0 += NR) {
      const long cols = k.n - j0 < NR ? k.n - j0 : NR;
      const int nv = (int)((cols + VEC - 1) / VEC);
      t.lastcols = cols - (nv - 1) * VEC;
      t.b = k.b_packed ? k.B + j0 * k.kc : k.B + j0;
      t.bks = k.b_packed ? nv * VEC : k.ldb;
      t.c = k.C + i0 * k.ldc + j0;
      const bool maskb = !k.b_packed && t.lastcols < VEC;
      Epilogue e = k.epi;
      if (e.bias) e.bias += j0;
      kKernels[rows - 1][nv - 1][maskb][arows](t, e);
    }
  }
}

RL_AVX2 void finish_row(long n, const float* src, float beta, const float* bias, int act, float* c) {
  const __m256 vb = _mm256_set1_ps(beta);
  long j = 0;
  for (; j + VEC <= n; j += VEC) {
    __m256 x = src ? _mm256_loadu_ps(src + j) : _mm256_setzero_ps();
    if (beta != 0.0f) x = _mm256_fmadd_ps(vb, _mm256_loadu_ps(c + j), x);
    if (bias) x = _mm256_add_ps(x, _mm256_loadu_ps(bias + j));
    _mm256_storeu_ps(c + j, act8(act, x));
  }
  if (j < n) {
    const __m256i m = tail_mask(n - j);
    __m256 x = src ? _mm256_maskload_ps(src + j, m) : _mm256_setzero_ps();
    if (beta != 0.0f) x = _mm256_fmadd_ps(vb, _mm256_maskload_ps(c + j, m), x);
    if (bias) x = _mm256_add_ps(x, _mm256_maskload_ps(bias + j, m));
    _mm256_maskstore_ps(c + j, m, act8(act, x));
  }
}

const KernelSet kSet = {"avx2", MR, NR, VEC, KC, NC, pack_b, block, finish_row};

const bool registered = register_family(Isa::avx2, kFamilyGemm, [](KernelTable& t) { t.gemm = &kSet; });

}  // namespace

}  // namespace gemm
}  // namespace rl

#endif
