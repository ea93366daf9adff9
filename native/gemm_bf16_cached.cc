// The bf16 GEMM with a B operand packed once and reused (src/backend/bf16_weight_cache.ts keeps one per weight and
// optimizer step): gemmBf16PackB packs op(B) exactly as gemmBf16 does on every call, and gemmBf16PackedB runs
// gemmBf16's product with that packing, so both give the same bits as gemmBf16.
#include <napi.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "bf16.h"
#include "common.h"
#include "isa.h"
#include "kernel_util.h"

#if RL_X86
#include <immintrin.h>
#endif

namespace rl {
namespace bf16 {
namespace {

// gemmBf16PackB(transB, k, n, b, into | null) -> Int32Array: op(B) (k x n) rounded and packed in gemmBf16's panel
// layout, into `into` when given (a packing of the same shape made before: the weight's next version reuses its
// buffer, so a step allocates nothing), else into a new array.
Napi::Value GemmBf16PackB(const Napi::CallbackInfo& info) {
  Args a(info, "gemmBf16PackB");
  const bool tb = a.flag(0, "transB");
  const int64_t k = a.integer(1, "k");
  const int64_t n = a.integer(2, "n");
  const size_t kn = dims_product(a, "b", {k, n});
  const float* B = a.f32(3, "b", kn);
  const KernelSet* K = require_kernels(a, "gemmBf16PackB");
  const size_t words = K && a.ok() ? packed_b_words_js(*K, (long)k, (long)n) : 0;
  const bool reuse = info.Length() > 4 && !info[4].IsNull() && !info[4].IsUndefined();
  int32_t* into = reuse ? a.i32(4, "into", words) : nullptr;
  if (!a.ok()) return info.Env().Undefined();
  Napi::Int32Array out = reuse ? info[4].As<Napi::Int32Array>() : Napi::Int32Array::New(info.Env(), words);
  if (words > kPackSlackDwords) {
    const Strided b{B, tb ? (long)k : (long)n};
    pack_b_into(*K, tb, (long)k, (long)n, b.rows(), aligned64(reuse ? into : out.Data()));
  }
  return out;
}

// gemmBf16PackedB(transA, m, n, k, alpha, a, packedB, beta, c, bias, act): gemmBf16 with op(B) from gemmBf16PackB.
Napi::Value GemmBf16PackedB(const Napi::CallbackInfo& info) {
  Args a(info, "gemmBf16PackedB");
  const bool ta = a.flag(0, "transA");
  const int64_t m = a.integer(1, "m");
  const int64_t n = a.integer(2, "n");
  const int64_t k = a.integer(3, "k");
  const double alpha = a.num(4, "alpha");
  const size_t mk = dims_product(a, "a", {m, k});
  const size_t mn = dims_product(a, "c", {m, n});
  const float* A = a.f32(5, "a", mk);
  const KernelSet* K = require_kernels(a, "gemmBf16PackedB");
  const size_t words = K && a.ok() ? packed_b_words_js(*K, (long)k, (long)n) : 0;
  int32_t* Bp = a.i32(6, "packedB", words);
  const double beta = a.num(7, "beta");
  float* C = a.f32(8, "c", mn);
  const float* bias = a.f32(9, "bias", (size_t)n, true);
  const int act = act_code(a, 10, "act");
  if (!a.ok()) return info.Env().Undefined();
  if (m <= 0 || n <= 0) return info.Env().Undefined();
  if (k <= 0 || alpha == 0.0f) {  // gemmBf16's path for an empty product (nothing packed is read)
    gemm(*K, ta, false, (long)m, (long)n, (long)k, (float)alpha, A, ta ? (long)m : (long)k, nullptr, (long)n,
         (float)beta, C, (long)n, bias, act);
    return info.Env().Undefined();
  }
  const Strided sa{A, ta ? (long)m : (long)k};
  gemm_lazy(*K, ta, (long)m, (long)n, (long)k, sa.rows(), aligned64(Bp), (float)alpha, (float)beta, C, (long)n,
            bias, act);
  return info.Env().Undefined();
}

// An Int32Array length for a packing of two dimensions (d0, d1), by `words`.
template <size_t (*words)(const KernelSet&, long, long)>
Napi::Value packed_length(const Napi::CallbackInfo& info, const char* kernel, const char* d0, const char* d1) {
  Args a(info, kernel);
  const int64_t x = a.integer(0, d0);
  const int64_t y = a.integer(1, d1);
  const KernelSet* K = require_kernels(a, kernel);
  if (!a.ok()) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), (double)words(*K, (long)x, (long)y));
}

// gemmBf16PackedLength(k, n): the Int32Array length gemmBf16PackB makes for op(B) k x n (and lstmBf16Backward's
// packedDxp needs, with k = B*T and n = 4U).
Napi::Value GemmBf16PackedLength(const Napi::CallbackInfo& info) {
  return packed_length<packed_b_words_js>(info, "gemmBf16PackedLength", "k", "n");
}

// gemmBf16PackedALength(m, k): the Int32Array length of an A operand m x k packed as gemmBf16 packs it
// (lstmBf16Backward's packedGates, with m = B*T and k = 4U).
Napi::Value GemmBf16PackedALength(const Napi::CallbackInfo& info) {
  return packed_length<packed_a_words_js>(info, "gemmBf16PackedALength", "m", "k");
}

// gemmBf16PackedAB(m, n, k, alpha, packedA, packedB, beta, c, bias, act): gemmBf16 (transA false) with op(A) from
// lstmBf16Backward's packedGates and op(B) from gemmBf16PackB: the same bits as gemmBf16 on the unpacked operands.
Napi::Value GemmBf16PackedAB(const Napi::CallbackInfo& info) {
  Args a(info, "gemmBf16PackedAB");
  const int64_t m = a.integer(0, "m", 1);
  const int64_t n = a.integer(1, "n", 1);
  const int64_t k = a.integer(2, "k", 1);
  const double alpha = a.num(3, "alpha");
  const KernelSet* K = require_kernels(a, "gemmBf16PackedAB");
  const bool sized = K && a.ok();
  int32_t* Ap = a.i32(4, "packedA", sized ? packed_a_words_js(*K, (long)m, (long)k) : 0);
  int32_t* Bp = a.i32(5, "packedB", sized ? packed_b_words_js(*K, (long)k, (long)n) : 0);
  const double beta = a.num(6, "beta");
  float* C = a.f32(7, "c", dims_product(a, "c", {m, n}));
  const float* bias = a.f32(8, "bias", (size_t)n, true);
  const int act = act_code(a, 9, "act");
  if (!a.ok()) return info.Env().Undefined();
  if (alpha == 0.0) {  // gemmBf16's path: nothing packed is read
    gemm(*K, false, false, (long)m, (long)n, (long)k, 0.0f, nullptr, (long)k, nullptr, (long)n, (float)beta, C, (long)n,
         bias, act);
    return info.Env().Undefined();
  }
  const PackedA A{aligned64(Ap), packed_a_ld((long)k)};
  gemm_packed(*K, (long)m, (long)n, (long)k, A, aligned64(Bp), (float)alpha, (float)beta, C, (long)n, bias, act);
  return info.Env().Undefined();
}

}  // namespace

