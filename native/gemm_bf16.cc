// bf16 GEMM (bf16.h): packing, the AVX512-BF16 micro-kernel, the driver and the bindings gemmBf16, bf16Round
// and bf16Supported.
//
// Driver: B is rounded and packed once per call (in parallel, by panels), and so is op(A) unless the product fits one
// k block without streaming B: then each row panel of A (four at a time when A is transposed) is rounded as the
// sweep reaches it (gemm_lazy). Each thread takes a contiguous run of C's row panels (or column panels
// when there are few rows) and sweeps, per k block, its row panels (A panel in L1) across all column panels (the B
// block in L2). A product with at most kBlockPairs k pairs
// runs in one block and writes each tile through the epilogue straight from registers' copy; a deeper one keeps
// its raw sums in an fp32 workspace between blocks, which leaves the order of every sum unchanged.
#include <napi.h>

#include <algorithm>
#include <memory>
#include <new>
#include <string>
#include <type_traits>
#include <vector>

#include "bf16.h"
#include "common.h"
#include "dispatch.h"
#include "gemm_kernels.h"
#include "isa.h"
#include "kernel_util.h"
#include "threadpool.h"

#if RL_X86
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"  // GCC 12's headers: the unpacks' _mm512_undefined_epi32 operand
#endif
#include <immintrin.h>
#endif

namespace rl {
namespace bf16 {

namespace {
// Walks f's lines, asking one into L2 at every steps / lines-th call of step (a burst would stall on the misses).
class Fetcher {
 public:
  Fetcher(const Fetch& f, long steps)
      : f_(f), left_(f.lines()), every_(left_ > 0 ? std::max(1L, steps / left_) : 0), range_(f.first / f.range_lines),
        at_(f.first % f.range_lines) {}
  void step() {
    if (left_ <= 0 || --wait_ > 0) return;
    fetch_one();
    wait_ = every_;
  }
  // The lines the steps left over.
  void rest() {
    while (left_ > 0) fetch_one();
  }

 private:
  void fetch_one() {
    __builtin_prefetch(f_.p + range_ * f_.stride + at_ * 16, 0, 2);
    --left_;
    if (++at_ == f_.range_lines) at_ = 0, ++range_;
  }
  const Fetch f_;
  long left_, every_, range_, at_, wait_ = 1;
};

// Part `part` of `parts` of the dwords [p, p + n) (in whole lines), or of `ranges` such ranges `stride` dwords apart.
Fetch slice(const uint32_t* p, long n, long part, long parts, long ranges = 1, long stride = 0) {
  const long range_lines = (n + 15) / 16, lines = range_lines * ranges;
  return Fetch{p, lines * part / parts, lines * (part + 1) / parts, range_lines, stride};
}

// How far past a gathered group (floats) gather_cols fetches its stored rows.
constexpr long kGatherAhead = 64;

// Pairs [q0, q0 + qn) of op(A)'s rows r0 .. r0 + nrows (rows(p): stored row p of A, m floats, is op(A)'s column p),
// rounded into `to` (round_up(nrows, 16) rows of ld dwords; rows past m and pairs past qn hold leftovers that no
// stored sum reads) through tmp (qn x round_up(nrows, 16) dwords): each pair's row interleaved, then 16 x 16 blocks
// transposed, pack_a's roundings of the same floats.
void gather_cols(const KernelSet& K, Rows rows, long m, long k, long r0, long nrows, long q0, long qn, uint32_t* to,
                 long ld, uint32_t* tmp) {
  const long cols = std::min(nrows, m - r0), w = round_up(nrows, 16);
  // Each of the 2 qn stored rows is its own stream, too many for the hardware prefetcher: ask for the lines that a
  // group a little further on reads (the CNN head's dW, 50000 x 250 over 128: 12.4 -> 10.4 ms on one thread, a panel
  // at a time).
  const long ahead = r0 + w + kGatherAhead, fetch_end = std::min(m, ahead + w);
  for (long q = 0; q < qn; ++q) {
    const float* lo = rows(2 * (q0 + q));
    const float* hi = 2 * (q0 + q) + 1 < k ? rows(2 * (q0 + q) + 1) : nullptr;
    for (long c = ahead; c < fetch_end; c += 16) {
      if (lo) __builtin_prefetch(lo + c, 0, 3);
      if (hi) __builtin_prefetch(hi + c, 0, 3);
    }
    K.interleave(lo ? lo + r0 : nullptr, hi ? hi + r0 : nullptr, cols, tmp + q * w);
  }
  for (long q = 0; q < qn; q += 16)
    for (long c = 0; c < w; c += 16) K.transpose16(tmp + q * w + c, w, to + c * ld + q, ld);
}
}  // namespace

#if RL_X86
namespace {

// Loops start on 64-byte boundaries: where they start otherwise moves with every edit of this file, and the LSTM's
// dX (32000 x 100, k 400) was measured 3-5 % slower or faster from that alone.
#define RL_BF16 __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma,avx512bf16,prfchw"), \
                               optimize("align-loops=64")))

// 12 x 32 measured best on Zen 5 among 8x32, 8x48, 6x64, 10x32 and 12x32 (the input projection 32000 x 400 x 100:
// 11.9 -> 9.1 ms on one thread against 8x32): more rows share each B load, and 24 sums hide vdpbf16ps's latency.
// The tile shape leaves every sum's order, hence the bits, unchanged.
constexpr int MR = 12;
constexpr int NV = 2;
constexpr int NR = NV * 16;  // NV vectors of 16 fp32 sums

RL_BF16 inline __mmask16 tail16(long left) {
  return left >= 16 ? (__mmask16)0xffff : left <= 0 ? (__mmask16)0 : (__mmask16)((1u << left) - 1);
}

// MR x NU accumulators, NU B vectors and one broadcast pair of A live at once: a panel's first NU vectors of
// columns (NU = 1 for a last panel of at most 16 columns, whose other sums would be thrown away).
// FETCH: f has lines (a separate instantiation keeps the loop without them as it was).
template <int NU, bool FETCH>
RL_BF16 inline void accumulate(__m512 (&c)[MR][NV], const uint32_t* a, long lda, const uint32_t* b, long kp,
                               const Fetch& f) {
  Fetcher fetcher(f, kp);
  for (long q = 0; q < kp; ++q) {
    if (FETCH) fetcher.step();
    __m512bh bv[NU];
    for (int v = 0; v < NU; ++v) bv[v] = (__m512bh)_mm512_load_si512((const void*)(b + q * NR + 16 * v));
    for (int r = 0; r < MR; ++r) {
      const __m512bh ar = (__m512bh)_mm512_set1_epi32((int)a[r * lda + q]);
      for (int v = 0; v < NU; ++v) c[r][v] = _mm512_dpbf16_ps(c[r][v], ar, bv[v]);
    }
  }
  if (FETCH) fetcher.rest();
}

template <int NU, bool FETCH>
RL_BF16 void tile_n(const uint32_t* a, long lda, const uint32_t* b, long kp, float* acc, long ld, const Fetch& f = {}) {
  __m512 c[MR][NV];
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NU; ++v) c[r][v] = _mm512_loadu_ps(acc + r * ld + 16 * v);
  accumulate<NU, FETCH>(c, a, lda, b, kp, f);
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NU; ++v) _mm512_storeu_ps(acc + r * ld + 16 * v, c[r][v]);
}

