// AVX-512 SGEMM kernels: an 8 x 48 micro-tile (24 zmm accumulators, 3 B vectors and a broadcast of A live at
// once, within the 32 registers) reading A and B packed or in place, masked loads and stores at the right edge,
// and the epilogue (alpha, beta, bias, activation) fused into the tile's write-back. Only the functions here are
// compiled for AVX-512; the driver calls them after checking the CPU.
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

#define RL_AVX512 __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")))

namespace rl {
namespace gemm {
namespace {

constexpr int VEC = 16;
constexpr int MR = 8;
constexpr int NV = 3;  // vectors per micro-tile row
constexpr int NR = NV * VEC;
// An 8 x 512 A panel (16 KB) stays in L1 and a 512 x 480 B block (under 1 MB) in L2. Measured on Zen 5, a deep
// kc = 512 beats 256 by a few percent on large products and by 10-20% when n is small (one k slice, so C is
// written once); the B block then nearly fills a 1 MB L2, which still measured best.
constexpr long KC = 512;
constexpr long NC = 480;

// ---------------------------------------------------------------- activations on 16 floats

// e^x: x = n ln2 + r with |r| <= ln2 / 2, Cephes' polynomial for e^r (about 1 ulp), and vscalefps for 2^n.
// The clamp keeps r accurate; beyond it e^x is 0 or inf anyway. min/max take x as their second operand so a
// NaN passes through.
RL_AVX512 inline __m512 exp16(__m512 x) {
  x = _mm512_min_ps(_mm512_set1_ps(89.0f), _mm512_max_ps(_mm512_set1_ps(-104.0f), x));
  __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                  _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 y = _mm512_set1_ps(1.9875691500e-4f);
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(1.3981999507e-3f));
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(8.3334519073e-3f));
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(4.1665795894e-2f));
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(1.6666665459e-1f));
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(5.0000001201e-1f));
  y = _mm512_fmadd_ps(y, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
  return _mm512_scalef_ps(y, n);
}

RL_AVX512 inline __m512 sigmoid16(__m512 x) {
  const __m512 one = _mm512_set1_ps(1.0f);
  return _mm512_div_ps(one, _mm512_add_ps(one, exp16(_mm512_sub_ps(_mm512_setzero_ps(), x))));
}

// tanh: an odd polynomial below |x| = 0.625 (Cephes), 1 - 2 / (e^2|x| + 1) above (no cancellation there).
RL_AVX512 inline __m512 tanh16(__m512 x) {
  const __m512 sign = _mm512_castsi512_ps(_mm512_set1_epi32((int)0x80000000u));
  __m512 a = _mm512_andnot_ps(sign, x);
  __m512 z = _mm512_mul_ps(a, a);
  __m512 p = _mm512_set1_ps(-5.70498872745e-3f);
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(2.06390887954e-2f));
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(-5.37397155531e-2f));
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(1.33314422036e-1f));
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(-3.33332819422e-1f));
  __m512 small = _mm512_fmadd_ps(_mm512_mul_ps(p, z), a, a);
  const __m512 one = _mm512_set1_ps(1.0f);
  __m512 big = _mm512_sub_ps(one, _mm512_div_ps(_mm512_set1_ps(2.0f), _mm512_add_ps(exp16(_mm512_add_ps(a, a)), one)));
  __mmask16 is_small = _mm512_cmp_ps_mask(a, _mm512_set1_ps(0.625f), _CMP_LT_OQ);
  __m512 t = _mm512_mask_blend_ps(is_small, big, small);
  return _mm512_or_ps(t, _mm512_and_ps(x, sign));
}

RL_AVX512 inline __m512 act16(int act, __m512 v) {
  switch (act) {
    // max/min return their second operand for a NaN: blend NaN back in, so it propagates as in the pointwise kernels.
    case ACT_RELU: return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q), _mm512_max_ps(v, _mm512_setzero_ps()), v);
    case ACT_SIGMOID: return sigmoid16(v);
    case ACT_TANH: return tanh16(v);
    case ACT_HARD_SIGMOID:
      return _mm512_mask_blend_ps(
          _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q),
          _mm512_min_ps(_mm512_max_ps(_mm512_fmadd_ps(v, _mm512_set1_ps(0.2f), _mm512_set1_ps(0.5f)), _mm512_setzero_ps()),
                        _mm512_set1_ps(1.0f)),
          v);
    default: return v;
  }
}

