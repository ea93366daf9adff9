// SGEMM driver: cache blocking over n and k, threading and the JS binding; the micro-kernels come from the
// kernel table of the instruction set in force (dispatch.h).
//
// Scheme (per thread, see gemm_kernels.h for the kernels' side): for each nc-wide column block and kc-deep slice
// of op(B), pack that B block (it then stays in L2) unless B is cheaper to read in place, and sweep C's rows in
// micro-tile panels: the mr x kc panel of op(A) stays in L1 while the micro-kernel runs across the block's
// columns. The first k slice applies beta, the last one bias and the activation, so C is written in one pass
// when k fits in one slice; when it does not but all of op(B) fits in L2, C's rows go in panels that run every
// slice before the next panel, so C is not read back from memory once per slice.
//
// Threads take a grid of C's blocks (the split that keeps the busiest thread's share smallest), or split k when
// the output is small next to k (weight gradients A^T B with k = batch x time): each thread then accumulates a
// private m x n partial product, and the partials are summed, rows spread over the threads, before the epilogue.
#include "gemm.h"

#include <napi.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "common.h"
#include "dispatch.h"
#include "gemm_kernels.h"
#include "kernel_util.h"
#include "threadpool.h"

namespace rl {
namespace {

using gemm::Block;
using gemm::KernelSet;

// ---------------------------------------------------------------- per-thread scratch

// A 64-byte aligned float buffer that grows and is reused, so steady-state calls allocate nothing.
class Buffer {
 public:
  Buffer() = default;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer() { release(); }
  float* get(size_t n) {
    if (n > cap_) {
      release();
      p_ = static_cast<float*>(::operator new(n * sizeof(float), std::align_val_t(64)));
      cap_ = n;
    }
    return p_;
  }