UpdatePackings update_packings(Args& a, const Napi::CallbackInfo& info, size_t at, const float* w, size_t n) {
  UpdatePackings u;
  if (info.Length() <= at || info[at].IsUndefined()) return u;
  u.rows = (long)a.integer(at, "rows");
  u.cols = (long)a.integer(at + 1, "cols");
  if (a.ok() && (size_t)u.rows * (size_t)u.cols != n)
    a.fail("rows", "times cols must be the weight's length " + std::to_string(n) + ", got " + std::to_string(u.rows) +
                       " x " + std::to_string(u.cols));
  const KernelSet* K = a.ok() ? require_kernels(a, "an update that packs bf16 weights") : nullptr;
  int32_t* plain = a.i32(at + 2, "packed", K ? packed_b_words_js(*K, u.rows, u.cols) : 0, true);
  int32_t* transposed = a.i32(at + 3, "packedT", K ? packed_b_words_js(*K, u.cols, u.rows) : 0, true);
  if (!a.ok() || (!plain && !transposed)) return UpdatePackings{};
  u.K = K;
  u.w = w;
  u.plain = plain ? aligned64(plain) : nullptr;
  u.transposed = transposed ? aligned64(transposed) : nullptr;
  return u;
}

namespace {

// The optimizer's packings (2 x 25 MB on the CNN head) are written with streaming stores, whole lines from a block
// in L1: an ordinary store first reads its line from memory, and with two threads sharing the memory bus those reads
// cost more than the stores (adam on the CNN head at 2 threads: 6.8 -> 6.4 ms). The values are the same.
#if RL_X86
__attribute__((target("avx512f"))) void stream_lines(uint32_t* to, const uint32_t* from, long dwords) {
  for (long i = 0; i < dwords; i += 16)
    _mm512_stream_si512(reinterpret_cast<__m512i*>(to + i), _mm512_load_si512((const void*)(from + i)));
}
// Orders this thread's streaming stores before whatever tells another thread that the packing is done.
void stream_fence() { _mm_sfence(); }
#else
void stream_lines(uint32_t* to, const uint32_t* from, long dwords) { std::memcpy(to, from, (size_t)dwords * 4); }
void stream_fence() {}
#endif

// pack_b_part(K, false, rows, cols, w, dst, q0, q1) panel by panel (a panel's pairs [q0, q1) are one run of dst).
void pack_plain_pairs(const KernelSet& K, long rows, long cols, const float* w, uint32_t* dst, long q0, long q1) {
  const long kp = pairs(rows), pn = (cols + K.nr - 1) / K.nr;
  alignas(64) uint32_t line[64];  // K.nr dwords, whole lines
  for (long pj = 0; pj < pn; ++pj) {
    const long j0 = pj * K.nr, n = std::min<long>(K.nr, cols - j0);
    for (long q = q0; q < q1; ++q) {
      const float* r0 = w + 2 * q * cols + j0;
      const float* r1 = 2 * q + 1 < rows ? r0 + cols : nullptr;
      K.interleave(r0, r1, n, line);
      std::fill(line + n, line + K.nr, 0u);
      stream_lines(dst + (pj * kp + q) * K.nr, line, K.nr);
    }
  }
}

// pack_b_part(K, true, cols, rows, w, dst, pj, pj + 1): W's rows [pj nr, pj nr + nr) are op(B) = W^T's columns of
// panel pj, converted into tmp (nr rows of ldt >= round_up(kp, 16) dwords, zero past kp: the caller zeroes it once)
// and transposed 16 x 16 dwords at a time through a stack block.
void pack_transposed_panel(const KernelSet& K, long rows, long cols, const float* w, uint32_t* dst, long pj,
                           uint32_t* tmp, long ldt) {
  const long kp = pairs(cols), nr = K.nr;
  for (long jj = 0; jj < nr; ++jj) {
    const long j = pj * nr + jj;
    uint32_t* t = tmp + jj * ldt;
    if (j < rows) {
      t[kp - 1] = 0;
      K.convert(w + j * cols, cols, reinterpret_cast<uint16_t*>(t));
    } else {
      std::fill(t, t + kp, 0u);
    }
  }
  uint32_t* d = dst + pj * kp * nr;
  alignas(64) uint32_t block[16 * 16];
  for (long q = 0; q < kp; q += 16) {
    const long nq = std::min(16L, kp - q);
    for (long c = 0; c < nr; c += 16) {
      K.transpose16(tmp + c * ldt + q, ldt, block, 16);
      for (long r = 0; r < nq; ++r) stream_lines(d + (q + r) * nr + c, block + r * 16, 16);
    }
  }
}

}  // namespace

