// Embedding lookup and its scatter-add gradient. Ids are checked against the table's row count first
// (a bad id is a RangeError, never a read or write outside the table). The backward pass splits the
// work so that no two threads ever touch the same float, and each element's additions keep the order of the ids:
// by ranges of table rows holding about as many ids each (every thread scans all ids, keeps those of its rows);
// by bands of columns when rows are wide but one range would hold most ids (padding id 0 can); otherwise by id
// modulo the thread count.
#ifndef RL_PASS
#include <napi.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

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

// The ids of a lookup, arguments (n, dim, ids): n ids into a table of dim-wide rows.
struct Lookup {
  long n, dim;
  size_t size;  // n * dim, the gathered rows' element count
  const int32_t* ids;
};
Lookup read_lookup(Args& a) {
  const Matrix m = matrix_dims(a, 0, "n", "dim", "n*dim");
  return {m.rows, m.cols, m.size, a.i32(2, "ids", (size_t)m.rows)};
}
// Whether the pass has work: the arguments are good, the lookup is not empty and every id is a row of the
// table (argument table_arg).
bool has_work(Args& a, const Napi::CallbackInfo& info, const Lookup& l, size_t table_arg) {
  if (!a.ok() || l.size == 0) return false;
  return check_ids(a, l.ids, l.n, (long)(typed_length(info, table_arg) / (size_t)l.dim));
}

constexpr long kAhead = 8;

// Edges of nth ranges of table rows [edges[k], edges[k + 1]) holding about n / nth ids each, or none when one range
// would hold more than twice its share (a split by columns then balances better). Counted in buckets of 16 rows
// (a whole number of 64-byte lines for any dim: neighbouring ranges share no line where the table starts on one).
std::vector<long> row_edges(const int32_t* ids, long n, long rows, int nth) {
  constexpr long kBucket = 16;
  const long buckets = (rows + kBucket - 1) / kBucket;
  std::vector<long> count((size_t)buckets, 0);
  for (long i = 0; i < n; ++i) ++count[(size_t)(ids[i] / kBucket)];
  std::vector<long> edges((size_t)nth + 1, rows);
  edges[0] = 0;
  long seen = 0, b = 0, most = 0, start = 0;
  for (int k = 1; k <= nth; ++k) {
    // the bucket that crosses k * n / nth goes to the side that leaves the ranges closer to even
    while (b < buckets && (seen + count[b]) * nth <= k * n) seen += count[(size_t)b++];
    if (k < nth && b < buckets && (k * n - seen * nth) * 2 > count[(size_t)b] * nth) seen += count[(size_t)b++];
    if (k < nth) edges[(size_t)k] = std::min(b * kBucket, rows);
    most = std::max(most, seen - start);
    start = seen;
  }
  if (most * nth > 2 * n) return {};
  return edges;
}

Napi::Value EmbeddingForward(const Napi::CallbackInfo& info) {
  Args a(info, "embeddingForward");
  const Lookup l = read_lookup(a);
  const float* table = a.f32(3, "table", 0);
  float* out = a.f32(4, "out", l.size);
  if (!has_work(a, info, l, 3)) return info.Env().Undefined();
  const long dim = l.dim;
  parallel_for(l.n, 1, dim, [&](long i0, long i1) {
    for (long i = i0; i < i1; ++i) {
      // the table row kAhead ids on (rows lie anywhere in the table) and its destination's lines, for writing
      if (i + kAhead < i1)
        for (long c = 0; c < dim; c += 16) {
          __builtin_prefetch(table + (long)l.ids[i + kAhead] * dim + c, 0, 3);
          __builtin_prefetch(out + (i + kAhead) * dim + c, 1, 3);
        }
      std::memcpy(out + i * dim, table + (long)l.ids[i] * dim, (size_t)dim * sizeof(float));
    }
  });
  return info.Env().Undefined();
}

Napi::Value EmbeddingBackward(const Napi::CallbackInfo& info) {
  Args a(info, "embeddingBackward");
  const Lookup l = read_lookup(a);
  const float* dOut = a.f32(3, "dOut", l.size);
  float* dTable = a.f32(4, "dTable", 0);
  if (!has_work(a, info, l, 4)) return info.Env().Undefined();
  const long n = l.n, dim = l.dim;
  const size_t nout = l.size;
  const int32_t* ids = l.ids;
  int nth = num_threads();
  if ((long)nout < kParallelMin || nth <= 1) {
    kernels().scatter_cols(n, dim, ids, dOut, dTable, 0, dim);
  } else if (const std::vector<long> edges = row_edges(ids, n, (long)(typed_length(info, 4) / (size_t)dim), nth);
             !edges.empty()) {
    parallel([&](int tid, int) {
      if (tid + 1 < (int)edges.size()) kernels().scatter_rows(n, dim, ids, dOut, dTable, edges[tid], edges[tid + 1]);
    });
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

constexpr long kAhead = 8;

void scatter_cols(long n, long dim, const int32_t* ids, const float* dOut, float* dTable, long c0, long c1) {
  const long w = c1 - c0;
  for (long i = 0; i < n; ++i) {
    // the row kAhead ids on, for writing: rows lie anywhere in the table
    if (i + kAhead < n)
      for (long c = 0; c < w; c += 16) __builtin_prefetch(dTable + (long)ids[i + kAhead] * dim + c0 + c, 1, 3);
    float* dst = dTable + (long)ids[i] * dim + c0;
    const float* src = dOut + i * dim + c0;
    for (long c = 0; c < w; ++c) dst[c] += src[c];
  }
}

// dTable rows [v0, v1) += the dOut rows of their ids, in id order: the ids' positions first, then the rows with
// both rows prefetched ahead (they lie anywhere in dOut and the table).
void scatter_rows(long n, long dim, const int32_t* ids, const float* dOut, float* dTable, long v0, long v1) {
  constexpr long kRowsAhead = 16;  // 8 (as scatter_cols) measured 20 % slower at 2 threads on 64000 ids of 100
  std::vector<long> mine;
  mine.reserve((size_t)n);
  for (long i = 0; i < n; ++i)
    if (ids[i] >= v0 && ids[i] < v1) mine.push_back(i);
  const long m = (long)mine.size();
  for (long k = 0; k < m; ++k) {
    if (k + kRowsAhead < m) {
      const long ia = mine[(size_t)(k + kRowsAhead)];
      for (long c = 0; c < dim; c += 16) {
        __builtin_prefetch(dOut + ia * dim + c, 0, 3);
        __builtin_prefetch(dTable + (long)ids[ia] * dim + c, 1, 3);
      }
    }
    const long i = mine[(size_t)k];
    float* dst = dTable + (long)ids[i] * dim;
    const float* src = dOut + i * dim;
    for (long c = 0; c < dim; ++c) dst[c] += src[c];
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

RL_REGISTER_PASS(kFamilyEmbedding, t.scatter_cols = scatter_cols; t.scatter_mod = scatter_mod; t.scatter_rows = scatter_rows);

}  // namespace

#endif  // RL_PASS
