// bf16 Conv1D (mixed_bfloat16), the twin of conv1d.cc on bf16.h's GEMM: the convolution is a GEMM on the im2col
// matrix (rows (b, o), columns (j, ci)), whose rows are read straight from x while the window lies inside [0, T)
// and built zero-padded at the edges; packing rounds them to bf16 as it goes, so im2col is never stored.
// Forward: y = act(im2col w + bias). Backward: dw = im2col^T dy, db = column sums of dy (in double, per sample and
// then over the samples), dx = col2im(dy w^T), summed in fp32 over (o, j) in order, as
// src/backend/reference/bf16_conv1d.ts does, each tile of dy w^T added into dx from the registers (never stored).
// The backward first rounds dy to bf16 once, relu's derivative applied (reluY) or a following max pooling's gradient
// scattered back through its argmax (conv1dBf16PooledBackward), straight into the dw product's packed B layout, and
// transposes and rounds x once (both passes split over the samples among the threads), then runs block by block of
// dw's k (the rows (b, o)): each thread packs its rows of the block's im2col^T into a buffer that stays in cache and
// reads the block's gradient in place, and a sample's dx follows the block that ends it, while its rows are still in
// cache (the same bf16 values as the generic packings, the same sums, so the same bits).
#include <napi.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "bf16.h"
#include "common.h"
#include "dispatch.h"
#include "isa.h"
#include "kernel_util.h"
#include "pool_shape.h"

#if RL_X86
#include <immintrin.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC 12's headers: the _mm512_undefined operands
#endif
#endif