RL_BF16 void tile_avx512(const uint32_t* a, long lda, const uint32_t* b, long kp, float* acc, long ld) {
  tile_n<NV, false>(a, lda, b, kp, acc, ld);
}

RL_BF16 void tile_cols_avx512(const uint32_t* a, long lda, const uint32_t* b, long kp, float* acc, long ld, long cols) {
  if (cols <= 16) tile_n<1, false>(a, lda, b, kp, acc, ld);
  else tile_n<NV, false>(a, lda, b, kp, acc, ld);
}

RL_BF16 void tile_cols_fetch_avx512(const uint32_t* a, long lda, const uint32_t* b, long kp, float* acc, long ld,
                                    long cols, const Fetch& f) {
  if (f.lines() <= 0) tile_cols_avx512(a, lda, b, kp, acc, ld, cols);
  else if (cols <= 16) tile_n<1, true>(a, lda, b, kp, acc, ld, f);
  else tile_n<NV, true>(a, lda, b, kp, acc, ld, f);
}

// Stores lanes m of act(alpha * c + beta * C + bias) at C (= cr, bias from column j of the tile) for act linear or
// relu: finish_row's arithmetic, operation for operation.
RL_BF16 inline void finish16(__m512 c, const TileOut& o, float* cr, long j, __mmask16 m) {
  __m512 x = o.alpha != 1.0f ? _mm512_mul_ps(_mm512_set1_ps(o.alpha), c) : c;
  if (o.beta != 0.0f) x = _mm512_fmadd_ps(_mm512_set1_ps(o.beta), _mm512_maskz_loadu_ps(m, cr), x);
  if (o.bias) x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(m, o.bias + j));
  // max returns its second operand for a NaN: blend NaN back in, as the fp32 epilogue does.
  if (o.act == ACT_RELU)
    x = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), _mm512_max_ps(x, _mm512_setzero_ps()), x);
  _mm512_mask_storeu_ps(cr, m, x);
}

// tile_avx512 from acc0's sums (or zeros), then C = act(alpha * acc + beta * C + bias) for linear and relu written
// straight from the registers: finish_row's arithmetic, operation for operation.
template <bool FETCH>
RL_BF16 void tile_c_n(const uint32_t* a, long lda, const uint32_t* b, long kp, const float* acc0, long ld0,
                      const TileOut& o, const Fetch& f) {
  __m512 c[MR][NV];
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) c[r][v] = acc0 ? _mm512_loadu_ps(acc0 + r * ld0 + 16 * v) : _mm512_setzero_ps();
  // Fetch the tile's lines of C for writing while the products run: a large C (the LSTM's input projection, 51 MB)
  // is not in cache, and its read-for-ownership would otherwise stall the stores below.
  for (long r = 0; r < o.rows; ++r) {
    for (long j = 0; j < o.cols; j += 16) __builtin_prefetch(o.C + r * o.ldc + j, 1, 3);
    __builtin_prefetch(o.C + r * o.ldc + o.cols - 1, 1, 3);
  }
  if (o.cols <= 16) accumulate<1, FETCH>(c, a, lda, b, kp, f);
  else accumulate<NV, FETCH>(c, a, lda, b, kp, f);
  __mmask16 m[NV];
  for (int v = 0; v < NV; ++v) m[v] = tail16(o.cols - 16 * v);
  for (int r = 0; r < MR && r < o.rows; ++r)
    for (int v = 0; v < NV; ++v)
      if (m[v]) finish16(c[r][v], o, o.C + r * o.ldc + v * 16, v * 16, m[v]);
}

