// The x86 SGEMM kernel body shared by gemm_avx2.cc and gemm_avx512.cc: the register-tiled micro-kernel, its
// epilogue (alpha, beta, bias, activation fused into the tile's write-back), the packing of B, the sweep of one
// cache block and the row finisher. Each file includes this header inside its own anonymous namespace and under
// its own `#pragma GCC target`, after defining
//   - V: its vector traits (the register and mask types, VEC floats per register, and the operations below:
//     zero, set1, bcast, load, loadu, store, storeu, tail, load_part, store_part, fmadd, mul, add, plus
//     what simd_math.h's vector section needs for the activations);
//   - MR, NV (micro-tile rows and vectors per row), KC, NC (cache blocking), DIRECT_B_MAX_ROWS and
//     DIRECT_B_MAX_C_BYTES (KernelSet's direct_b_max_rows and direct_b_max_c_bytes) and pack_a (A's packing).
// Each lane computes the same operations in the same order as before this code was shared, so results are
// unchanged bit for bit.
#ifndef RL_GEMM_TILE_H
#define RL_GEMM_TILE_H
#else
#error "gemm_tile.h is included once per kernel file"
#endif

constexpr int VEC = V::VEC;
constexpr int NR = NV * VEC;

#define RL_VEC_TRAITS_PASS  // (the including file has included simd_math.h already, outside any namespace)
#include "simd_math.h"
#undef RL_VEC_TRAITS_PASS

using reg = V::reg;
using mask = V::mask;

// C[0..rows, 0..nv*VEC] = act(alpha * tile + beta * C + bias); tile rows are nv*VEC floats; the last vector holds
// lastcols columns.
__attribute__((noinline)) void store_tile(int rows, int nv, const float* tile, float* c, long ldc, long lastcols,
                                          const Epilogue& e) {
  const reg alpha = V::set1(e.alpha);
  const reg beta = V::set1(e.beta);
  const mask mlast = V::tail(lastcols);
  const bool full = lastcols >= VEC;
  for (int i = 0; i < rows; ++i, c += ldc, tile += nv * VEC) {
    for (int v = 0; v < nv; ++v) {
      const bool whole = v < nv - 1 || full;
      reg x = V::mul(V::load(tile + v * VEC), alpha);
      if (e.beta != 0.0f) x = V::fmadd(beta, whole ? V::loadu(c + v * VEC) : V::load_part(c + v * VEC, mlast), x);
      if (e.bias) x = V::add(x, whole ? V::loadu(e.bias + v * VEC) : V::load_part(e.bias + v * VEC, mlast));
      if (e.act != ACT_LINEAR) x = act_v<V>(e.act, x);
      if (whole) V::storeu(c + v * VEC, x);
      else V::store_part(c + v * VEC, mlast, x);
    }
  }
}

// One micro-tile's operands. op(A)[i, p] is a[i * ais + p * aks] (a packed panel: ais = 1, aks = MR);
// B's row p is b + p * bks; the last vector holds lastcols columns of C (and of B when read in place).
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

// C[0..R, 0..NVT*VEC] = epilogue(op(A) panel * B panel) over kc steps. With MASKB the last vector of B is loaded
// under the tail mask (B read in place, whose rows may end there). AROWS reads A along its rows (ais = lda,
// aks = 1: row-major A used in place), otherwise with compile-time offsets i from a pointer stepping by aks.
template <int R, int NVT, bool MASKB, bool AROWS>
void kernel(const Tile& t, const Epilogue& e) {
  const long kc = t.kc, bks = t.bks, aks = t.aks;
  const mask mlast = V::tail(t.lastcols);
  const float* b = t.b;
  const float* a = t.a;
  const float* ar[R];
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i) ar[i] = t.a + i * t.ais;
  // Fetch the C tile now so the epilogue does not wait for it (it lives in L3 or memory for big products).
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 8
    for (int v = 0; v < NVT; ++v) _mm_prefetch((const char*)(t.c + i * t.ldc + v * VEC), _MM_HINT_T0);
  reg acc[R][NVT];
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 8
    for (int v = 0; v < NVT; ++v) acc[i][v] = V::zero();