namespace rl {
namespace bf16 {
namespace {

// gemm_packed's k block (gemm_bf16.cc): a product of at most this many pairs is finished from the registers, a
// deeper one keeps its raw sums in an fp32 workspace between blocks (exact, so any blocking gives the same bits).
constexpr long kBlockPairs = 256;

struct Shape {
  long B, T, Cin, Cout, K, s, pl, To;
  long KC() const { return K * Cin; }
  long N() const { return B * To; }
};

Shape read_shape(Args& a) {
  const char* names[] = {"B", "T", "Cin", "Cout", "K", "stride", "padLeft", "To"};
  long v[8];
  for (int i = 0; i < 8; ++i) v[i] = (long)a.integer((size_t)i, names[i], i == 4 || i == 5 ? 1 : 0);
  return {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]};
}

// Rows of the im2col matrix. An edge row is built in a per-thread buffer (pack_a uses each row before the next).
struct Im2col {
  const Shape* c;
  const float* x;
  static const float* row(const void* ctx, long r) {
    const Im2col& m = *static_cast<const Im2col*>(ctx);
    const Shape& c = *m.c;
    const long b = r / c.To, t0 = (r % c.To) * c.s - c.pl;
    if (t0 >= 0 && t0 + c.K <= c.T) return m.x + (b * c.T + t0) * c.Cin;
    thread_local std::vector<float> d;
    d.assign((size_t)c.KC(), 0.0f);
    for (long j = 0; j < c.K; ++j) {
      const long t = t0 + j;
      if (t >= 0 && t < c.T) std::memcpy(d.data() + j * c.Cin, m.x + (b * c.T + t) * c.Cin, (size_t)c.Cin * sizeof(float));
    }
    return d.data();
  }
  Rows rows() const { return {row, this}; }
};

// The gradient w.r.t. the convolution's output, as the products take it. Plain: dy itself; with reluY (a relu
// Conv1D), relu's derivative applied as activationBackward applies it (dy where y > 0, else 0: y NaN or -0 blocks, a
// passed dy keeps its bits). Pooled (a MaxPooling1D after the convolution, pdy its gradient): maxPool1dBackward's dx
// (0 + the sum, windows in order, of pdy where argmax is the row's step), with relu's derivative taken from the
// pooling's output py (the maximum is the relu output at the argmax, bit for bit), so neither the scattered gradient
// nor relu's full output is read.
struct GradSource {
  bool pooled = false;  // an empty array's data may be null: the pointers cannot say which source it is
  const float* dy = nullptr;
  const float* relu_y = nullptr;
  const float* pdy = nullptr;  // pooled: [B, Tp, Cout]
  const int32_t* am = nullptr;
  const float* py = nullptr;  // null: a linear convolution
  PoolShape p{};              // the pooling's: maxPool1d(B, To, Cout, ...) to [B, Tp, Cout]
};

// The gradient's rows rounded to bf16, made once before the products by one pass over the samples split among the
// threads, straight in the layout of the dw product's B operand (op(B) = the gradient, N x Cout, k = N): in blocks of
// kBlockPairs pairs of rows, block q0 at q0 * npad dwords (every earlier block is whole), each block in panels of nr
// columns qn pairs long (panel pj at pj * qn * nr dwords), pair q's dword j holding row 2q's bf16 in its low word and
// row 2q + 1's in its high word (zeros past Cout and past N): what pack_dy_block packed per block and per thread from
// rows, the same bf16 values, so the products read their blocks in place.
struct DyBf16 {
  uint32_t* p;
  long N, kp, nr, npad;
  const uint32_t* block(long q0) const { return p + q0 * npad; }
};

// Word 2t takes the first row's t-th bf16 (word t of the pair's 32), word 2t + 1 the second's (word 16 + t).
alignas(64) constexpr uint16_t kPairWords[32] = {0, 16, 1, 17, 2,  18, 3,  19, 4,  20, 5,  21, 6,  22, 7,  23,
                                                 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31};

#if RL_X86
#define RL_BF16_CONV __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512bf16")))

RL_BF16_CONV inline __mmask16 tail_of(long left) {
  return left >= 16 ? (__mmask16)0xffff : left <= 0 ? (__mmask16)0 : (__mmask16)((1u << left) - 1);
}

// The windows [o0, o1) of a pooled gradient holding step t (none for a plain one).
inline void windows_of(const GradSource& g, long t, long& o0, long& o1) {
  o0 = o1 = 0;
  if (!g.pooled) return;
  const long lo = t + g.p.pl - g.p.pool + 1;
  o0 = lo <= 0 ? 0 : (lo + g.p.stride - 1) / g.p.stride;
  o1 = std::min(g.p.To, (t + g.p.pl) / g.p.stride + 1);
}

// Columns [j, j + 16) (tail: those below Cout) of row t of sample b's gradient (GradSource), windows [o0, o1);
// outside collects the lanes whose argmax, read, lies outside its window and is not -1.
RL_BF16_CONV inline __m512 gradient_chunk(const GradSource& g, long To, long Cout, long b, long t, long o0, long o1,
                                          long j, __mmask16 tail, __mmask16& outside) {
  const __m512 zero = _mm512_setzero_ps();
  if (!g.pooled) {
    const long r = b * To + t;
    __m512 m = _mm512_maskz_loadu_ps(tail, g.dy + r * Cout + j);
    // dy loaded whole, then masked: a load masked by the comparison would wait for y's load before it starts
    if (g.relu_y)
      m = _mm512_maskz_mov_ps(
          _mm512_mask_cmp_ps_mask(tail, _mm512_maskz_loadu_ps(tail, g.relu_y + r * Cout + j), zero, _CMP_GT_OQ), m);
    return m;
  }
  const __m512i step = _mm512_set1_epi32((int)t), none = _mm512_set1_epi32(-1);
  __m512 v = zero, y = zero;
  for (long o = o0; o < o1; ++o) {
    const long at = (b * g.p.To + o) * Cout + j;
    const Window w = window_of(g.p, o);
    const __m512i a = _mm512_maskz_loadu_epi32(tail, g.am + at);
    const __mmask16 hit = _mm512_mask_cmpeq_epi32_mask(tail, a, step);
    v = _mm512_mask_add_ps(v, hit, v, _mm512_maskz_loadu_ps(tail, g.pdy + at));
    if (g.py) y = _mm512_mask_mov_ps(y, hit, _mm512_maskz_loadu_ps(tail, g.py + at));
    outside |= _mm512_mask_cmpneq_epi32_mask(tail, a, none) &
               (_mm512_cmplt_epi32_mask(a, _mm512_set1_epi32((int)w.t0)) |
                _mm512_cmpge_epi32_mask(a, _mm512_set1_epi32((int)w.t1)));
  }
  return g.py ? _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(y, zero, _CMP_GT_OQ), v) : v;
}

// m (columns [j, j + 16), tail) added into a row's db sums (double).
RL_BF16_CONV inline void add_sums(double* acc, long j, __mmask16 tail, __m512 m) {
  const __mmask8 lo = (__mmask8)tail, hi = (__mmask8)(tail >> 8);
  __m512d a0 = _mm512_maskz_loadu_pd(lo, acc + j), a1 = _mm512_maskz_loadu_pd(hi, acc + j + 8);
  a0 = _mm512_add_pd(a0, _mm512_cvtps_pd(_mm512_castps512_ps256(m)));
  a1 = _mm512_add_pd(a1, _mm512_cvtps_pd(_mm512_castps512_ps256(_mm512_shuffle_f32x4(m, m, 0xee))));
  _mm512_mask_storeu_pd(acc + j, lo, a0);
  _mm512_mask_storeu_pd(acc + j + 8, hi, a1);
}

// Rows [r0, r1) of the gradient (GradSource) rounded into d's layout, each added into its sample's db sums (sums + b
// * Cout, double, after the sample's earlier rows). Two rows of one pair are stored together (interleaved); a pair's
// row whose partner another caller rounds goes in through a masked store of its half words only. Returns whether some
// argmax read lies outside its window and is not -1.
RL_BF16_CONV bool gradient_rows(const GradSource& g, long To, long Cout, const DyBf16& d, long r0, long r1,
                                double* sums) {
  const __m512i idx = _mm512_load_si512((const void*)kPairWords);
  const __m256i zw = _mm256_setzero_si256();
  __mmask16 outside = 0;
  // MaxPooling1D(2) without padding (Keras's default): a pair of one sample starting on an even step holds both
  // steps of one window, whose pooled gradient, argmax and output are read once for both rows.
  const bool halves = g.pooled && g.p.pool == 2 && g.p.stride == 2 && g.p.pl == 0;
  const __m512 zero = _mm512_setzero_ps();
  for (long r = r0; r < r1;) {
    // a whole pair: both rows here, or the last row when N is odd (its partner is zeros)
    const bool both = r % 2 == 0 && (r + 1 < r1 || r + 1 >= d.N), second = both && r + 1 < d.N;
    const long b0 = r / To, t0 = r % To, b1 = (r + 1) / To, t1 = (r + 1) % To;
    if (second && halves && b0 == b1 && t0 % 2 == 0 && t0 / 2 < g.p.To) {
      // as gradient_chunk: 0 + pooledDy where the argmax is the row's step (and the pooled output > 0), else 0
      const __m512i s0 = _mm512_set1_epi32((int)t0), s1 = _mm512_set1_epi32((int)t1), none = _mm512_set1_epi32(-1);
      double* acc = sums + b0 * Cout;
      const long q = r / 2, q0 = q / kBlockPairs * kBlockPairs, pstride = std::min(kBlockPairs, d.kp - q0) * d.nr;
      uint32_t* base = d.p + q0 * d.npad + (q - q0) * d.nr;
      const long at0 = (b0 * g.p.To + t0 / 2) * Cout;
      for (long pj = 0, j = 0; j < d.npad; ++pj)
        for (long c = 0; c < d.nr; c += 16, j += 16) {
          uint32_t* dst = base + pj * pstride + c;
          if (j >= Cout) {
            _mm512_store_si512((void*)dst, _mm512_setzero_si512());
            continue;
          }
          const __mmask16 tail = tail_of(Cout - j);
          const __m512i a = _mm512_maskz_loadu_epi32(tail, g.am + at0 + j);
          const __m512 pd = _mm512_maskz_loadu_ps(tail, g.pdy + at0 + j);
          __mmask16 h0 = _mm512_mask_cmpeq_epi32_mask(tail, a, s0), h1 = _mm512_mask_cmpeq_epi32_mask(tail, a, s1);
          outside |= _mm512_mask_cmpneq_epi32_mask(tail, a, none) & ~(h0 | h1);
          if (g.py) {
            const __mmask16 pos = _mm512_cmp_ps_mask(_mm512_maskz_loadu_ps(tail, g.py + at0 + j), zero, _CMP_GT_OQ);
            h0 &= pos, h1 &= pos;
          }
          const __m512 m0 = _mm512_maskz_add_ps(h0, zero, pd), m1 = _mm512_maskz_add_ps(h1, zero, pd);
          const __mmask8 lo = (__mmask8)tail, hi = (__mmask8)(tail >> 8);
          __m512d a0 = _mm512_maskz_loadu_pd(lo, acc + j), a1 = _mm512_maskz_loadu_pd(hi, acc + j + 8);
          a0 = _mm512_add_pd(a0, _mm512_cvtps_pd(_mm512_castps512_ps256(m0)));
          a1 = _mm512_add_pd(a1, _mm512_cvtps_pd(_mm512_castps512_ps256(_mm512_shuffle_f32x4(m0, m0, 0xee))));
          a0 = _mm512_add_pd(a0, _mm512_cvtps_pd(_mm512_castps512_ps256(m1)));
          a1 = _mm512_add_pd(a1, _mm512_cvtps_pd(_mm512_castps512_ps256(_mm512_shuffle_f32x4(m1, m1, 0xee))));
          _mm512_mask_storeu_pd(acc + j, lo, a0);
          _mm512_mask_storeu_pd(acc + j + 8, hi, a1);
          const __m512i words = _mm512_inserti64x4(_mm512_castsi256_si512((__m256i)_mm512_cvtneps_pbh(m0)),
                                                   (__m256i)_mm512_cvtneps_pbh(m1), 1);
          _mm512_store_si512((void*)dst, _mm512_permutexvar_epi16(idx, words));
        }
      r += 2;
      continue;
    }
    long w00, w01, w10 = 0, w11 = 0;
    windows_of(g, t0, w00, w01);
    if (second) windows_of(g, t1, w10, w11);
    double* a0 = sums + b0 * Cout;
    double* a1 = sums + b1 * Cout;
    const long q = r / 2, q0 = q / kBlockPairs * kBlockPairs, pstride = std::min(kBlockPairs, d.kp - q0) * d.nr;
    uint32_t* base = d.p + q0 * d.npad + (q - q0) * d.nr;
    const __mmask32 half = r % 2 ? 0xAAAAAAAAu : 0x55555555u;
    for (long pj = 0, j = 0; j < d.npad; ++pj)
      for (long c = 0; c < d.nr; c += 16, j += 16) {
        uint32_t* dst = base + pj * pstride + c;
        __m256i w0 = zw, w1 = zw;
        if (j < Cout) {
          const __mmask16 tail = tail_of(Cout - j);
          const __m512 m0 = gradient_chunk(g, To, Cout, b0, t0, w00, w01, j, tail, outside);
          add_sums(a0, j, tail, m0);
          w0 = (__m256i)_mm512_cvtneps_pbh(m0);
          if (second) {
            const __m512 m1 = gradient_chunk(g, To, Cout, b1, t1, w10, w11, j, tail, outside);
            add_sums(a1, j, tail, m1);
            w1 = (__m256i)_mm512_cvtneps_pbh(m1);
          }
        }
        if (both) {
          const __m512i words = _mm512_inserti64x4(_mm512_castsi256_si512(w0), w1, 1);
          _mm512_store_si512((void*)dst, _mm512_permutexvar_epi16(idx, words));
        } else {
          __m512i v = _mm512_cvtepu16_epi32(w0);
          if (r % 2) v = _mm512_slli_epi32(v, 16);
          _mm512_mask_storeu_epi16((void*)dst, half, v);
        }
      }
    r += both ? 2 : 1;
  }
  return outside != 0;
}

// Row r of d's gradient as pack_a lays out a row of op(A) = the gradient (words [0, words): pairs(Cout) dwords).
RL_BF16_CONV void unpair_row(const DyBf16& d, long r, long words, uint16_t* out) {
  const long q = r / 2, q0 = q / kBlockPairs * kBlockPairs, pstride = std::min(kBlockPairs, d.kp - q0) * d.nr;
  const uint32_t* base = d.p + q0 * d.npad + (q - q0) * d.nr;
  for (long pj = 0, j = 0; j < words; ++pj)
    for (long c = 0; c < d.nr && j < words; c += 16, j += 16) {
      __m512i v = _mm512_load_si512((const void*)(base + pj * pstride + c));
      if (r % 2) v = _mm512_srli_epi32(v, 16);
      _mm256_mask_storeu_epi16((void*)(out + j), tail_of(words - j), _mm512_cvtepi32_epi16(v));
    }
}

#else
// No bf16 kernels off x86: the backwards fail in require_kernels before they read dy.
bool gradient_rows(const GradSource&, long, long, const DyBf16&, long, long, double*) { std::abort(); }
void unpair_row(const DyBf16&, long, long, uint16_t*) { std::abort(); }
#endif

// Every row of the gradient rounded into d, and db's sums into acc (when not null): each sample's rows summed in
// double in order, then the samples' sums added in order (reference/bf16_conv1d.ts sums the same way). With xt (not
// null), each sample's x transposed (ci-major: row ci holds x[b, 0..T), ci]) and rounded into xt + b T Cin in the
// same pass, once for all the product's threads. Returns the flat index of the first argmax that is neither -1 nor in
// its window, or -1.
long round_gradient(const KernelSet& K, const Shape& c, const GradSource& g, const DyBf16& d, double* acc,
                    const float* x, uint16_t* xt) {
  const long To = c.To, Cout = c.Cout, TC = c.T * c.Cin;
  std::vector<double> sums((size_t)(c.B * Cout), 0.0);
  std::atomic<bool> outside{false};
  parallel_for(c.B, 1, To * Cout * 4 + (xt ? TC : 0), [&](long b0, long b1) {
    if (xt) {
      float* xf = reinterpret_cast<float*>(scratch(2, (size_t)TC));
      for (long b = b0; b < b1; ++b) {
        transpose_dwords(K, reinterpret_cast<const uint32_t*>(x + b * TC), c.Cin, c.T, c.Cin,
                         reinterpret_cast<uint32_t*>(xf), c.T);
        K.convert(xf, TC, xt + b * TC);
      }
    }
    if (gradient_rows(g, To, Cout, d, b0 * To, b1 * To, sums.data())) outside = true;
  });
  if (acc)
    for (long b = 0; b < c.B; ++b)
      for (long j = 0; j < Cout; ++j) acc[j] += sums[(size_t)(b * Cout + j)];
  if (!g.pooled) return -1;
  // gradient_row reads only windows with steps; an empty one (none with Keras's shapes) must hold -1 too.
  bool check = outside;
  for (long o = 0; o < g.p.To && !check; ++o) {
    const Window w = window_of(g.p, o);
    check = w.t0 >= w.t1;
  }
  for (long b = 0; check && b < c.B; ++b)
    if (const long at = first_outside(g.p, g.am, b); at >= 0) return at;
  return -1;
}

// Rows [i0, i1) of im2col^T, words [n0, n1): row i = (j, ci) holds at word n = (b, o) the bf16 of
// x[b, o s - pl + j, ci] (zero outside [0, T)), read from x transposed and rounded (xts, round_gradient's); row
// i - i0 goes to d + (i - i0) * ldw words.
void pack_im2col_t_block(const Shape& c, const uint16_t* xts, long i0, long i1, long n0, long n1, uint16_t* d,
                         long ldw) {
  for (long n = n0; n < n1;) {
    const long b = n / c.To, oa = n % c.To, ob = std::min(c.To, oa + (n1 - n));
    const uint16_t* xt = xts + b * c.T * c.Cin;
    for (long i = i0; i < i1; ++i) {
      const long j = i / c.Cin, ci = i % c.Cin;
      // outputs o whose input t = o s - pl + j lies in [0, T), within [oa, ob): [lo, hi)
      const long first = c.pl - j, last = c.T - 1 + c.pl - j;
      const long lo = std::clamp(first <= 0 ? 0 : (first + c.s - 1) / c.s, oa, ob);
      const long hi = std::clamp(last < 0 ? 0 : last / c.s + 1, lo, ob);
      uint16_t* dst = d + (i - i0) * ldw + (n - n0) - oa;  // word o of the sample's run
      const uint16_t* col = xt + ci * c.T;
      std::fill(dst + oa, dst + lo, uint16_t(0));
      if (c.s == 1 && hi > lo) std::memcpy(dst + lo, col + lo - c.pl + j, (size_t)(hi - lo) * sizeof(uint16_t));
      else for (long o = lo; o < hi; ++o) dst[o] = col[o * c.s - c.pl + j];
      std::fill(dst + hi, dst + ob, uint16_t(0));
    }
    n += ob - oa;
  }
}

// dx[b] = col2im(dy[b] w^T) for samples [b0, b1), each tile of dy w^T added into dx straight from the registers.
// Row o, column (j, ci) of the product belongs to dx[b, o s - pl + j, ci], at offset (o s - pl) Cin + (j Cin + ci)
// of the sample's dx: a C of row stride s Cin, starting pl Cin before the sample, whose rows overlap. Each dx sum
// takes its terms in the order col2im took them from a stored product (o ascending, hence j descending): row panels
// in order, column panels from the last, rows within a tile in order. A tile reaching outside the sample's [0, T)
// (the first and last row panels when padded) is summed aside and added element by element within it. The A
// operand, the sample's dy rounded (pack_a's layout, unpaired from DyBf16's), is made per sample and stays in L2.
void dx_samples(const KernelSet& K, const Shape& c, const DyBf16& dy, const uint32_t* wT, long b0, long b1, float* dx) {
  const long KC = c.KC(), kp = pairs(c.Cout), pn = (KC + K.nr - 1) / K.nr, ldc = c.s * c.Cin, end = c.T * c.Cin;
  const long lda = packed_a_ld(c.Cout), arows = round_up(c.To, K.mr);
  uint32_t* A = scratch(4, (size_t)(arows * lda));
  std::fill(A + c.To * lda, A + arows * lda, 0u);
  alignas(64) float local[16 * 64];
  for (long b = b0; b < b1; ++b) {
    for (long o = 0; o < c.To; ++o) unpair_row(dy, b * c.To + o, 2 * kp, reinterpret_cast<uint16_t*>(A + o * lda));
    float* xb = dx + b * c.T * c.Cin;
    std::fill(xb, xb + end, 0.0f);
    for (long o0 = 0; o0 < c.To; o0 += K.mr) {
      const long rows = std::min<long>(K.mr, c.To - o0), first = (o0 * c.s - c.pl) * c.Cin;
      const uint32_t* a = A + o0 * lda;
      for (long pj = pn - 1; pj >= 0; --pj) {
        const long j0 = pj * K.nr, cols = std::min<long>(K.nr, KC - j0);
        const uint32_t* bp = wT + pj * kp * K.nr;
        const long lo = first + j0, hi = first + (rows - 1) * ldc + j0 + cols;  // offsets the tile touches
        if (lo >= 0 && hi <= end) {
          const TileOut out{xb + lo, ldc, rows, cols, 1.0f, 1.0f, nullptr, ACT_LINEAR};
          K.tile_c(a, lda, bp, kp, nullptr, 0, out);
          continue;
        }
        std::fill(local, local + K.mr * K.nr, 0.0f);
        K.tile_cols(a, lda, bp, kp, local, K.nr, cols);
        for (long r = 0; r < rows; ++r)
          for (long j = 0; j < cols; ++j) {
            const long f = first + r * ldc + j0 + j;
            if (f >= 0 && f < end) xb[f] += local[r * K.nr + j];
          }
      }
    }
  }
}

// dw = im2col^T dy, in blocks of kBlockPairs k pairs (k is N, the rows (b, o) in order): each block's A operand is
// packed from x transposed and rounded (xt, round_gradient's) into a buffer that stays in L2 and multiplied at once
// by the block of the rounded gradient, already in pack_b's layout (DyBf16). Each thread takes whole row panels of dw
// (rows (j, ci)) over all blocks, packing its rows of im2col^T. After the block that ends a sample, the sample's dx (dx
// null: none), while its gradient is still in cache: samples b with b % threads == thread. The sums are
// gemm_packed's (from zero, pair after pair), the packings the same bf16 values as pack_a's and pack_b's, so the
// bits are theirs.
void backward(const KernelSet& K, const Shape& c, const uint16_t* xt, const DyBf16& dy, const uint32_t* wT, float* dw,
              float* dx) {
  const long KC = c.KC(), N = c.N(), Cout = c.Cout, kp = pairs(N);
  const long pm = (KC + K.mr - 1) / K.mr, pn = (Cout + K.nr - 1) / K.nr, npad = pn * K.nr;
  const long lda = std::min(kp, kBlockPairs);  // a block's pairs: the stride of its rows of im2col^T
  auto body = [&](int tid, int nth) {
    long p0 = 0, p1 = 0;
    split_range(pm, tid, nth, 1, &p0, &p1);
    const long i0 = p0 * K.mr, i1 = p1 * K.mr, rows = i1 - i0;
    uint32_t* A = scratch(0, (size_t)(rows * lda));
    float* work = reinterpret_cast<float*>(scratch(3, (size_t)(rows * npad)));
    for (long i = std::max(i0, KC); i < i1; ++i) std::fill(A + (i - i0) * lda, A + (i - i0 + 1) * lda, 0u);
    for (long q0 = 0; q0 < kp; q0 += kBlockPairs) {
      const long qn = std::min(kBlockPairs, kp - q0), n0 = 2 * q0, n1 = std::min(N, 2 * (q0 + qn));
      const bool first = q0 == 0, last = q0 + qn >= kp;
      if (rows > 0) {
        uint16_t* words = reinterpret_cast<uint16_t*>(A);
        pack_im2col_t_block(c, xt, i0, std::min(i1, KC), n0, n1, words, 2 * lda);
        if (n1 < 2 * (q0 + qn))  // the last pair's high half, past N
          for (long i = i0; i < std::min(i1, KC); ++i) words[(i - i0) * 2 * lda + (n1 - n0)] = 0;
      }
      const uint32_t* Bb = dy.block(q0);
      for (long pi = 0; pi < rows / K.mr; ++pi)
        for (long pj = 0; pj < pn; ++pj) {
          const long r0 = pi * K.mr, j0 = pj * K.nr, cols = std::min<long>(K.nr, Cout - j0);
          const uint32_t* a = A + r0 * lda;
          const uint32_t* b = Bb + pj * qn * K.nr;
          float* w = work + r0 * npad + j0;
          if (last) {
            const TileOut o{dw + (i0 + r0) * Cout + j0, Cout, std::min<long>(K.mr, KC - i0 - r0), cols, 1.0f, 0.0f,
                            nullptr, ACT_LINEAR};
            K.tile_c(a, lda, b, qn, first ? nullptr : w, npad, o);
          } else if (first) {
            K.tile_c(a, lda, b, qn, nullptr, 0, TileOut{w, npad, K.mr, cols, 1.0f, 0.0f, nullptr, ACT_LINEAR});
          } else {
            K.tile_cols(a, lda, b, qn, w, npad, cols);
          }
        }
      if (dx)
        for (long b = n0 / c.To; b < n1 / c.To; ++b)
          if (b % nth == tid) dx_samples(K, c, dy, wT, b, b + 1, dx);
    }
  };
  if (num_threads() > 1 && 2.0 * KC * Cout * N >= 1e6) parallel(body);
  else body(0, 1);
}

// The forward without a packed im2col, where every im2col row starts on a whole pair (Cin and the stride times Cin
// even): each sample's x rounded once into a zero-padded bf16 copy, whose rows (b, o) lie a uniform stride * Cin
// words apart, so the copy itself is the A operand of the sample's product (the same bf16 values, the same sums).
bool forward_in_place(const KernelSet& K, const Shape& c, const float* x, const uint32_t* Bp, float* y,
                      const float* bias, int act) {
  if (c.Cin % 2 != 0 || c.N() == 0) return false;
  const long lead = c.pl, rows = std::max(c.T + c.pl, (c.To - 1) * c.s - c.pl + c.K) + c.pl;  // padded steps
  // The last row tile reads up to mr rows past the sample's last output (results not stored): room for them.
  const long words = rows * c.Cin + (long)K.mr * c.s * c.Cin + 2 * c.KC() + 32;
  const long lda = c.s * c.Cin / 2, kp = pairs(c.KC());
  auto round_sample = [&](long b, uint16_t* d) {
    std::fill(d, d + lead * c.Cin, uint16_t(0));
    K.convert(x + b * c.T * c.Cin, c.T * c.Cin, d + lead * c.Cin);
    std::fill(d + (lead + c.T) * c.Cin, d + words, uint16_t(0));
  };
  if (kp > kBlockPairs || (act != ACT_LINEAR && act != ACT_RELU)) {
    uint16_t* xp = reinterpret_cast<uint16_t*>(scratch(0, (size_t)(c.B * words / 2 + 16)));
    parallel_for(c.B, 1, c.T * c.Cin, [&](long b0, long b1) {
      for (long b = b0; b < b1; ++b) round_sample(b, xp + b * words);
    });
    for (long b = 0; b < c.B; ++b) {
      const PackedA A{reinterpret_cast<const uint32_t*>(xp + b * words), lda};
      gemm_packed(K, c.To, c.Cout, c.KC(), A, Bp, 1.0f, 0.0f, y + b * c.To * c.Cout, c.Cout, bias, act);
    }
    return true;
  }
  // One k block, each tile finished from the registers (as gemm_packed does), a sample at a time: its rounded copy
  // is still in L2 for its product, and column panels go outermost so that a panel of w stays in L1 across the
  // sample's row panels.
  const long pn = (c.Cout + K.nr - 1) / K.nr;
  parallel_for(c.B, 1, c.To * c.Cout * c.KC(), [&](long b0, long b1) {
    uint16_t* xb = reinterpret_cast<uint16_t*>(scratch(0, (size_t)(words / 2 + 16)));
    const uint32_t* A = reinterpret_cast<const uint32_t*>(xb);
    for (long b = b0; b < b1; ++b) {
      round_sample(b, xb);
      float* yb = y + b * c.To * c.Cout;
      for (long pj = 0; pj < pn; ++pj) {
        const long j0 = pj * K.nr, cols = std::min<long>(K.nr, c.Cout - j0);
        const uint32_t* bp = Bp + pj * kp * K.nr;
        for (long o0 = 0; o0 < c.To; o0 += K.mr) {
          const TileOut out{yb + o0 * c.Cout + j0, c.Cout, std::min<long>(K.mr, c.To - o0), cols, 1.0f, 0.0f,
                            bias ? bias + j0 : nullptr, act};
          K.tile_c(A + o0 * lda, lda, bp, kp, nullptr, 0, out);
        }
      }
    }
  });
  return true;
}

// conv1dBf16(B, T, Cin, Cout, K, stride, padLeft, To, x, w, bias | null, y, act): conv1d's contract.
Napi::Value Conv1dBf16(const Napi::CallbackInfo& info) {
  Args a(info, "conv1dBf16");
  const Shape c = read_shape(a);
  const float* x = a.f32(8, "x", dims_product(a, "x", {c.B, c.T, c.Cin}));
  const float* w = a.f32(9, "w", dims_product(a, "w", {c.K, c.Cin, c.Cout}));
  const float* bias = a.f32(10, "bias", (size_t)c.Cout, true);
  float* y = a.f32(11, "y", dims_product(a, "y", {c.B, c.To, c.Cout}));
  const int act = act_code(a, 12, "act");
  const KernelSet* K = require_kernels(a, "conv1dBf16");
  if (!a.ok() || c.N() == 0 || c.Cout == 0) return info.Env().Undefined();
  const Im2col im{&c, x};
  const Strided wr{w, c.Cout};
  const uint32_t* Bp = pack_b(*K, false, c.KC(), c.Cout, wr.rows(), 1);
  if (forward_in_place(*K, c, x, Bp, y, bias, act)) return info.Env().Undefined();
  const PackedA A = pack_a(*K, false, c.N(), c.KC(), im.rows(), 0);
  gemm_packed(*K, c.N(), c.Cout, c.KC(), A, Bp, 1.0f, 0.0f, y, c.Cout, bias, act);
  return info.Env().Undefined();
}

// The backward from the gradient's source (conv1dBf16Backward's or conv1dBf16PooledBackward's), its arguments read.
void run_backward(Args& a, const KernelSet& K, const Shape& c, const float* x, const float* w, const GradSource& g,
                  float* dx, float* dw, float* db) {
  const long N = c.N(), KC = c.KC();
  std::vector<double> acc(db ? (size_t)c.Cout : 0, 0.0);
  // The rounded gradient in the dw product's layout, and x transposed and rounded for its A operand (when it runs),
  // outside the scratch slots, which the blocks' threads all use; kept between calls (no fresh pages per step).
  const long kp = pairs(N), npad = round_up(c.Cout, K.nr);
  thread_local std::vector<uint32_t> dy_buffer;
  dy_buffer.resize((size_t)(kp * npad) + 16);
  const DyBf16 dy{aligned64(dy_buffer.data()), N, kp, K.nr, npad};
  thread_local std::vector<uint16_t> xt_buffer;
  const bool products = c.Cout > 0 && N > 0 && KC > 0;
  if (products) xt_buffer.resize((size_t)(c.B * c.T * c.Cin));
  if (const long at = round_gradient(K, c, g, dy, db ? acc.data() : nullptr, x, products ? xt_buffer.data() : nullptr);
      at >= 0) {
    a.fail("argmax", argmax_outside(g.p, g.am, at));
    return;
  }
  const Strided wr{w, c.Cout};
  const bool fused = dx && N > 0 && KC > 0 && c.Cout > 0;
  // op(B) = w^T (its columns are w's rows), outside the scratch slots.
  thread_local std::vector<uint32_t> wT_buffer;
  const uint32_t* wT = nullptr;
  if (dx && N > 0 && KC > 0) {
    wT_buffer.resize((size_t)packed_b_dwords(K, c.Cout, KC) + kPackSlackDwords);
    wT = pack_b_into(K, true, c.Cout, KC, wr.rows(), aligned64(wT_buffer.data()));
  }
  if (c.Cout > 0) backward(K, c, xt_buffer.data(), dy, wT, dw, fused ? dx : nullptr);
  if (db)
    for (long j = 0; j < c.Cout; ++j) db[j] = (float)acc[(size_t)j];
  if (!dx || fused) return;
  if (N == 0 || KC == 0) std::fill(dx, dx + c.B * c.T * c.Cin, 0.0f);
  else  // Cout = 0: no rows of the gradient
    parallel_for(c.B, 1, c.To * KC * c.Cout, [&](long b0, long b1) { dx_samples(K, c, dy, wT, b0, b1, dx); });
}

// The arguments both backwards start with: the shape, x and w.
struct Operands {
  Shape c;
  size_t nx, nw;
  const float* x;
  const float* w;
};
Operands read_operands(Args& a) {
  Operands o{read_shape(a), 0, 0, nullptr, nullptr};
  o.nx = dims_product(a, "x", {o.c.B, o.c.T, o.c.Cin});
  o.nw = dims_product(a, "w", {o.c.K, o.c.Cin, o.c.Cout});
  o.x = a.f32(8, "x", o.nx);
  o.w = a.f32(9, "w", o.nw);
  return o;
}

// conv1dBf16Backward(B, T, Cin, Cout, K, stride, padLeft, To, x, w, dy, dx | null, dw, db | null, dilation (1 or
// undefined), reluY | null): conv1d.cc's contract, db summed per sample (round_gradient).
Napi::Value Conv1dBf16Backward(const Napi::CallbackInfo& info) {
  Args a(info, "conv1dBf16Backward");
  const Operands op = read_operands(a);
  const Shape& c = op.c;
  GradSource g;
  g.dy = a.f32(10, "dy", dims_product(a, "dy", {c.B, c.To, c.Cout}));
  float* dx = a.f32(11, "dx", op.nx, true);
  float* dw = a.f32(12, "dw", op.nw);
  float* db = a.f32(13, "db", (size_t)c.Cout, true);
  if (info.Length() > 14 && !info[14].IsUndefined() && a.integer(14, "dilation", 1) != 1 && a.ok())
    a.fail("dilation", "must be 1 (the bf16 convolution has no dilation)");
  g.relu_y = a.f32(15, "reluY", dims_product(a, "reluY", {c.B, c.To, c.Cout}), true);
  const KernelSet* K = require_kernels(a, "conv1dBf16Backward");
  if (a.ok()) run_backward(a, *K, c, op.x, op.w, g, dx, dw, db);
  return info.Env().Undefined();
}

// conv1dBf16PooledBackward(B, T, Cin, Cout, K, stride, padLeft, To, x, w, pooledDy, argmax, pool, poolStride,
// poolPadLeft, pooledTo, dx | null, dw, db | null, pooledY | null): the backward of a Conv1D (linear, or relu with
// pooledY) followed by maxPool1d(B, To, Cout, pool, poolStride, poolPadLeft, pooledTo), from the pooling's gradient
// and argmax; the same bits as maxPool1dBackward's dx passed to conv1dBf16Backward (with the Conv1D's output as
// reluY), without either full-size array. pooledY is the pooling's output.
Napi::Value Conv1dBf16PooledBackward(const Napi::CallbackInfo& info) {
  Args a(info, "conv1dBf16PooledBackward");
  const Operands op = read_operands(a);
  const Shape& c = op.c;
  GradSource g;
  g.pooled = true;
  PoolShape& p = g.p;
  p.B = c.B, p.T = c.To, p.C = c.Cout;
  p.pool = (long)a.integer(12, "pool", 1);
  p.stride = (long)a.integer(13, "poolStride", 1);
  p.pl = (long)a.integer(14, "poolPadLeft");
  p.To = (long)a.integer(15, "pooledTo");
  const long lim = 1L << 31;  // maxPool1d's bounds (pool_shape.h): argmax is int32
  if (a.ok() && (p.T >= lim || p.pool > lim || p.stride > lim || p.pl > lim || p.To > lim))
    a.fail("To/pool/poolStride/poolPadLeft/pooledTo", "is too large");
  const size_t np = dims_product(a, "pooledDy", {c.B, p.To, c.Cout});
  g.pdy = a.f32(10, "pooledDy", np);
  g.am = a.i32(11, "argmax", np);
  float* dx = a.f32(16, "dx", op.nx, true);
  float* dw = a.f32(17, "dw", op.nw);
  float* db = a.f32(18, "db", (size_t)c.Cout, true);
  g.py = a.f32(19, "pooledY", np, true);
  const KernelSet* K = require_kernels(a, "conv1dBf16PooledBackward");
  if (a.ok()) run_backward(a, *K, c, op.x, op.w, g, dx, dw, db);
  return info.Env().Undefined();
}

const bool exported = add_bindings({{"conv1dBf16", Conv1dBf16},
                                    {"conv1dBf16Backward", Conv1dBf16Backward},
                                    {"conv1dBf16PooledBackward", Conv1dBf16PooledBackward}});

}  // namespace
}  // namespace bf16
}  // namespace rl