RL_BF16 void tile_c_avx512(const uint32_t* a, long lda, const uint32_t* b, long kp, const float* acc0, long ld0,
                           const TileOut& o) {
  tile_c_n<false>(a, lda, b, kp, acc0, ld0, o, Fetch{});
}

RL_BF16 void tile_c_fetch_avx512(const uint32_t* a, long lda, const uint32_t* b, long kp, const float* acc0, long ld0,
                                 const TileOut& o, const Fetch& f) {
  tile_c_n<true>(a, lda, b, kp, acc0, ld0, o, f);
}

RL_BF16 void convert_avx512(const float* x, long n, uint16_t* y) {
  long i = 0;
  for (; i + 32 <= n; i += 32)
    _mm512_storeu_si512((void*)(y + i), (__m512i)_mm512_cvtne2ps_pbh(_mm512_loadu_ps(x + i + 16), _mm512_loadu_ps(x + i)));
  for (; i < n; i += 16) {
    const __mmask16 m = tail16(n - i);
    _mm256_mask_storeu_epi16((void*)(y + i), m, (__m256i)_mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(m, x + i)));
  }
}

// Word 2t takes x0[t] (words 0..15 of the conversion), word 2t + 1 takes x1[t] (words 16..31).
alignas(64) constexpr uint16_t kInterleave[32] = {0, 16, 1, 17, 2,  18, 3,  19, 4,  20, 5,  21, 6,  22, 7,  23,
                                                  8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31};

RL_BF16 void interleave_avx512(const float* x0, const float* x1, long n, uint32_t* y) {
  const __m512i idx = _mm512_load_si512((const void*)kInterleave);
  for (long j = 0; j < n; j += 16) {
    const __mmask16 m = tail16(n - j);
    const __m512 lo = x0 ? _mm512_maskz_loadu_ps(m, x0 + j) : _mm512_setzero_ps();
    const __m512 hi = x1 ? _mm512_maskz_loadu_ps(m, x1 + j) : _mm512_setzero_ps();
    const __m512i w = _mm512_permutexvar_epi16(idx, (__m512i)_mm512_cvtne2ps_pbh(hi, lo));
    _mm512_mask_storeu_epi32((void*)(y + j), m, w);
  }
}

// Four rounds of register shuffles: dwords, then dword pairs within 128-bit lanes, then lanes twice.
RL_BF16 void transpose16_avx512(const uint32_t* s, long lds, uint32_t* d, long ldd) {
  __m512i r[16], t[16];
  for (int i = 0; i < 16; ++i) r[i] = _mm512_loadu_si512((const void*)(s + i * lds));
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
  }
  for (int i = 0; i < 16; i += 4) {
    r[i] = _mm512_unpacklo_epi64(t[i], t[i + 2]);
    r[i + 1] = _mm512_unpackhi_epi64(t[i], t[i + 2]);
    r[i + 2] = _mm512_unpacklo_epi64(t[i + 1], t[i + 3]);
    r[i + 3] = _mm512_unpackhi_epi64(t[i + 1], t[i + 3]);
  }
  for (int h = 0; h < 16; h += 8)
    for (int i = 0; i < 4; ++i) {
      t[h + i] = _mm512_shuffle_i32x4(r[h + i], r[h + i + 4], 0x88);
      t[h + i + 4] = _mm512_shuffle_i32x4(r[h + i], r[h + i + 4], 0xdd);
    }
  for (int i = 0; i < 8; ++i) {
    r[i] = _mm512_shuffle_i32x4(t[i], t[i + 8], 0x88);
    r[i + 8] = _mm512_shuffle_i32x4(t[i], t[i + 8], 0xdd);
  }
  for (int i = 0; i < 16; ++i) _mm512_storeu_si512((void*)(d + i * ldd), r[i]);
}

// KernelSet::fitted: 5 rows x 5 vectors of 16 columns (25 sums in registers) cover 100 x 400 exactly, where the
// 12 x 32 tiles compute 108 x 416. Each sum is gemm_packed's (from zero, pair after pair, kept in an fp32 workspace
// between k blocks), so the bits are too.
namespace fitted {
constexpr int RM = 5, RV = 5;
constexpr long KB = 256;  // k pairs per block: a column group's 5 x 256 pairs of B (80 KB) serve all row tiles

// Sums over qn pairs: acc = from's (or zeros; rows wld apart) + a[r] . b[v]; into `to` (rows ld apart) raw, or
// through o's epilogue when o is given (rows < nrows, lanes cm[v]); fetching f's lines when FETCH.
// NV vectors of 16 columns (RV, or fewer for a thread's last group when the threads split the columns).
template <bool FETCH, int NV = RV>
RL_BF16 void tile(const uint32_t* const* a, const uint32_t* const* b, long nr, long qn, const float* from, long wld,
                  float* to, long ld, int nrows, const __mmask16* cm, const TileOut* o, long j0, const Fetch& f) {
  __m512 c[RM][NV];
#pragma GCC unroll 8
  for (int r = 0; r < RM; ++r)
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) c[r][v] = from ? _mm512_loadu_ps(from + r * wld + 16 * v) : _mm512_setzero_ps();
  Fetcher fetcher(f, qn);
  for (long q = 0; q < qn; ++q) {
    if (FETCH) fetcher.step();
    __m512bh bv[NV];
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) bv[v] = (__m512bh)_mm512_loadu_si512((const void*)(b[v] + q * nr));
#pragma GCC unroll 8
    for (int r = 0; r < RM; ++r) {
      const __m512bh av = (__m512bh)_mm512_set1_epi32((int)a[r][q]);
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) c[r][v] = _mm512_dpbf16_ps(c[r][v], av, bv[v]);
    }
  }
  if (FETCH) fetcher.rest();
  for (int r = 0; r < nrows; ++r)
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) {
      float* d = to + r * ld + 16 * v;
      if (!o) _mm512_mask_storeu_ps(d, cm[v], c[r][v]);
      else if (cm[v]) finish16(c[r][v], *o, d, j0 + 16 * v, cm[v]);
    }
}