void update_and_pack(const UpdatePackings& u, const std::function<void(long, long)>& update) {
  const KernelSet& K = *u.K;
  const long rows = u.rows, cols = u.cols, R = K.nr, blocks = (rows + R - 1) / R;
  const long ldt = round_up(pairs(cols), 16);
  parallel_for(blocks, 1, R * std::max(1L, cols), [&](long b0, long b1) {
    std::vector<uint32_t> tmp(u.transposed ? (size_t)(R * ldt) : 0);
    for (long bi = b0; bi < b1; ++bi) {
      const long r0 = bi * R, r1 = std::min(rows, r0 + R);
      update(r0 * cols, r1 * cols);
      if (u.plain) pack_plain_pairs(K, rows, cols, u.w, u.plain, r0 / 2, (r1 + 1) / 2);
      if (u.transposed) pack_transposed_panel(K, rows, cols, u.w, u.transposed, bi, tmp.data(), ldt);
    }
    stream_fence();
  });
}

namespace {

const bool exported = add_bindings({{"gemmBf16PackB", GemmBf16PackB}, {"gemmBf16PackedB", GemmBf16PackedB},
                                    {"gemmBf16PackedLength", GemmBf16PackedLength},
                                    {"gemmBf16PackedALength", GemmBf16PackedALength},
                                    {"gemmBf16PackedAB", GemmBf16PackedAB}});

}  // namespace
}  // namespace bf16
}  // namespace rl