RL_AVX512 inline __mmask16 tail_mask(long cols) {
  return cols >= VEC ? (__mmask16)0xFFFF : (__mmask16)((1u << cols) - 1u);
}

// ---------------------------------------------------------------- micro-kernel

// C[0..rows, 0..nv*16] = act(alpha * tile + beta * C + bias); tile rows are nv*16 floats; mlast masks the last
// vector's columns.
RL_AVX512 __attribute__((noinline)) void store_tile(int rows, int nv, const float* tile, float* c, long ldc,
                                                    __mmask16 mlast, const Epilogue& e) {
  const __m512 alpha = _mm512_set1_ps(e.alpha);
  const __m512 beta = _mm512_set1_ps(e.beta);
  const bool full = mlast == (__mmask16)0xFFFF;
  for (int i = 0; i < rows; ++i, c += ldc, tile += nv * VEC) {
    for (int v = 0; v < nv; ++v) {
      const bool whole = v < nv - 1 || full;
      const __mmask16 m = whole ? (__mmask16)0xFFFF : mlast;
      __m512 x = _mm512_mul_ps(_mm512_load_ps(tile + v * VEC), alpha);
      if (e.beta != 0.0f) x = _mm512_fmadd_ps(beta, _mm512_maskz_loadu_ps(m, c + v * VEC), x);
      if (e.bias) x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(m, e.bias + v * VEC));
      if (e.act != ACT_LINEAR) x = act16(e.act, x);
      if (whole) _mm512_storeu_ps(c + v * VEC, x);
      else _mm512_mask_storeu_ps(c + v * VEC, m, x);
    }
  }
}

// One micro-tile's operands. op(A)[i, p] is a[i * ais + p * aks] (a packed panel: ais = 1, aks = MR);
// B's row p is b + p * bks; mlast masks the last vector's columns (C, and B when read in place, end there).
struct Tile {
  long kc;
  const float* a;
  long ais, aks;
  const float* b;
  long bks;
  float* c;
  long ldc;
  __mmask16 mlast;
};

// C[0..R, 0..V*16] = epilogue(op(A) panel * B panel) over kc steps. With MASKB the last vector of B is loaded
// under mlast (B read in place, whose rows may end there). AROWS reads A along its rows (ais = lda, aks = 1:
// row-major A used in place), otherwise with compile-time offsets i from a pointer stepping by aks.
template <int R, int V, bool MASKB, bool AROWS>
RL_AVX512 void kernel(const Tile& t, const Epilogue& e) {
  const long kc = t.kc, bks = t.bks, aks = t.aks;
  const __mmask16 mlast = t.mlast;
  const float* b = t.b;
  const float* a = t.a;
  const float* ar[R];
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i) ar[i] = t.a + i * t.ais;
  // Fetch the C tile now so the epilogue does not wait for it (it lives in L3 or memory for big products).
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) _mm_prefetch((const char*)(t.c + i * t.ldc + v * VEC), _MM_HINT_T0);
  __m512 acc[R][V];
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) acc[i][v] = _mm512_setzero_ps();

#pragma GCC unroll 4
  for (long p = 0; p < kc; ++p) {
    __m512 bv[V];
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v)
      bv[v] = (MASKB && v == V - 1) ? _mm512_maskz_loadu_ps(mlast, b + v * VEC) : _mm512_loadu_ps(b + v * VEC);
#pragma GCC unroll 8
    for (int i = 0; i < R; ++i) {
      const __m512 ai = _mm512_set1_ps(AROWS ? ar[i][p] : a[i]);
#pragma GCC unroll 4
      for (int v = 0; v < V; ++v) acc[i][v] = _mm512_fmadd_ps(ai, bv[v], acc[i][v]);
    }
    if (!AROWS) a += aks;
    b += bks;
  }

  // The epilogue works from memory: kept in registers it would compete with the accumulators, and GCC then
  // spills one of them inside the k loop.
  alignas(64) float tile[R][V * VEC];
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) _mm512_store_ps(tile[i] + v * VEC, acc[i][v]);
  store_tile(R, V, &tile[0][0], t.c, t.ldc, mlast, e);
}

using KernelFn = void (*)(const Tile&, const Epilogue&);