RL_BF16 void gemm(const KernelSet& K, long M, long N, long Ksteps, const PackedA& A, const uint32_t* Bp, const TileOut& o) {
  const long kp = pairs(Ksteps), nr = K.nr, mp = round_up(M, K.mr);
  const long bvecs = (N + nr - 1) / nr * (nr / 16), nvec = (N + 15) / 16;
  const long ntiles = (M + RM - 1) / RM, ngroups = (nvec + RV - 1) / RV, wld = ngroups * RV * 16;
  float* work = kp > KB ? reinterpret_cast<float*>(scratch(3, (size_t)(ntiles * RM * wld))) : nullptr;
  const __mmask16 all[RV] = {0xffff, 0xffff, 0xffff, 0xffff, 0xffff};
  // B's panels of the nv vectors from v0 in the k block from q0 (qn pairs), fetched a slice per row tile during
  // the group before (its first row tile would otherwise wait on memory).
  auto group_b = [&](long v0, long nv, long q0, long qn, long part, long parts) {
    const long v1 = std::min(v0 + nv, bvecs);
    if (v0 >= v1) return Fetch{};
    const long p0 = v0 * 16 / nr, p1 = (v1 - 1) * 16 / nr + 1;
    return slice(Bp + (p0 * kp + q0) * nr, qn * nr, part, parts, p1 - p0, kp * nr);
  };
  // With more threads, each takes a run of column vectors across all row tiles when every thread gets a whole
  // group: each then streams only its share of B from memory, where a split of the row tiles has every thread read
  // all of B (the LSTM's dR and dW, 100 x 400 over 32000 steps: ~1.6x from 1 to 2 threads, not ~2x, against 5 x 5
  // tiles at the edge of a share: 13 + 12 vectors as 5 + 5 + 3 and 5 + 5 + 2).
  const int nthreads = num_threads();
  const bool by_cols = nthreads > 1 && nvec >= (long)nthreads * RV;
  auto body = [&](int tid, int nth) {
    long t0 = 0, t1 = ntiles, tv0 = 0, tv1 = ngroups * RV;
    if (by_cols) split_range(nvec, tid, nth, 1, &tv0, &tv1);
    else split_range(ntiles, tid, nth, 1, &t0, &t1);
    for (long q0 = 0; q0 < kp; q0 += KB) {
      const long qn = std::min(KB, kp - q0);
      const bool last = q0 + qn >= kp;
      for (long gv = tv0; gv < tv1; gv += RV) {
        const int nv = (int)std::min<long>(RV, tv1 - gv);
        const long j0 = gv * 16;
        const uint32_t* b[RV];
        __mmask16 cm[RV];
        for (int v = 0; v < RV; ++v) {
          const long vec = gv + v, at = vec < bvecs ? vec * 16 : 0;  // past B's panels: any vector, not stored
          b[v] = Bp + (at / nr * kp + q0) * nr + at % nr;
          cm[v] = tail16(N - 16 * vec);
        }
        const bool next_here = gv + RV < tv1, fetch = next_here || !last;
        const long nq0 = next_here ? q0 : q0 + qn, nqn = next_here ? qn : std::min(KB, kp - nq0);
        const long nv0 = next_here ? gv + RV : tv0, nnv = std::min<long>(RV, tv1 - nv0);
        for (long t = t0; t < t1; ++t) {
          const long i0 = t * RM;
          const uint32_t* a[RM];
          for (int r = 0; r < RM; ++r) a[r] = A.p + (i0 + r < mp ? i0 + r : 0) * A.ld + q0;
          const float* from = q0 > 0 ? work + i0 * wld + j0 : nullptr;
          const Fetch f = fetch ? group_b(nv0, nnv, nq0, nqn, t - t0, t1 - t0) : Fetch{};
          float* out = o.C + i0 * o.ldc + j0;
          const int rows = (int)std::min<long>(RM, M - i0);
          const auto run = [&](auto nvc) {
            constexpr int NV = decltype(nvc)::value;
            // Four call sites: the constant arguments of the raw ones let the compiler specialize them.
            if (last && f.lines() > 0) tile<true, NV>(a, b, nr, qn, from, wld, out, o.ldc, rows, cm, &o, j0, f);
            else if (last) tile<false, NV>(a, b, nr, qn, from, wld, out, o.ldc, rows, cm, &o, j0, f);
            else if (f.lines() > 0) tile<true, NV>(a, b, nr, qn, from, wld, work + i0 * wld + j0, wld, RM, all, nullptr, 0, f);
            else tile<false, NV>(a, b, nr, qn, from, wld, work + i0 * wld + j0, wld, RM, all, nullptr, 0, f);
          };
          switch (nv) {
            case 5: run(std::integral_constant<int, 5>{}); break;
            case 4: run(std::integral_constant<int, 4>{}); break;
            case 3: run(std::integral_constant<int, 3>{}); break;
            case 2: run(std::integral_constant<int, 2>{}); break;
            default: run(std::integral_constant<int, 1>{}); break;
          }
        }
      }
    }
  };
  if (nthreads > 1) parallel(body);
  else body(0, 1);
}
}  // namespace fitted