 private:
  void release() {
    if (p_) ::operator delete(p_, std::align_val_t(64));
    p_ = nullptr;
    cap_ = 0;
  }
  float* p_ = nullptr;
  size_t cap_ = 0;
};

struct Scratch {
  Buffer a;  // one packed A panel
  Buffer b;  // one packed B block
  Buffer w;  // a partial product (k split)
};
thread_local Scratch t_scratch;

// ---------------------------------------------------------------- tuning

// Reading an operand in place instead of packing it saves the packing pass but gives up contiguous,
// TLB-friendly panels. Measured on AMD Zen 5 (48 KB L1d, 1 MB L2):
//  - A: in place wins except for a transposed A whose kc-row panel spans more than a few MB (one page per
//    k step: the TLB runs out), so pack only then.
//  - B (not transposed): in place wins when B is small, or when each B element serves few rows of C (m small:
//    packing would cost a good part of the work); how few is the kernel set's direct_b_max_rows (160 on Zen 5's
//    AVX-512 kernels, 1 for the AVX2 ones on Zen 2), unless, on cores that run 512-bit operations as two halves
//    (Zen 4), B's rows lie off the cache lines and a k slice of it outgrows L2 (b_in_place); a packed panel wins for big products, and on Zen 2 also
//    for a small B once C outgrows the cache (the kernel set's direct_b_max_c_bytes).
constexpr double kPackASpanBytes = 8.0 * 1024 * 1024;
constexpr double kDirectBBytes = 384.0 * 1024;
// op(B) up to this size stays packed whole while panels of C's rows, of about kPanelCBytes each, run all k slices
// (measured on Zen 2: the LSTM's and GRU's dX, k = 400 and 300 over 256-deep slices, +8-15 % per core).
constexpr double kResidentBBytes = 256.0 * 1024;
constexpr double kPanelCBytes = 32.0 * 1024;
// Products below this many flops (about 5 us on one core) run on the calling thread. A spinning pool halves
// even smaller ones, but a worker that has gone to sleep or been preempted costs tens of microseconds or more.
constexpr double kParallelMinFlops = 1e6;

// Products of at least kChunkMinFlops per thread go in chunks that the threads claim as they come free (sgemm):
// about kChunksPerThread chunks per thread, at least two, each at least kChunkMinRows rows unless it has all of
// them (a chunk packs its own B blocks: 16 / (2 x 1024) of its work at most).
constexpr double kChunkMinFlops = 50e6;
constexpr long kChunkMinRows = 1024;
constexpr long kChunksPerThread = 4;

inline long ceil_div(long a, long b) { return (a + b - 1) / b; }
inline long round_up(long a, long b) { return ceil_div(a, b) * b; }

inline bool b_in_place(const KernelSet& K, bool tb, long m, long n, long k, long ldb) {
  const bool small_b = 4.0 * (double)k * (double)n <= kDirectBBytes;
  // Rows of B a whole number of 64-byte lines apart keep the micro-kernel's vector loads in step with the lines;
  // otherwise most loads split two lines. A k slice of such a B too big for L2 beside C (read again from L3 by each
  // panel of C's rows) measured slower in place than packed on Zen 4 from one full panel of rows on (one core, 8 to
  // 128 rows of C over 250 columns: 1.1-1.35x; fewer rows do not repay the packing: 1 row 1.6x slower packed).
  // Zen 5's full-width cores take the split loads in stride: there the same products ran 1.05-2.5x slower packed
  // (8 rows 2.5x, 128 rows 1.05x), so the rule holds only where 512-bit operations run as halves.
  const bool slice_in_l2 = 4.0 * (double)std::min(k, K.kc) * (double)n <= kDirectBBytes;
  const bool split_loads_cost = K.vec == 16 && cpu_features().avx512_halves;
  if (split_loads_cost && !tb && m >= K.mr && !slice_in_l2 && ldb % 16 != 0) return false;
  return !tb && (m <= K.direct_b_max_rows || (small_b && 4.0 * (double)m * (double)n <= K.direct_b_max_c_bytes));
}

// Threads as a tm x tn grid over C, chosen to minimise the busiest thread's estimated time: its share of the
// work rounded to whole micro-tile rows and vectors, plus packing its B columns where B gets packed (costed as
// kPackFlops flops per element). With A read in place, a column split duplicates no packing, so it wins ties.
struct Grid {
  int tm, tn;
};
constexpr double kPackFlops = 16.0;

Grid choose_grid(const KernelSet& K, bool tb, long m, long n, long k, long ldb, int nt) {
  Grid best{1, nt};
  double best_cost = -1;
  for (int tm = 1; tm <= nt; ++tm) {
    if (nt % tm) continue;
    const int tn = nt / tm;
    const long rows = ceil_div(ceil_div(m, K.mr), tm) * K.mr;
    const long cols = ceil_div(ceil_div(n, K.vec), tn) * K.vec;
    const double pack = b_in_place(K, tb, rows, cols, k, ldb) ? 0.0 : kPackFlops;
    const double cost = (double)cols * (double)k * (2.0 * (double)rows + pack);
    if (best_cost < 0 || cost < best_cost) best = {tm, tn}, best_cost = cost;
  }
  return best;
}

// ---------------------------------------------------------------- serial driver

void serial(const KernelSet& K, bool ta, bool tb, long m, long n, long k, float alpha, const float* A, long lda,
            const float* B, long ldb, float beta, float* C, long ldc, const float* bias, int act) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha == 0.0f) {  // nothing to multiply (and A, B are not read, as in BLAS)
    for (long i = 0; i < m; ++i) K.finish_row(n, nullptr, beta, bias, act, C + i * ldc);
    return;
  }
  Scratch& s = t_scratch;
  const bool direct_b = b_in_place(K, tb, m, n, k, ldb);
  const long kc_step = ceil_div(k, ceil_div(k, K.kc));
  // B read in place needs no column blocking while a whole kc-deep slice of it fits in L2.
  const long nc_step = direct_b && 4.0 * (double)kc_step * (double)n <= kDirectBBytes
                           ? n
                           : round_up(ceil_div(n, ceil_div(n, K.nc)), K.nr);
  const bool pack_a = ta && 4.0 * (double)lda * (double)kc_step > kPackASpanBytes;
  float* abuf = pack_a ? s.a.get((size_t)(K.mr * kc_step + 16)) : nullptr;
  // All of op(B) in one column block and small enough to stay in L2 next to a panel of A, but deeper than one k
  // slice (dX = dxp W^T: k = 4U, n = U): run every slice on a panel of C's rows before the next panel, so that the
  // panel stays in cache between its slices instead of all of C being written and read back once per slice. Each
  // element still sums the same slices in the same order.
  const long nr_n = round_up(n, K.nr);
  const bool resident_b = nc_step >= n && kc_step < k && 4.0 * (double)k * (double)nr_n <= kResidentBBytes;
  const long b_floats = resident_b ? k * nr_n : kc_step * round_up(std::min(n, nc_step), K.nr);
  float* bbuf = direct_b ? nullptr : s.b.get((size_t)b_floats);

