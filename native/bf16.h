// Mixed bfloat16 products (Keras's mixed_bfloat16 policy): operands are rounded from fp32 to bf16 when they are
// packed, multiplied with AVX512-BF16's vdpbf16ps and accumulated in fp32; everything else stays fp32.
//
// Rounding (KernelSet::convert): round to nearest, ties to even; NaN stays NaN (made quiet), infinities stay, values that
// round past the largest bf16 become infinities, and fp32 subnormals become signed zeros. That is exactly
// VCVTNEPS2BF16's rule, so scalar and vector conversions agree, and src/backend/reference/bf16_round.ts
// implements the same.
//
// Packed layout (both operands, so one vdpbf16ps multiplies a k pair): a dword holds the bf16 of op[.., 2q] in
// its low half and of op[.., 2q + 1] in its high half (zero past k). A is row-major (a row's pairs are its bf16
// values in order, so packing it is a plain conversion); B is cut into panels nr columns wide (dword [q * nr + j]),
// zero-padded past n.
//
// Accumulation order is fixed, whatever the blocking or threading: acc starts at 0 and, for q = 0, 1, ...,
// acc += a[2q+1] b[2q+1], then acc += a[2q] b[2q] (vdpbf16ps's order; each product is exact in fp32, each sum is
// rounded to nearest even; subnormal sums flush to zero). The reference GEMM follows the same order.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>

#include "kernel_util.h"