const KernelSet kAvx512 = {MR, NR, tile_avx512, tile_c_avx512, convert_avx512, interleave_avx512, transpose16_avx512,
                           tile_cols_avx512, fitted::gemm, tile_cols_fetch_avx512, tile_c_fetch_avx512};

// Registered in the avx512 table only: AVX2 and portable have no bf16 dot product, so the policy falls back there.
const bool registered =
    register_family(Isa::avx512, kFamilyBf16, [](KernelTable& t) { t.bf16 = &kAvx512; });

}  // namespace
#endif

const KernelSet* active() {
  if (!cpu_features().avx512bf16) return nullptr;
  return kernels().bf16;
}

namespace {

constexpr int kSlots = 5;
struct AlignedFree {
  void operator()(uint32_t* p) const { ::operator delete(p, std::align_val_t(64)); }
};
struct Slot {
  std::unique_ptr<uint32_t, AlignedFree> p;
  size_t cap = 0;
};
thread_local Slot t_slots[kSlots];
// Bounds of any kernel set's micro-tile, for stack buffers.
constexpr int kMaxMr = 16, kMaxNr = 64;

// k pairs per block: a 12 x 256-pair A panel (12 KB) stays in L1, a 256-pair x n B block in L2 for n up to ~500.
constexpr long kBlockPairs = 256;
// Row panels a transposed A gathers at a time (the CNN head's dW at 2 threads: 10.2 -> 9.6 CPU ms against one).
constexpr long kGatherPanels = 4;
constexpr double kParallelMinFlops = 1e6;
// A B block past this is swept once (columns outer) when all of A's rows for the block fit kSmallABytes.
constexpr double kStreamBBytes = 1 << 20, kSmallABytes = 256 << 10;

// Writes rows [r0, r1) of a tile's raw sums (row stride ld) through the fp32 epilogue into C.
void finish_tile(const float* acc, long ld, long i0, long rows, long j0, long cols, float alpha, float beta,
                 float* C, long ldc, const float* bias, int act) {
  const gemm::KernelSet& G = *kernels().gemm;
  float row[kMaxNr];
  for (long r = 0; r < rows; ++r) {
    const float* src = acc + r * ld;
    if (alpha != 1.0f) {
      for (long j = 0; j < cols; ++j) row[j] = alpha * src[j];
      src = row;
    }
    G.finish_row(cols, src, beta, bias ? bias + j0 : nullptr, act, C + (i0 + r) * ldc + j0);
  }
}

}  // namespace

uint32_t* scratch(int slot, size_t n) {
  Slot& s = t_slots[slot];
  if (n > s.cap) s.p.reset(static_cast<uint32_t*>(::operator new(n * sizeof(uint32_t), std::align_val_t(64)))), s.cap = n;
  return s.p.get();
}

void transpose_dwords(const KernelSet& K, const uint32_t* s, long lds, long rows, long cols, uint32_t* d, long ldd) {
  const long r16 = rows / 16 * 16, c16 = cols / 16 * 16;
  for (long r = 0; r < r16; r += 16)
    for (long c = 0; c < c16; c += 16) K.transpose16(s + r * lds + c, lds, d + c * ldd + r, ldd);
  for (long r = 0; r < rows; ++r)
    for (long c = r < r16 ? c16 : 0; c < cols; ++c) d[c * ldd + r] = s[r * lds + c];
}

PackedA pack_a(const KernelSet& K, bool ta, long m, long k, Rows rows, int slot) {
  const long kp = pairs(k), mp = round_up(m, K.mr), ld = packed_a_ld(k);
  uint32_t* dst = scratch(slot, (size_t)(mp * ld));
  for (long i = m; i < mp; ++i) std::fill(dst + i * ld, dst + i * ld + kp, 0u);
  if (!ta) {
    parallel_for(m, 1, kp, [&](long i0, long i1) {
      for (long i = i0; i < i1; ++i) {
        uint32_t* d = dst + i * ld;
        const float* r = rows(i);
        if (!r) { std::fill(d, d + kp, 0u); continue; }
        round_pairs(K, r, k, reinterpret_cast<uint16_t*>(d));
      }
    });
  } else {
    // Stored rows p are op(A)'s columns: interleave two of them into one pair per row of A. A chunk of 16 pairs
    // is gathered first and written as one cache line per row: rows of A lie pages apart, so writing a pair at a
    // time would cost a TLB miss per element.
    constexpr long Q = 16;
    parallel_for(kp, Q, m * Q, [&](long q0, long q1) {
      std::vector<uint32_t> tmp((size_t)(m * Q));
      for (long qb = q0; qb < q1; qb += Q) {
        const long nq = std::min(Q, q1 - qb);
        for (long t = 0; t < nq; ++t) {
          const long q = qb + t;
          K.interleave(rows(2 * q), 2 * q + 1 < k ? rows(2 * q + 1) : nullptr, m, tmp.data() + t * m);
        }
        transpose_dwords(K, tmp.data(), m, nq, m, dst + qb, ld);
      }
    });
  }
  return {dst, ld};
}