#pragma GCC unroll 4
  for (long p = 0; p < kc; ++p) {
    reg bv[NVT];
#pragma GCC unroll 8
    for (int v = 0; v < NVT; ++v)
      bv[v] = (MASKB && v == NVT - 1) ? V::load_part(b + v * VEC, mlast) : V::loadu(b + v * VEC);
#pragma GCC unroll 8
    for (int i = 0; i < R; ++i) {
      const reg ai = V::bcast(AROWS ? ar[i] + p : a + i);
#pragma GCC unroll 8
      for (int v = 0; v < NVT; ++v) acc[i][v] = V::fmadd(ai, bv[v], acc[i][v]);
    }
    if (!AROWS) a += aks;
    b += bks;
  }

#ifdef RL_GEMM_REG_EPILOGUE
  // (A kernel file that defines RL_GEMM_REG_EPILOGUE, gemm_avx2.cc.) A whole tile with alpha 1, beta 0 or 1 and no
  // activation but ReLU is written straight from the registers, with the operations store_tile does for these values
  // (acc * 1 and 1 * C are exact, so acc + C is its fmadd): the same bits without the round trip through the stack
  // and the call.
  if (!MASKB && t.lastcols >= VEC && e.alpha == 1.0f && (e.beta == 0.0f || e.beta == 1.0f) &&
      (e.act == ACT_LINEAR || e.act == ACT_RELU)) {
    const bool add_c = e.beta != 0.0f, relu = e.act == ACT_RELU;
    const float* const bias = e.bias;
#pragma GCC unroll 8
    for (int i = 0; i < R; ++i)
#pragma GCC unroll 8
      for (int v = 0; v < NVT; ++v) {
        float* const c = t.c + i * t.ldc + v * VEC;
        reg x = acc[i][v];
        if (add_c) x = V::add(x, V::loadu(c));
        if (bias) x = V::add(x, V::loadu(bias + v * VEC));
        if (relu) x = V::keep_nan(x, V::max(x, V::zero()));
        V::storeu(c, x);
      }
    return;
  }
#endif
  // The epilogue works from memory: kept in registers it would compete with the accumulators (GCC then spills
  // one of them inside the k loop).
  alignas(64) float tile[R][NVT * VEC];
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 8
    for (int v = 0; v < NVT; ++v) V::store(tile[i] + v * VEC, acc[i][v]);
  store_tile(R, NVT, &tile[0][0], t.c, t.ldc, t.lastcols, e);
}

using KernelFn = void (*)(const Tile&, const Epilogue&);

// kernels.f[R - 1][NVT - 1][MASKB][AROWS], filled at compile time: a constructor run at load would be compiled
// under this file's target and could use its instructions before the ISA probe has chosen the path (on a CPU
// without AVX-512, gemm_avx512.cc's table filled at load stopped the process with an illegal instruction).
struct Kernels {
  KernelFn f[MR][NV][2][2] = {};
  constexpr Kernels() { fill<1, 1>(); }
  template <int R, int NVT>
  constexpr void fill() {
    if constexpr (R <= MR) {
      if constexpr (NVT <= NV) {
        auto& k = f[R - 1][NVT - 1];
        k[0][0] = &kernel<R, NVT, false, false>, k[0][1] = &kernel<R, NVT, false, true>;
        k[1][0] = &kernel<R, NVT, true, false>, k[1][1] = &kernel<R, NVT, true, true>;
        fill<R, NVT + 1>();
      } else {
        fill<R + 1, 1>();
      }
    }
  }
};
constexpr Kernels kernels_{};