namespace rl {
namespace bf16 {

inline float widen(uint16_t h) {
  const uint32_t u = (uint32_t)h << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// Lines of B a tile asks into L2 while it computes, spread over its k loop: the B a later tile reads first, which
// would otherwise stall that tile on memory. Lines [first, end) of equal ranges of range_lines lines each, the
// first at p, the next `stride` dwords on (none when end <= first).
struct Fetch {
  const uint32_t* p = nullptr;
  long first = 0, end = 0;
  long range_lines = 1L << 40, stride = 0;
  long lines() const { return end - first; }
};

// Where a finished tile goes: rows x cols of C (bias indexed from the tile's first column).
struct TileOut {
  float* C;
  long ldc, rows, cols;
  float alpha, beta;
  const float* bias;
  int act;
};

struct PackedA;

// The micro-kernel and conversions of one instruction set.
struct KernelSet {
  int mr, nr;
  // acc[r * ldacc + j] (r < mr, j < nr) += sum over kp pairs of A row r (dwords a[r * lda + q]) times the B panel
  // (dwords b[q * nr + j]), in the order above.
  void (*tile)(const uint32_t* a, long lda, const uint32_t* b, long kp, float* acc, long ldacc);
  // The same starting from acc0 (null: zeros), then C = act(alpha * acc + beta * C + bias) from the registers, for
  // act linear or relu (gemm.h's epilogue, operation for operation).
  void (*tile_c)(const uint32_t* a, long lda, const uint32_t* b, long kp, const float* acc0, long ld0, const TileOut& o);
  // y[i] = round(x[i]) for i < n (contiguous: the pairs of a row come out packed).
  void (*convert)(const float* x, long n, uint16_t* y);
  // y[j] = round(x0[j]) | round(x1[j]) << 16 for j < n; x1 null means zeros.
  void (*interleave)(const float* x0, const float* x1, long n, uint32_t* y);
  // d[c * ldd + r] = s[r * lds + c] for r, c < 16 (a 16 x 16 block of dwords transposed).
  void (*transpose16)(const uint32_t* s, long lds, uint32_t* d, long ldd);
  // tile for a panel's first `cols` columns (the other sums may be left as they were): a last panel of a few
  // columns then costs a part of a full one.
  void (*tile_cols)(const uint32_t* a, long lda, const uint32_t* b, long kp, float* acc, long ldacc, long cols);
  // gemm_packed's product and epilogue (act linear or relu) with 5-row x 80-column register tiles, k blocked in 256
  // pairs, rows split among the threads: the same sums, hence the same bits. It fits a few rows (100 x 400, the
  // LSTM's dR and input kernel gradient) better than the mr x nr tile; gemm_packed picks it by fitted_wins.
  void (*fitted)(const KernelSet& K, long m, long n, long k, const PackedA& A, const uint32_t* Bp,
                 const TileOut& o);
  // tile_cols and tile_c, also fetching f's lines.
  void (*tile_cols_fetch)(const uint32_t* a, long lda, const uint32_t* b, long kp, float* acc, long ldacc, long cols,
                          const Fetch& f);
  void (*tile_c_fetch)(const uint32_t* a, long lda, const uint32_t* b, long kp, const float* acc0, long ld0,
                       const TileOut& o, const Fetch& f);
};

// The bf16 kernels of the instruction set in force, or null where it has none or the CPU lacks AVX512-BF16.
const KernelSet* active();

inline long pairs(long k) { return (k + 1) / 2; }
inline long round_up(long a, long b) { return (a + b - 1) / b * b; }
// x[0, n) rounded into d as a packed row of pairs: the high half of an odd n's last pair zero (pack_a's rows).
inline void round_pairs(const KernelSet& K, const float* x, long n, uint16_t* d) {
  K.convert(x, n, d);
  if (n & 1) d[n] = 0;
}

// A 64-byte aligned dword buffer per (calling) thread and slot that grows and is reused.
uint32_t* scratch(int slot, size_t n);

// Where an operand's rows are: row(r) points at the r-th stored row (n contiguous floats), or is null for a row of
// zeros (im2col's padding). A std::function would cost a call per row only, which is cheap next to the row.
using RowFn = const float* (*)(const void* ctx, long r);
struct Rows {
  RowFn fn;
  const void* ctx;
  const float* operator()(long r) const { return fn(ctx, r); }
};
// The rows of a plain row-major matrix.
struct Strided {
  const float* p;
  long ld;
  static const float* row(const void* c, long r) {
    const Strided* s = static_cast<const Strided*>(c);
    return s->p + r * s->ld;
  }
  Rows rows() const { return {row, this}; }
};

// Packed operands. A: round_up(m, mr) rows of pairs(k) dwords (row-major, zero padded). B: panels of nr columns,
// pairs(k) x nr dwords each.
struct PackedA {
  const uint32_t* p;
  long ld;
};
// op(A) m x k with op(A)[i, :] = rows(i) (k floats; ta = false) or op(A)[:, p] = rows(p) (m floats; ta = true).
PackedA pack_a(const KernelSet& K, bool ta, long m, long k, Rows rows, int slot);
// op(B) k x n with op(B)[p, :] = rows(p) (n floats; tb = false) or op(B)[:, j] = rows(j) (k floats; tb = true).
const uint32_t* pack_b(const KernelSet& K, bool tb, long k, long n, Rows rows, int slot);
// The same into dst (packed_b_dwords(K, k, n) dwords, 64-byte aligned) instead of a scratch slot.
const uint32_t* pack_b_into(const KernelSet& K, bool tb, long k, long n, Rows rows, uint32_t* dst);
long packed_b_dwords(const KernelSet& K, long k, long n);
// Part of pack_b_into's work, on the calling thread: k pairs [lo, hi) when tb is false, else column panels [lo, hi)
// (nr columns each). The parts of a packing are independent, so any split gives the same packing.
void pack_b_part(const KernelSet& K, bool tb, long k, long n, Rows rows, uint32_t* dst, long lo, long hi);

// d[c * ldd + r] = s[r * lds + c] for r < rows, c < cols: whole 16 x 16 blocks in registers (K.transpose16), the
// edges one dword at a time. The one transposition of the packings (moving a dword at a time was half their time).
void transpose_dwords(const KernelSet& K, const uint32_t* s, long lds, long rows, long cols, uint32_t* d, long ldd);

// A packed B handed to JavaScript (an Int32Array, only 16-byte aligned) starts at the first 64-byte boundary of a
// buffer kPackSlackDwords longer than packed_b_dwords, found again from the same (unmoving) address.
constexpr size_t kPackSlackDwords = 16;
inline uint32_t* aligned64(void* p) {
  const uintptr_t u = reinterpret_cast<uintptr_t>(p);
  return reinterpret_cast<uint32_t*>((u + 63) & ~uintptr_t(63));
}
inline size_t packed_b_words_js(const KernelSet& K, long k, long n) { return (size_t)packed_b_dwords(K, k, n) + kPackSlackDwords; }
// pack_a's row stride (dwords) for k, and the Int32Array length of a packed op(A) m x k handed to JavaScript.
inline long packed_a_ld(long k) {
  const long kp = pairs(k);
  return kp % 1024 == 0 ? kp + 16 : kp;  // rows 4 KB apart would share cache sets
}
inline size_t packed_a_words_js(const KernelSet& K, long m, long k) {
  return (size_t)(round_up(m, K.mr) * packed_a_ld(k)) + kPackSlackDwords;
}

// The packings of a weight W (rows x cols, row-major) an optimizer update makes while it writes W, for the bf16
// weight cache (src/backend/bf16_weight_cache.ts): op(B) = W (plain) and op(B) = W^T (transposed), as gemmBf16PackB
// packs them into JavaScript's Int32Arrays; either may be null. K is null when no packing was asked for.
struct UpdatePackings {
  const KernelSet* K = nullptr;
  const float* w = nullptr;
  long rows = 0, cols = 0;
  uint32_t* plain = nullptr;
  uint32_t* transposed = nullptr;
};
// The optimizer bindings' optional trailing arguments (rows, cols, packed | null, packedT | null) from `at` on, for
// an update of the n weights at w.
UpdatePackings update_packings(Args& a, const Napi::CallbackInfo& info, size_t at, const float* w, size_t n);
// update(i0, i1) over the n = rows * cols weights in blocks of whole rows (nr of them, a multiple of 16 weights as
// the optimizers' parallel split), each block packed right after its update, while it is in cache. The packings are
// gemmBf16PackB's, bit for bit (the same roundings into the same layout; test/kernels/bf16_weight_cache.test.ts).
void update_and_pack(const UpdatePackings& u, const std::function<void(long, long)>& update);

// Whether K.fitted computes fewer padded sums than the mr x nr tiles for C m x n over k (only deep products of a
// few rows: its blocking keeps all of A's rows of a k block in cache).
bool fitted_wins(const KernelSet& K, long m, long n, long k, int act);

// C = act(alpha * A B + beta * C + bias) for packed operands (the epilogue is the fp32 GEMM's finish_row).
void gemm_packed(const KernelSet& K, long m, long n, long k, PackedA A, const uint32_t* Bp, float alpha, float beta,
                 float* C, long ldc, const float* bias, int act);
// The same with A's stored rows instead of op(A)'s packing (a's rows are op(A)'s rows, k floats each, or with ta its
// columns, m floats each): rounded as the product reaches them, the same roundings as pack_a's, hence the same bits.
void gemm_lazy(const KernelSet& K, bool ta, long m, long n, long k, Rows a, const uint32_t* Bp, float alpha,
               float beta, float* C, long ldc, const float* bias, int act);

// The kernels, or null after failing `a` with a message naming the kernel, the ISA in force and the CPU's features.
const KernelSet* require_kernels(Args& a, const char* kernel);

// gemm.h's sgemm contract with bf16 products; K from active() (the caller checked it is there).
void gemm(const KernelSet& K, bool ta, bool tb, long m, long n, long k, float alpha, const float* A, long lda,
          const float* B, long ldb, float beta, float* C, long ldc, const float* bias, int act);

}  // namespace bf16
}  // namespace rl