long packed_b_dwords(const KernelSet& K, long k, long n) { return (n + K.nr - 1) / K.nr * K.nr * pairs(k); }

const uint32_t* pack_b(const KernelSet& K, bool tb, long k, long n, Rows rows, int slot) {
  return pack_b_into(K, tb, k, n, rows, scratch(slot, (size_t)packed_b_dwords(K, k, n)));
}

void pack_b_part(const KernelSet& K, bool tb, long k, long n, Rows rows, uint32_t* dst, long lo, long hi) {
  const long kp = pairs(k), pn = (n + K.nr - 1) / K.nr;
  if (!tb) {
    for (long q = lo; q < hi; ++q) {
      const float* r0 = rows(2 * q);
      const float* r1 = 2 * q + 1 < k ? rows(2 * q + 1) : nullptr;
      for (long pj = 0; pj < pn; ++pj) {
        const long j0 = pj * K.nr, cols = std::min<long>(K.nr, n - j0);
        uint32_t* d = dst + (pj * kp + q) * K.nr;
        K.interleave(r0 ? r0 + j0 : nullptr, r1 ? r1 + j0 : nullptr, cols, d);
        std::fill(d + cols, d + K.nr, 0u);
      }
    }
    return;
  }
  // Stored rows j are op(B)'s columns: a converted row is that column's pairs in order. A panel's nr rows are
  // converted into a row-major block first, then written out q by q: whole 128-byte lines, where writing each
  // converted row straight into the panel would touch a line per pair (measured 2x slower on the CNN head).
  std::vector<uint32_t> tmp((size_t)(K.nr * kp));
  for (long pj = lo; pj < hi; ++pj) {
    for (long jj = 0; jj < K.nr; ++jj) {
      const long j = pj * K.nr + jj;
      uint32_t* t = tmp.data() + jj * kp;
      const float* r = j < n ? rows(j) : nullptr;
      if (r) {
        t[kp - 1] = 0;
        K.convert(r, k, reinterpret_cast<uint16_t*>(t));
      } else {
        std::fill(t, t + kp, 0u);
      }
    }
    transpose_dwords(K, tmp.data(), kp, K.nr, kp, dst + pj * kp * K.nr, K.nr);
  }
}

const uint32_t* pack_b_into(const KernelSet& K, bool tb, long k, long n, Rows rows, uint32_t* dst) {
  const long kp = pairs(k), pn = (n + K.nr - 1) / K.nr;
  if (!tb) parallel_for(kp, 1, n, [&](long q0, long q1) { pack_b_part(K, false, k, n, rows, dst, q0, q1); });
  else parallel_for(pn, 1, kp * K.nr, [&](long p0, long p1) { pack_b_part(K, true, k, n, rows, dst, p0, p1); });
  return dst;
}

bool fitted_wins(const KernelSet& K, long m, long n, long k, int act) {
  constexpr long kFittedRows = 5, kFittedCols = 80, kFittedMaxRows = 256;
  if (!K.fitted || pairs(k) <= kBlockPairs || m > kFittedMaxRows || (act != ACT_LINEAR && act != ACT_RELU)) return false;
  return round_up(m, kFittedRows) * round_up(round_up(n, 16), kFittedCols) < round_up(m, K.mr) * round_up(n, K.nr);
}