// A one-row panel (m == 1, or a block's last row) with B read in place gets a single-row tile up to ROW_NV vectors
// wide: ROW_NV independent FMA chains instead of NV, which one row leaves waiting on FMA latency (a batch-1
// predict's projections and dense heads). It is the same kernel, so each lane still sums over k in ascending order
// from zero with one FMA per k and store_tile finishes it: the tiled path's bits.
constexpr int ROW_NV = 8;
constexpr long ROW_NR = ROW_NV * VEC;

// row_kernels_.f[NVT - 1][MASKB][AROWS], filled at compile time (as kernels_).
struct RowKernels {
  KernelFn f[ROW_NV][2][2] = {};
  constexpr RowKernels() { fill<1>(); }
  template <int NVT>
  constexpr void fill() {
    if constexpr (NVT <= ROW_NV) {
      auto& k = f[NVT - 1];
      k[0][0] = &kernel<1, NVT, false, false>, k[0][1] = &kernel<1, NVT, false, true>;
      k[1][0] = &kernel<1, NVT, true, false>, k[1][1] = &kernel<1, NVT, true, true>;
      fill<NVT + 1>();
    }
  }
};
constexpr RowKernels row_kernels_{};

void pack_b(bool tb, const float* B, long ldb, long kc, long nc, float* dst) {
  for (long j0 = 0; j0 < nc; j0 += NR) {
    const long cols = nc - j0 < NR ? nc - j0 : NR;
    const long w = (cols + VEC - 1) / VEC * VEC;
    float* d = dst + j0 * kc;
    if (!tb) {
      const float* s = B + j0;
      const mask m = V::tail(cols - (w - VEC));
      for (long p = 0; p < kc; ++p, s += ldb, d += w) {
        long v = 0;
        for (; v + VEC < w; v += VEC) V::storeu(d + v, V::loadu(s + v));
        V::storeu(d + v, V::load_part(s + v, m));
      }
    } else {
      // Columns of op(B) are rows of B: transpose them; lanes past cols (up to w) must read as zeros.
      if (cols < w) std::memset(d, 0, sizeof(float) * w * kc);
      x86::transpose_pack(B + j0 * ldb, ldb, cols, kc, d, w);
    }
  }
}

void block(const Block& k) {
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
    const bool one_row = rows == 1 && !k.b_packed;
    const long width = one_row ? ROW_NR : NR;
    for (long j0 = 0; j0 < k.n; j0 += width) {
      const long cols = k.n - j0 < width ? k.n - j0 : width;
      const int nv = (int)((cols + VEC - 1) / VEC);
      t.lastcols = cols - (nv - 1) * VEC;
      t.b = k.b_packed ? k.B + j0 * k.kc : k.B + j0;
      t.bks = k.b_packed ? nv * VEC : k.ldb;
      t.c = k.C + i0 * k.ldc + j0;
      const bool maskb = !k.b_packed && t.lastcols < VEC;
      Epilogue e = k.epi;
      if (e.bias) e.bias += j0;
      (one_row ? row_kernels_.f[nv - 1][maskb][arows] : kernels_.f[rows - 1][nv - 1][maskb][arows])(t, e);
    }
  }
}

void finish_row(long n, const float* src, float beta, const float* bias, int act, float* c) {
  const reg vb = V::set1(beta);
  for (long j = 0; j < n; j += VEC) {
    const bool whole = j + VEC <= n;
    const mask m = V::tail(n - j);
    auto in = [&](const float* p) { return whole ? V::loadu(p) : V::load_part(p, m); };
    reg x = src ? in(src + j) : V::zero();
    if (beta != 0.0f) x = V::fmadd(vb, in(c + j), x);
    if (bias) x = V::add(x, in(bias + j));
    x = act_v<V>(act, x);
    if (whole) V::storeu(c + j, x);
    else V::store_part(c + j, m, x);
  }
}

const KernelSet kSet = {V::name, MR, NR, VEC, KC, NC, DIRECT_B_MAX_ROWS, DIRECT_B_MAX_C_BYTES,
                        pack_b, block, finish_row};

const bool registered = register_family(V::isa, kFamilyGemm, [](KernelTable& t) { t.gemm = &kSet; });