  // Where op(B)[pc, jc] lies in B.
  auto b_at = [&](long pc, long jc) { return tb ? B + jc * ldb + pc : B + pc * ldb + jc; };
  // A Block of C's rows [i0, i0 + rows) and columns [jc, jc + nc) over op(B)'s rows [pc, pc + kc), reading B's
  // slice from bk (its packed copy, or B itself in place).
  auto make_block = [&](long i0, long rows, long jc, long nc, long pc, long kc, const float* bk) {
    Block blk;
    blk.ta = ta;
    blk.A = ta ? A + pc * lda + i0 : A + i0 * lda + pc;
    blk.lda = lda;
    blk.a_packed = pack_a;
    blk.B = bk;
    blk.ldb = ldb;
    blk.b_packed = !direct_b;
    blk.m = rows;
    blk.n = nc;
    blk.kc = kc;
    blk.C = C + i0 * ldc + jc;
    blk.ldc = ldc;
    blk.epi.alpha = alpha;
    blk.epi.beta = pc == 0 ? beta : 1.0f;
    blk.epi.bias = pc + kc >= k && bias ? bias + jc : nullptr;
    blk.epi.act = pc + kc >= k ? act : ACT_LINEAR;
    blk.abuf = abuf;
    return blk;
  };

  if (resident_b) {
    if (!direct_b)
      for (long pc = 0; pc < k; pc += kc_step)
        K.pack_b(tb, b_at(pc, 0), ldb, std::min(kc_step, k - pc), n, bbuf + pc * nr_n);
    const long panel = std::max<long>(K.mr, (long)(kPanelCBytes / (4.0 * (double)n)) / K.mr * K.mr);
    for (long i0 = 0; i0 < m; i0 += panel)
      for (long pc = 0; pc < k; pc += kc_step) {
        const float* bk = direct_b ? b_at(pc, 0) : bbuf + pc * nr_n;
        K.block(make_block(i0, std::min(panel, m - i0), 0, n, pc, std::min(kc_step, k - pc), bk));
      }
    return;
  }

  for (long jc = 0; jc < n; jc += nc_step) {
    const long nc = std::min(nc_step, n - jc);
    for (long pc = 0; pc < k; pc += kc_step) {
      const long kc = std::min(kc_step, k - pc);
      const float* Bk = b_at(pc, jc);
      if (!direct_b) K.pack_b(tb, Bk, ldb, kc, nc, bbuf);
      K.block(make_block(0, m, jc, nc, pc, kc, direct_b ? Bk : bbuf));
    }
  }
}

// k split over the threads: each accumulates alpha * op(A)[:, ks] op(B)[ks, :] into a private m x n buffer, then
// the rows are summed and finished (beta, bias, activation) in parallel.
void split_k(const KernelSet& K, bool ta, bool tb, long m, long n, long k, float alpha, const float* A, long lda,
             const float* B, long ldb, float beta, float* C, long ldc, const float* bias, int act) {
  std::vector<float*> parts(num_threads(), nullptr);
  parallel([&](int tid, int nth) {
    if (nth == 1) {  // called from inside another parallel region: no one to share with
      serial(K, ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, bias, act);
      return;
    }
    long p0, p1;
    split_range(k, tid, nth, 16, &p0, &p1);
    float* w = t_scratch.w.get((size_t)(m * n));
    parts[tid] = w;
    serial(K, ta, tb, m, n, p1 - p0, alpha, ta ? A + p0 * lda : A + p0, lda, tb ? B + p0 : B + p0 * ldb, ldb, 0.0f,
           w, n, nullptr, ACT_LINEAR);
    barrier();
    long r0, r1;
    split_range(m, tid, nth, 1, &r0, &r1);
    for (long i = r0; i < r1; ++i) {
      float* acc = parts[0] + i * n;
      for (int t = 1; t < nth; ++t) {
        const float* q = parts[t] + i * n;
        for (long j = 0; j < n; ++j) acc[j] += q[j];
      }
      K.finish_row(n, acc, beta, bias, act, C + i * ldc);
    }
  });
}

}  // namespace