namespace {

// Rows r0.. of op(A) (rows(i): k floats, null for zeros; past m: zeros), pairs [q0, q0 + qn), rounded into `to`
// (mr rows of ld dwords): pack_a's roundings of the same floats.
void round_panel(const KernelSet& K, Rows rows, long m, long k, long r0, long q0, long qn, uint32_t* to, long ld) {
  const long len = std::min(2 * qn, k - 2 * q0);  // floats; odd at the end of an odd k
  for (long r = 0; r < K.mr; ++r) {
    uint32_t* d = to + r * ld;
    const float* src = r0 + r < m ? rows(r0 + r) : nullptr;
    if (!src) {
      std::fill(d, d + qn, 0u);
      continue;
    }
    round_pairs(K, src + 2 * q0, len, reinterpret_cast<uint16_t*>(d));
  }
}

// gemm_packed's product; with `lazy` (op(A)'s rows, or its columns when `ta`; A unset), each row panel of A is
// rounded as the sweep reaches it instead of all of A first: a large A (the LSTM's x, 32000 x 100; the CNN head's
// activations, 128 x 50000, transposed) is then read once and its packing never goes through memory. Sweeps by
// columns (which revisit a panel) and k-blocked ones pack A first.
void product(const KernelSet& K, long m, long n, long k, PackedA A, const Rows* lazy, bool ta, const uint32_t* Bp,
             float alpha, float beta, float* C, long ldc, const float* bias, int act) {
  if (m <= 0 || n <= 0) return;
  if (fitted_wins(K, m, n, k, act)) {
    if (lazy) A = pack_a(K, ta, m, k, *lazy, 0);
    K.fitted(K, m, n, k, A, Bp, TileOut{C, ldc, m, n, alpha, beta, bias, act});
    return;
  }
  const long kp = pairs(k);
  const long pm = (m + K.mr - 1) / K.mr, pn = (n + K.nr - 1) / K.nr;
  const bool blocked = kp > kBlockPairs;
  const long npad = pn * K.nr;
  float* work = blocked ? reinterpret_cast<float*>(scratch(3, (size_t)(pm * K.mr * npad))) : nullptr;
  const double flops = 2.0 * (double)m * (double)n * (double)k;
  // A few rows against a B block past L2 (the CNN head's dX: 128 rows against 12.5 M packed weights): split and
  // sweep by column panels, so B streams from memory once while A's panels stay in L2, instead of once per row panel.
  const long qb = std::min(kp, kBlockPairs);
  const bool stream_b = (double)qb * npad * 4 > kStreamBBytes && (double)pm * K.mr * qb * 4 <= kSmallABytes;
  const bool in_registers = act == ACT_LINEAR || act == ACT_RELU;  // the others go through finish_row
  if (lazy && (stream_b || blocked)) {  // blocked: a k block's 12 row pieces lie far apart (CNN head: +3 %)
    A = pack_a(K, ta, m, k, *lazy, 0);
    lazy = nullptr;
  }
  // By rows, unless whole column panels give the busiest thread fewer tiles and A is packed already (lazily, every
  // thread would round every row panel): the CNN head's forward, 11 x 8 panels, has 6 x 8 tiles on the busier of
  // two threads by rows, 11 x 4 by columns, and each thread then streams half of B instead of all of it.
  const long nth = num_threads();
  const bool columns_balance = !lazy && pm * ((pn + nth - 1) / nth) < (pm + nth - 1) / nth * pn;
  const bool by_rows = !stream_b && (pm >= 2L * nth || pn < nth) && !columns_balance;

  auto body = [&](int tid, int nth) {
    long a0 = 0, a1 = by_rows ? pm : pn;
    split_range(a1, tid, nth, 1, &a0, &a1);
    const long i_lo = by_rows ? a0 : 0, i_hi = by_rows ? a1 : pm;
    const long j_lo = by_rows ? 0 : a0, j_hi = by_rows ? pn : a1;
    alignas(64) float local[kMaxMr * kMaxNr];
    alignas(64) uint32_t panel[kMaxMr * kBlockPairs];
    // A transposed A's row panels are gathered kGatherPanels at a time (into `group`, through `gathered`): fewer,
    // wider reads of its rows. Both lie in A's scratch slot, which a lazy A leaves unused.
    const long gw = round_up(kGatherPanels * K.mr, 16);
    uint32_t* const group = lazy && ta ? scratch(0, (size_t)(2 * kBlockPairs * gw)) : nullptr;
    uint32_t* const gathered = group ? group + kBlockPairs * gw : nullptr;
    const uint32_t* a_panel = nullptr;  // the row panel being swept, when lazy
    if (blocked)
      for (long i = i_lo * K.mr; i < i_hi * K.mr; ++i)
        std::fill(work + i * npad + j_lo * K.nr, work + i * npad + j_hi * K.nr, 0.0f);
    for (long q0 = 0; q0 < kp; q0 += kBlockPairs) {
      const long qn = std::min(kBlockPairs, kp - q0);
      const bool last = q0 + qn >= kp;
      // Row panel pi (the pi_lo-th of this thread's) of lazy's pairs of this k block, rounded.
      auto round_lazy = [&](long pi, long pi_lo) -> const uint32_t* {
        if (!ta) {
          round_panel(K, *lazy, m, k, pi * K.mr, q0, qn, panel, kBlockPairs);
          return panel;
        }
        const long at = (pi - pi_lo) % kGatherPanels;
        if (at == 0)
          gather_cols(K, *lazy, m, k, pi * K.mr, std::min(kGatherPanels * K.mr, m - pi * K.mr), q0, qn, group,
                      kBlockPairs, gathered);
        return group + at * K.mr * kBlockPairs;
      };
      // One tile's products over this k block (each tile's sums are the same whatever the sweep order).
      auto tile = [&](long pi, long pj, const Fetch* fetch) {
        const long i0 = pi * K.mr, rows = std::min<long>(K.mr, m - i0);
        const uint32_t* a = lazy ? a_panel : A.p + i0 * A.ld + q0;
        const long lda = lazy ? kBlockPairs : A.ld;
        const uint32_t* b = Bp + (pj * kp + q0) * K.nr;
        const long j0 = pj * K.nr, cols = std::min<long>(K.nr, n - j0);
        float* acc = blocked ? work + i0 * npad + j0 : local;
        const long ld = blocked ? npad : K.nr;
        if (last && in_registers) {
          const TileOut o{C + i0 * ldc + j0, ldc, rows, cols, alpha, beta, bias ? bias + j0 : nullptr, act};
          if (fetch) K.tile_c_fetch(a, lda, b, qn, blocked ? acc : nullptr, ld, o, *fetch);
          else K.tile_c(a, lda, b, qn, blocked ? acc : nullptr, ld, o);
          return;
        }
        if (!blocked) std::fill(local, local + K.mr * K.nr, 0.0f);
        if (fetch) K.tile_cols_fetch(a, lda, b, qn, acc, ld, cols, *fetch);
        else K.tile_cols(a, lda, b, qn, acc, ld, cols);
        if (last) finish_tile(acc, ld, i0, rows, j0, cols, alpha, beta, C, ldc, bias, act);
      };
      // The B that comes from memory next (stream_b: the next column panel; blocked: the next k block of this
      // column panel) is fetched into L2 a slice per tile while the tiles before it compute: the CNN head's
      // products stalled up to a fifth of their time on the first tile that read it.
      const long q_next = q0 + qn, qn_next = std::min(kBlockPairs, kp - q_next), parts = i_hi - i_lo;
      const bool fetch_next_block = blocked && !last && (double)qn * npad * 4 <= kStreamBBytes / 2;  // both in L2
      if (stream_b) {
        for (long pj = j_lo; pj < j_hi; ++pj)
          for (long pi = i_lo; pi < i_hi; ++pi) {
            const Fetch f = slice(Bp + ((pj + 1) * kp + q0) * K.nr, qn * K.nr, pi - i_lo, parts);
            tile(pi, pj, pj + 1 < j_hi ? &f : nullptr);
          }
      } else {
        for (long pi = i_lo; pi < i_hi; ++pi) {
          if (lazy) a_panel = round_lazy(pi, i_lo);
          for (long pj = j_lo; pj < j_hi; ++pj) {
            if (!fetch_next_block) {
              tile(pi, pj, nullptr);
              continue;
            }
            const Fetch f = slice(Bp + (pj * kp + q_next) * K.nr, qn_next * K.nr, pi - i_lo, parts);
            tile(pi, pj, &f);
          }
        }
      }
    }
  };
  if (num_threads() > 1 && flops >= kParallelMinFlops) parallel(body);
  else body(0, 1);
}

}  // namespace

