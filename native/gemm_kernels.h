// Internal interface between the SGEMM driver (gemm.cc: blocking over n and k, threading, dispatch, binding)
// and the per-instruction-set kernels (gemm_avx512.cc, gemm_avx2.cc, gemm_portable.cc).
//
// Each instruction set supplies a register-tiled micro-kernel of mr x nr (rows x columns of C), the packing
// routines that feed it, and a "block" routine that sweeps one cache block of C with it. The kernel reads each
// operand either in place (A always, unless its panels would span too much memory; B when it is not transposed
// and packing would not pay) or packed: A panels as kc x mr (one column of op(A) per k step, mr floats apart),
// B panels as kc x w with w the panel's width rounded up to the vector width, zero-padded, so the micro-kernel's
// loads never leave the buffer.
#pragma once

#include <limits>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RL_GEMM_X86 1
#else
#define RL_GEMM_X86 0
#endif

namespace rl {
namespace gemm {

// How a micro-tile is written back: C = act(alpha * acc + beta * C + bias).
// beta == 0 means C is not read at all (its old contents may be NaN); bias (indexed from the block's first
// column) may be null; act is an rl::Act code.
struct Epilogue {
  float alpha;
  float beta;
  const float* bias;
  int act;
};

// One cache block: C[0..m, 0..n] = epilogue(op(A)[0..m, 0..kc] * Bk[0..kc, 0..n]).
//  - A points at op(A)[0, 0] of the block; op(A)[i, p] is A[i * lda + p], or A[p * lda + i] when ta. With
//    a_packed each mr-row panel is packed into abuf (at least mr * kc + 16 floats, 64-byte aligned) before use;
//    otherwise the kernel reads A in place and abuf may be null.
//  - Bk is either packed by the same KernelSet's pack_b (b_packed; ldb ignored), or, for a B that is not
//    transposed, read in place: Bk[p, j] = B[p * ldb + j] (the kernel masks its loads at the right edge).
struct Block {
  bool ta;
  const float* A;
  long lda;
  bool a_packed;
  const float* B;
  long ldb;
  bool b_packed;
  long m, n, kc;
  float* C;
  long ldc;
  Epilogue epi;
  float* abuf;
};

// A KernelSet limit that never binds.
constexpr double kNoLimit = std::numeric_limits<double>::infinity();

struct KernelSet {
  const char* name;
  int mr;   // rows of a micro-tile
  int nr;   // columns of a micro-tile (a multiple of vec)
  int vec;  // floats per vector register
  long kc;  // depth of a cache block (an mr x kc panel of A stays in L1)
  long nc;  // width of a cache block (a kc x nc block of B stays in L2); a multiple of nr
  // A B (not transposed) too big to stay in cache is read in place, unpacked, only by products of at most this many
  // rows of C: fewer rows than that would not repay packing it (gemm.cc, b_in_place).
  long direct_b_max_rows;
  // A B small enough to stay in cache is read in place unless C is larger than this many bytes: a C that big
  // streams through the cache and evicts B's lines between their uses, and a packed B then reads faster.
  double direct_b_max_c_bytes;  // kNoLimit: any C
  // Packs op(B)[0..kc, 0..nc] (B[p * ldb + j], or B[j * ldb + p] when tb) into panels of nr columns:
  // panel q starts at dst + q * nr * kc. dst needs kc * round_up(nc, nr) floats, 64-byte aligned.
  void (*pack_b)(bool tb, const float* B, long ldb, long kc, long nc, float* dst);
  void (*block)(const Block& blk);
  // c[j] = act(src[j] + beta * c[j] + bias[j]) for j < n; src null means zeros, bias null means none,
  // beta == 0 means c is not read.
  void (*finish_row)(long n, const float* src, float beta, const float* bias, int act, float* c);
};

}  // namespace gemm
}  // namespace rl