void sgemm_serial(bool ta, bool tb, long m, long n, long k, float alpha, const float* A, long lda, const float* B,
                  long ldb, float beta, float* C, long ldc, const float* bias, int act) {
  serial(*kernels().gemm, ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, bias, act);
}

void sgemm(bool ta, bool tb, long m, long n, long k, float alpha, const float* A, long lda, const float* B, long ldb,
           float beta, float* C, long ldc, const float* bias, int act) {
  const KernelSet& K = *kernels().gemm;
  if (m <= 0 || n <= 0) return;
  const int nth = num_threads();
  const double flops = 2.0 * (double)m * (double)n * (double)k;
  if (nth <= 1 || k <= 0 || alpha == 0.0f || flops < kParallelMinFlops) {
    serial(K, ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, bias, act);
    return;
  }
  // Small output, long k: split k (row or column splits would each re-read all of one operand).
  if (k >= 4 * std::max(m, n) && k >= 256L * nth && (double)m * (double)n <= (double)(1 << 20)) {
    split_k(K, ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, bias, act);
    return;
  }
  // Big products: C in chunks (the serial scheme's column blocks, each cut into row panels) that the threads claim
  // as they come free (parallel_chunks), so a thread the machine holds up (preempted, or a slower core) leaves its
  // chunks to the other instead of the other waiting for it. Each element still sums the same k slices in the same
  // order whichever thread runs it: the same bits as any other split of C.
  if (flops >= kChunkMinFlops * nth) {
    const bool direct_b = b_in_place(K, tb, m, n, k, ldb);
    const long kc_step = ceil_div(k, ceil_div(k, K.kc));
    const long cw = direct_b && 4.0 * (double)kc_step * (double)n <= kDirectBBytes
                        ? n
                        : round_up(ceil_div(n, ceil_div(n, K.nc)), K.nr);
    const long cb = ceil_div(n, cw);
    const long want = ceil_div(kChunksPerThread * nth, cb);
    const long rc = std::max(1L, std::min(want, m / kChunkMinRows));
    const long rh = round_up(ceil_div(m, rc), K.mr);
    const long rn = ceil_div(m, rh);
    if (cb * rn >= 2L * nth) {  // else too few chunks to share: the grid below
      parallel_chunks(cb * rn, [&](long i) {
        const long c0 = (i / rn) * cw, c1 = std::min(n, c0 + cw);
        const long r0 = (i % rn) * rh, r1 = std::min(m, r0 + rh);
        serial(K, ta, tb, r1 - r0, c1 - c0, k, alpha, ta ? A + r0 : A + r0 * lda, lda, tb ? B + c0 * ldb : B + c0,
               ldb, beta, C + r0 * ldc + c0, ldc, bias ? bias + c0 : nullptr, act);
      });
      return;
    }
  }
  // Otherwise a grid of threads over C, each running the serial scheme on its part with its own packing.
  parallel([&](int tid, int nt) {
    const Grid g = choose_grid(K, tb, m, n, k, ldb, nt);
    long r0, r1, c0, c1;
    split_range(m, tid / g.tn, g.tm, K.mr, &r0, &r1);
    split_range(n, tid % g.tn, g.tn, K.vec, &c0, &c1);
    if (r0 >= r1 || c0 >= c1) return;
    serial(K, ta, tb, r1 - r0, c1 - c0, k, alpha, ta ? A + r0 : A + r0 * lda, lda, tb ? B + c0 * ldb : B + c0, ldb,
           beta, C + r0 * ldc + c0, ldc, bias ? bias + c0 : nullptr, act);
  });
}

// ---------------------------------------------------------------- binding

namespace {

// gemm(transA, transB, m, n, k, alpha, a, b, beta, c, bias | null, act): see GemmCall.
Napi::Value Gemm(const Napi::CallbackInfo& info) {
  Args a(info, "gemm");
  const GemmCall g = gemm_call(a);
  if (!a.ok()) return info.Env().Undefined();
  sgemm(g.ta, g.tb, g.m, g.n, g.k, g.alpha, g.A, g.lda(), g.B, g.ldb(), g.beta, g.C, g.n, g.bias, g.act);
  return info.Env().Undefined();
}

const bool exported = add_bindings({{"gemm", Gemm}});

}  // namespace

}  // namespace rl