void gemm_packed(const KernelSet& K, long m, long n, long k, PackedA A, const uint32_t* Bp, float alpha, float beta,
                 float* C, long ldc, const float* bias, int act) {
  product(K, m, n, k, A, nullptr, false, Bp, alpha, beta, C, ldc, bias, act);
}

void gemm_lazy(const KernelSet& K, bool ta, long m, long n, long k, Rows a, const uint32_t* Bp, float alpha,
               float beta, float* C, long ldc, const float* bias, int act) {
  product(K, m, n, k, PackedA{nullptr, 0}, &a, ta, Bp, alpha, beta, C, ldc, bias, act);
}

void gemm(const KernelSet& K, bool ta, bool tb, long m, long n, long k, float alpha, const float* A, long lda,
          const float* B, long ldb, float beta, float* C, long ldc, const float* bias, int act) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha == 0.0f) {  // nothing to multiply (A and B are not read, as in BLAS)
    const gemm::KernelSet& G = *kernels().gemm;
    for (long i = 0; i < m; ++i) G.finish_row(n, nullptr, beta, bias, act, C + i * ldc);
    return;
  }
  const Strided a{A, lda}, b{B, ldb};
  const uint32_t* Bp = pack_b(K, tb, k, n, b.rows(), 1);
  gemm_lazy(K, ta, m, n, k, a.rows(), Bp, alpha, beta, C, ldc, bias, act);
}

// The one message every bf16 binding gives where the kernels are missing; the TypeScript policy checks
// bf16Supported() first and falls back to fp32, so users see this only when calling the kernels directly.
const KernelSet* require_kernels(Args& a, const char* kernel) {
  const KernelSet* K = active();
  if (!K && a.ok())
    a.fail("(instruction set)", std::string("needs AVX512-BF16 and the avx512 kernels (in force: ") +
                                    isa_name(active_isa()) + ", CPU features: " + cpu_feature_list() + ") for " +
                                    kernel);
  return K;
}

namespace {

// gemmBf16: gemm's arguments and contract, with bf16 products and fp32 sums.
Napi::Value GemmBf16(const Napi::CallbackInfo& info) {
  Args a(info, "gemmBf16");
  const GemmCall g = gemm_call(a);
  const KernelSet* K = require_kernels(a, "gemmBf16");
  if (!a.ok()) return info.Env().Undefined();
  gemm(*K, g.ta, g.tb, g.m, g.n, g.k, g.alpha, g.A, g.lda(), g.B, g.ldb(), g.beta, g.C, g.n, g.bias,
       g.act);
  return info.Env().Undefined();
}

// bf16Round(x, y): y[i] = x[i] rounded to bf16 by the packing's vector conversion, widened back to fp32 (for tests).
Napi::Value Bf16Round(const Napi::CallbackInfo& info) {
  Args a(info, "bf16Round");
  const float* x = a.f32(0, "x", 0);
  const size_t n = typed_length(info, 0);
  float* y = a.f32(1, "y", n);
  const KernelSet* K = require_kernels(a, "bf16Round");
  if (!a.ok()) return info.Env().Undefined();
  std::vector<uint16_t> h(n);
  K->convert(x, (long)n, h.data());
  for (size_t i = 0; i < n; ++i) y[i] = widen(h[i]);
  return info.Env().Undefined();
}

// bf16Supported(): whether the instruction set in force has the bf16 kernels and the CPU runs them.
Napi::Value Bf16Supported(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), active() != nullptr); }

const bool exported =
    add_bindings({{"gemmBf16", GemmBf16}, {"bf16Round", Bf16Round}, {"bf16Supported", Bf16Supported}});

}  // namespace

}  // namespace bf16
}  // namespace rl
