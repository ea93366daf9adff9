// Portable SGEMM kernels for CPUs without AVX2 (and every non-x86 CPU, e.g. Apple silicon): the same blocked
// scheme with a micro-tile written in GCC/Clang vector extensions (4 floats, i.e. SSE or NEON registers), so it
// needs no intrinsics. aarch64 has 32 vector registers and gets an 8 x 12 tile; elsewhere 6 x 8 fits in 16.
#include "dispatch.h"
#include "gemm_kernels.h"

#include <cmath>
#include <cstring>

#include "common.h"
#include "simd_math.h"

namespace rl {
namespace gemm {
namespace {

constexpr int VEC = 4;
#if defined(__aarch64__) || defined(__ARM_NEON)
constexpr int MR = 8;
constexpr int NV = 3;
#else
constexpr int MR = 6;
constexpr int NV = 2;
#endif
constexpr int NR = NV * VEC;
constexpr long KC = 256;
constexpr long NC = 512;

#if defined(__GNUC__) || defined(__clang__)
typedef float v4 __attribute__((vector_size(16)));
#define RL_UNROLL _Pragma("GCC unroll 8")
#else
struct v4 {  // plain fallback for other compilers
  float x[4];
  float& operator[](int i) { return x[i]; }
  v4 operator*(const v4& o) const { v4 r; for (int i = 0; i < 4; ++i) r.x[i] = x[i] * o.x[i]; return r; }
  v4 operator+(const v4& o) const { v4 r; for (int i = 0; i < 4; ++i) r.x[i] = x[i] + o.x[i]; return r; }
};
#define RL_UNROLL
#endif

inline v4 load4(const float* p) {
  v4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store4(float* p, v4 v) { std::memcpy(p, &v, sizeof v); }
#if defined(__GNUC__) || defined(__clang__)
inline v4 splat(float x) { return (v4){x, x, x, x}; }
#else
inline v4 splat(float x) { return v4{{x, x, x, x}}; }
#endif

inline float act1(int act, float v) {
  switch (act) {
    case ACT_RELU: return relu(v);
    case ACT_SIGMOID: return v < kSigmoidZeroBelow ? 0.0f : 1.0f / (1.0f + std::exp(-v));
    case ACT_TANH: return std::tanh(v);
    case ACT_HARD_SIGMOID: {
      return hard_sigmoid(v);
    }
    default: return v;
  }
}

// C[0..R, 0..cols] = epilogue(op(A) panel * B panel), cols <= NVT * VEC; op(A)[i, p] is a[i * ais + p * aks] (a
// packed panel or A in place), B's row p is b + p * bks. With EDGE (a narrower panel) B's row may end early (when
// read in place), so its loads go through a zero-padded copy, and C is written element by element.
template <int R, int NVT, bool EDGE>
void kernel(long kc, const float* a, long ais, long aks, const float* b, long bks, float* c, long ldc, long cols,
            const Epilogue& e) {
  constexpr int W = NVT * VEC;
  v4 acc[R][NVT];
  RL_UNROLL for (int i = 0; i < R; ++i) RL_UNROLL for (int v = 0; v < NVT; ++v) acc[i][v] = splat(0.0f);
  for (long p = 0; p < kc; ++p) {
    v4 bv[NVT];
    if (EDGE) {
      float tmp[W] = {};
      std::memcpy(tmp, b, sizeof(float) * cols);
      RL_UNROLL for (int v = 0; v < NVT; ++v) bv[v] = load4(tmp + v * VEC);
    } else {
      RL_UNROLL for (int v = 0; v < NVT; ++v) bv[v] = load4(b + v * VEC);
    }
    RL_UNROLL for (int i = 0; i < R; ++i) {
      const v4 ai = splat(a[i * ais]);
      RL_UNROLL for (int v = 0; v < NVT; ++v) acc[i][v] = acc[i][v] + ai * bv[v];
    }
    a += aks;
    b += bks;
  }
  const long w = EDGE ? cols : W;
  for (int i = 0; i < R; ++i) {
    float row[W];
    RL_UNROLL for (int v = 0; v < NVT; ++v) store4(row + v * VEC, acc[i][v]);
    float* ci = c + i * ldc;
    for (long j = 0; j < w; ++j) {
      float x = e.alpha * row[j];
      if (e.beta != 0.0f) x += e.beta * ci[j];
      if (e.bias) x += e.bias[j];
      ci[j] = act1(e.act, x);
    }
  }
}

using KernelFn = void (*)(long, const float*, long, long, const float*, long, float*, long, long, const Epilogue&);

template <int R>
struct Entry {
  static constexpr KernelFn full = &kernel<R, NV, false>;
  static constexpr KernelFn edge = &kernel<R, NV, true>;
};
#define RL_ROW(R) {Entry<R>::full, Entry<R>::edge}
#if defined(__aarch64__) || defined(__ARM_NEON)
const KernelFn kKernels[MR][2] = {RL_ROW(1), RL_ROW(2), RL_ROW(3), RL_ROW(4), RL_ROW(5), RL_ROW(6), RL_ROW(7), RL_ROW(8)};
#else
const KernelFn kKernels[MR][2] = {RL_ROW(1), RL_ROW(2), RL_ROW(3), RL_ROW(4), RL_ROW(5), RL_ROW(6)};
#endif
#undef RL_ROW

// A one-row panel with B read in place: one row of ROW_NV vectors, ROW_NV independent add chains instead of NV (one
// row would wait on their latency); the same kernel, so each lane sums over k in the same order: the same bits.
constexpr int ROW_NV = 8;
constexpr long ROW_NR = ROW_NV * VEC;
const KernelFn kRowKernel = &kernel<1, ROW_NV, false>;

void pack_a(bool ta, const float* A, long lda, long rows, long kc, float* dst) {
  for (long p = 0; p < kc; ++p)
    for (long i = 0; i < rows; ++i) dst[p * MR + i] = ta ? A[p * lda + i] : A[i * lda + p];
}

void pack_b(bool tb, const float* B, long ldb, long kc, long nc, float* dst) {
  for (long j0 = 0; j0 < nc; j0 += NR) {
    const long cols = nc - j0 < NR ? nc - j0 : NR;
    const long w = (cols + VEC - 1) / VEC * VEC;
    float* d = dst + j0 * kc;
    for (long p = 0; p < kc; ++p, d += w) {
      for (long j = 0; j < cols; ++j) d[j] = tb ? B[(j0 + j) * ldb + p] : B[p * ldb + j0 + j];
      for (long j = cols; j < w; ++j) d[j] = 0.0f;
    }
  }
}

void block(const Block& k) {
  for (long i0 = 0; i0 < k.m; i0 += MR) {
    const long rows = k.m - i0 < MR ? k.m - i0 : MR;
    const float* a;
    long ais, aks;
    if (k.a_packed) {
      pack_a(k.ta, k.ta ? k.A + i0 : k.A + i0 * k.lda, k.lda, rows, k.kc, k.abuf);
      a = k.abuf, ais = 1, aks = MR;
    } else if (k.ta) {
      a = k.A + i0, ais = 1, aks = k.lda;
    } else {
      a = k.A + i0 * k.lda, ais = k.lda, aks = 1;
    }
    const bool one_row = rows == 1 && !k.b_packed;
    for (long j0 = 0, cols; j0 < k.n; j0 += cols) {
      // One row takes whole ROW_NR-wide panels; what is left, the usual NR-wide ones.
      const bool wide = one_row && k.n - j0 >= ROW_NR;
      cols = wide ? ROW_NR : k.n - j0 < NR ? k.n - j0 : NR;
      // A packed edge panel is zero-padded to whole vectors; its row stride is that padded width.
      const long w = (cols + VEC - 1) / VEC * VEC;
      const float* b = k.b_packed ? k.B + j0 * k.kc : k.B + j0;
      const long bks = k.b_packed ? w : k.ldb;
      Epilogue e = k.epi;
      if (e.bias) e.bias += j0;
      const KernelFn f = wide ? kRowKernel : kKernels[rows - 1][cols < NR];
      f(k.kc, a, ais, aks, b, bks, k.C + i0 * k.ldc + j0, k.ldc, cols, e);
    }
  }
}

void finish_row(long n, const float* src, float beta, const float* bias, int act, float* c) {
  for (long j = 0; j < n; ++j) {
    float x = src ? src[j] : 0.0f;
    if (beta != 0.0f) x += beta * c[j];
    if (bias) x += bias[j];
    c[j] = act1(act, x);
  }
}

// Not measured on their own: the limits the x86 kernels had before they became per kernel set.
constexpr long DIRECT_B_MAX_ROWS = 160;
constexpr double DIRECT_B_MAX_C_BYTES = kNoLimit;

const KernelSet kSet = {"portable", MR, NR, VEC, KC, NC, DIRECT_B_MAX_ROWS, DIRECT_B_MAX_C_BYTES, pack_b, block,
                        finish_row};

const bool registered = register_family(Isa::portable, kFamilyGemm, [](KernelTable& t) { t.gemm = &kSet; });

}  // namespace

}  // namespace gemm
}  // namespace rl
