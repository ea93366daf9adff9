// Embedding lookup and its scatter-add gradient. Ids are checked against the table's row count first
// (a bad id is a RangeError, never a read or write outside the table). The backward pass splits the
// work so that no two threads ever touch the same float: by bands of columns when rows are wide,
// otherwise by id modulo the thread count (every thread scans all ids, keeps its own rows).
#ifndef RL_PASS
#include <napi.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "common.h"
#include "dispatch.h"
#include "kernel_util.h"
#include "simd_math.h"
#include "threadpool.h"

namespace rl {
namespace {

// Checks every id against [0, rows); fails `a` on the first bad one.
bool check_ids(Args& a, const int32_t* ids, long n, long rows) {
  for (long i = 0; i < n; ++i)
    if (ids[i] < 0 || ids[i] >= rows) {
      a.fail("ids", "holds " + std::to_string(ids[i]) + " at " + std::to_string(i) + ", outside the table's [0, " +
                        std::to_string(rows) + ") rows");
      return false;
    }
  return true;
}

Napi::Value EmbeddingForward(const Napi::CallbackInfo& info) {
  Args a(info, "embeddingForward");
  long n = (long)a.integer(0, "n");
  long dim = (long)a.integer(1, "dim");
  size_t nout = dims_product(a, "n*dim", {n, dim});
  const int32_t* ids = a.i32(2, "ids", (size_t)n);
  const float* table = a.f32(3, "table", 0);
  float* out = a.f32(4, "out", nout);
  if (!a.ok() || nout == 0) return info.Env().Undefined();
  long rows = (long)(typed_length(info, 3) / (size_t)dim);
  if (!check_ids(a, ids, n, rows)) return info.Env().Undefined();
  parallel_for(n, 1, dim, [&](long i0, long i1) {
    for (long i = i0; i < i1; ++i)
      std::memcpy(out + i * dim, table + (long)ids[i] * dim, (size_t)dim * sizeof(float));
  });
  return info.Env().Undefined();
}

Napi::Value EmbeddingBackward(const Napi::CallbackInfo& info) {
  Args a(info, "embeddingBackward");
  long n = (long)a.integer(0, "n");
  long dim = (long)a.integer(1, "dim");
  size_t nout = dims_product(a, "n*dim", {n, dim});
  const int32_t* ids = a.i32(2, "ids", (size_t)n);
  const float* dOut = a.f32(3, "dOut", nout);
  float* dTable = a.f32(4, "dTable", 0);
  if (!a.ok() || nout == 0) return info.Env().Undefined();
  long rows = (long)(typed_length(info, 4) / (size_t)dim);
  if (!check_ids(a, ids, n, rows)) return info.Env().Undefined();
  int nth = num_threads();
  if ((long)nout < kParallelMin || nth <= 1) {
    kernels().scatter_cols(n, dim, ids, dOut, dTable, 0, dim);
  } else if (dim >= 32L * nth) {
    parallel([&](int tid, int nt) {
      long c0, c1;
      split_range(dim, tid, nt, 16, &c0, &c1);
      if (c0 < c1) kernels().scatter_cols(n, dim, ids, dOut, dTable, c0, c1);
    });
  } else {
    parallel([&](int tid, int nt) { kernels().scatter_mod(n, dim, ids, dOut, dTable, tid, nt); });
  }
  return info.Env().Undefined();
}

const bool exported = add_bindings({
    {"embeddingForward", EmbeddingForward},
    {"embeddingBackward", EmbeddingBackward},
});

}  // namespace

}  // namespace rl

#define RL_PASS_FILE "embedding.cc"
#define RL_PASS_NS embedding_pass
#define RL_PASS_ELEMENTWISE
#include "isa_passes.h"

#else  // RL_PASS: the loops of one instruction-set pass

namespace {

void scatter_cols(long n, long dim, const int32_t* ids, const float* dOut, float* dTable, long c0, long c1) {
  const long w = c1 - c0;
  for (long i = 0; i < n; ++i) {
    float* dst = dTable + (long)ids[i] * dim + c0;
    const float* src = dOut + i * dim + c0;
    for (long c = 0; c < w; ++c) dst[c] += src[c];
  }
}

void scatter_mod(long n, long dim, const int32_t* ids, const float* dOut, float* dTable, int tid, int nth) {
  for (long i = 0; i < n; ++i) {
    long id = ids[i];
    if (id % nth != tid) continue;
    float* dst = dTable + id * dim;
    const float* src = dOut + i * dim;
    for (long c = 0; c < dim; ++c) dst[c] += src[c];
  }
}

RL_REGISTER_PASS(kFamilyEmbedding, t.scatter_cols = scatter_cols; t.scatter_mod = scatter_mod);

}  // namespace

#endif  // RL_PASS