// kKernels[R - 1][V - 1][MASKB][AROWS]
template <int R, int V>
struct Entry {
  static constexpr KernelFn f[2][2] = {{&kernel<R, V, false, false>, &kernel<R, V, false, true>},
                                       {&kernel<R, V, true, false>, &kernel<R, V, true, true>}};
};
#define RL_ROW(R)                                                                                       \
  {                                                                                                     \
    {{Entry<R, 1>::f[0][0], Entry<R, 1>::f[0][1]}, {Entry<R, 1>::f[1][0], Entry<R, 1>::f[1][1]}},       \
        {{Entry<R, 2>::f[0][0], Entry<R, 2>::f[0][1]}, {Entry<R, 2>::f[1][0], Entry<R, 2>::f[1][1]}},   \
        {{Entry<R, 3>::f[0][0], Entry<R, 3>::f[0][1]}, {Entry<R, 3>::f[1][0], Entry<R, 3>::f[1][1]}}    \
  }
const KernelFn kKernels[MR][NV][2][2] = {RL_ROW(1), RL_ROW(2), RL_ROW(3), RL_ROW(4),
                                         RL_ROW(5), RL_ROW(6), RL_ROW(7), RL_ROW(8)};
#undef RL_ROW

// ---------------------------------------------------------------- packing

// dst[p * MR + i] = op(A)[i, p] for i < rows, p < kc.
RL_AVX512 void pack_a(bool ta, const float* A, long lda, long rows, long kc, float* dst) {
  if (!ta) {
    x86::transpose_pack(A, lda, rows, kc, dst, MR);
    return;
  }
  const __mmask8 m = (__mmask8)((1u << rows) - 1u);
  for (long p = 0; p < kc; ++p) _mm256_storeu_ps(dst + p * MR, _mm256_maskz_loadu_ps(m, A + p * lda));
}

RL_AVX512 void pack_b(bool tb, const float* B, long ldb, long kc, long nc, float* dst) {
  for (long j0 = 0; j0 < nc; j0 += NR) {
    const long cols = nc - j0 < NR ? nc - j0 : NR;
    const long w = (cols + VEC - 1) / VEC * VEC;
    float* d = dst + j0 * kc;
    if (!tb) {
      const float* s = B + j0;
      const __mmask16 m = tail_mask(cols - (w - VEC));
      for (long p = 0; p < kc; ++p, s += ldb, d += w) {
        long v = 0;
        for (; v + VEC < w; v += VEC) _mm512_storeu_ps(d + v, _mm512_loadu_ps(s + v));
        _mm512_storeu_ps(d + v, _mm512_maskz_loadu_ps(m, s + v));
      }
    } else {
      // Columns of op(B) are rows of B: transpose them; lanes past cols (up to w) must read as zeros.
      if (cols < w) std::memset(d, 0, sizeof(float) * w * kc);
      x86::transpose_pack(B + j0 * ldb, ldb, cols, kc, d, w);
    }
  }
}

// ---------------------------------------------------------------- block and epilogue

RL_AVX512 void block(const Block& k) {
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
      t.mlast = tail_mask(cols - (nv - 1) * VEC);
      t.b = k.b_packed ? k.B + j0 * k.kc : k.B + j0;
      t.bks = k.b_packed ? nv * VEC : k.ldb;
      t.c = k.C + i0 * k.ldc + j0;
      const bool maskb = !k.b_packed && t.mlast != (__mmask16)0xFFFF;
      Epilogue e = k.epi;
      if (e.bias) e.bias += j0;
      kKernels[rows - 1][nv - 1][maskb][arows](t, e);
    }
  }
}

RL_AVX512 void finish_row(long n, const float* src, float beta, const float* bias, int act, float* c) {
  const __m512 vb = _mm512_set1_ps(beta);
  for (long j = 0; j < n; j += VEC) {
    const __mmask16 m = tail_mask(n - j);
    __m512 x = src ? _mm512_maskz_loadu_ps(m, src + j) : _mm512_setzero_ps();
    if (beta != 0.0f) x = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m, c + j), x);
    if (bias) x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(m, bias + j));
    _mm512_mask_storeu_ps(c + j, m, act16(act, x));
  }
}

const KernelSet kSet = {"avx512", MR, NR, VEC, KC, NC, pack_b, block, finish_row};

const bool registered = register_family(Isa::avx512, kFamilyGemm, [](KernelTable& t) { t.gemm = &kSet; });

}  // namespace

}  // namespace gemm
}  // namespace rl

#endif
