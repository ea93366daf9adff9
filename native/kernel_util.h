// Small helpers shared by the kernel bindings: overflow-checked sizes, typed-array lengths,
// and a parallel-for over contiguous ranges that stays on the calling thread for small jobs.
#pragma once
#include <napi.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <new>
#include <string>

#include "common.h"
#include "threadpool.h"

namespace rl {

// Below this many elements of work a kernel runs on the calling thread (waking the pool costs more).
constexpr long kParallelMin = 1L << 15;

// Product of non-negative dimensions. Fails `a` (a RangeError) instead of overflowing: no typed array
// holds 2^46 elements, so any larger product is a bad call.
inline size_t dims_product(Args& a, const char* what, std::initializer_list<int64_t> ds) {
  if (!a.ok()) return 0;
  const int64_t limit = (int64_t)1 << 46;
  int64_t p = 1;
  for (int64_t d : ds) {
    if (d < 0) return a.fail(what, "has a negative dimension"), 0;
    if (d == 0) return 0;
    if (p > limit / d) return a.fail(what, "is too large"), 0;
    p *= d;
  }
  return (size_t)p;
}

// Element count of argument i when it is a typed array, 0 otherwise (Args then reports the type error).
inline size_t typed_length(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsTypedArray()) return 0;
  return info[i].As<Napi::TypedArray>().ElementLength();
}

// An activation code (0..4), checked.
inline int act_code(Args& a, size_t i, const char* name) {
  int64_t v = a.integer(i, name, 0);
  if (a.ok() && v > ACT_HARD_SIGMOID) a.fail(name, "must be an activation code 0..4");
  return (int)v;
}

// Float32Array arguments first, first+1, ... of n elements each, into the pointers in the order named:
// `f32_args(a, 0, n, {"p", "g"}, &p, &g)` reads argument 0 as "p" and 1 as "g". Inputs may be const float*.
template <class... Ptr>
inline bool f32_args(Args& a, size_t first, size_t n, std::initializer_list<const char*> names, Ptr*... out) {
  size_t i = first;
  const char* const* name = names.begin();
  ((*out = a.f32(i++, *name++, n)), ...);
  return a.ok();
}

// A rows x cols matrix's dimensions, arguments `first` and `first + 1`, and its element count.
struct Matrix {
  long rows, cols;
  size_t size;
};
inline Matrix matrix_dims(Args& a, size_t first, const char* rows, const char* cols, const char* size) {
  Matrix m{};
  m.rows = (long)a.integer(first, rows);
  m.cols = (long)a.integer(first + 1, cols);
  m.size = dims_product(a, size, {m.rows, m.cols});
  return m;
}

// The arguments of gemm and gemmBf16: (transA, transB, m, n, k, alpha, a, b, beta, c, bias | null, act),
// contiguous row-major arrays.
struct GemmCall {
  bool ta, tb;
  long m, n, k;
  float alpha, beta;
  const float *A, *B, *bias;
  float* C;
  int act;
  long lda() const { return ta ? m : k; }
  long ldb() const { return tb ? k : n; }
};
inline GemmCall gemm_call(Args& a) {
  GemmCall g{};
  g.ta = a.flag(0, "transA");
  g.tb = a.flag(1, "transB");
  const int64_t m = a.integer(2, "m"), n = a.integer(3, "n"), k = a.integer(4, "k");
  g.m = (long)m, g.n = (long)n, g.k = (long)k;
  g.alpha = (float)a.num(5, "alpha");
  const size_t mk = dims_product(a, "a", {m, k});
  const size_t kn = dims_product(a, "b", {k, n});
  const size_t mn = dims_product(a, "c", {m, n});
  g.A = a.f32(6, "a", mk);
  g.B = a.f32(7, "b", kn);
  g.beta = (float)a.num(8, "beta");
  g.C = a.f32(9, "c", mn);
  g.bias = a.f32(10, "bias", (size_t)n, true);
  g.act = act_code(a, 11, "act");
  return g;
}

// The end of a binding that returns nothing: run() the kernel once every argument has checked out (a bad one has
// already thrown its RangeError, and nothing runs on it).
template <class F>
inline Napi::Value run_if_ok(const Args& a, F&& run) {
  if (a.ok()) run();
  return a.env().Undefined();
}

// fn(begin, end) over [0, n), split over the pool in chunks aligned to `align` when the total work
// (n * cost_per_item elements) reaches kParallelMin.
template <class F>
inline void parallel_for(long n, long align, long cost_per_item, F&& fn) {
  if (n <= 0) return;
  if (n * cost_per_item < kParallelMin || num_threads() <= 1) {
    fn(0L, n);
    return;
  }
  parallel([&](int tid, int nth) {
    long b, e;
    split_range(n, tid, nth, align, &b, &e);
    if (b < e) fn(b, e);
  });
}

// ---------------------------------------------------------------- kept buffers
// Scratch buffers a thread keeps from one kernel call to the next. Freed at the end of every call, glibc gave a
// buffer of a few hundred KB (packed weights, dR's per-thread sums, bf16 state copies) back to the OS and the next
// call faulted it in again, each fault a trap to the hypervisor on a VM, and with two threads each unmapping also
// interrupted the other core to flush its TLB: 75 page faults per LSTM backward at B=64 U=100 on 2 threads and 157
// at the addition encoder's shape, several percent of the call; the bf16 LSTM ~12 a forward and ~37 a backward at
// the lab's shapes (2 threads: forward 13.5 -> 12.7 ms, backward 20.6 -> 19.2; B = 64, T = 20: forward 1.05 ->
// 0.60 ms). Within a training step, where the heap keeps its pages, it measured the same.

// Room for a buffer: 64-byte aligned (the kernels read packed panels and write packing rooms in whole 64-byte
// vectors, each of which spans two cache lines in malloc's 16-byte alignment), grown, never shrunk, contents left
// as they were.
class Room {
 public:
  template <class E>
  E* get(size_t n) {
    static_assert(alignof(E) <= 64, "Room aligns to 64 bytes");
    const size_t bytes = std::max<size_t>(n * sizeof(E), 64);
    if (bytes > cap_) p_.reset(static_cast<unsigned char*>(::operator new(bytes, std::align_val_t(64)))), cap_ = bytes;
    return reinterpret_cast<E*>(p_.get());
  }

 private:
  struct Free {
    void operator()(unsigned char* p) const { ::operator delete(p, std::align_val_t(64)); }
  };
  std::unique_ptr<unsigned char, Free> p_;
  size_t cap_ = 0;
};

// Every kept buffer, one enumerator per call site. Buffers alive at the same time in one thread, also across
// nested calls (a bf16 kernel calling a shared routine), must not share a room: with one enumerator per user they
// cannot. Add one here for a new user; never take another's.
enum class Kept : int {
  kLstmBwdRt,     // lstm.cc backward: R^T's panels
  kLstmBwdDh,     // lstm.cc backward: dh
  kLstmBwdDc,     // lstm.cc backward: dc
  kDrSpare,       // rnn_common.h dr_spare_for: the other threads' dR sums (lstm.cc, gru.cc backward)
  kDrPack,        // rnn_common.h DrAccum: outer_accum's packing room, one per thread
  kRowsOuterPack, // rnn_common.h rows_outer: outer_accum's packing room (SimpleRNN's end-of-pass dR), one per thread
  kBf16FwdR,      // lstm_bf16.cc forward: R's gate panels
  kBf16FwdW,      // lstm_bf16.cc forward: W's gate panels (input projected in the kernel)
  kBf16FwdH,      // lstm_bf16.cc forward: the bf16 copies of h (PairRows)
  kBf16FwdX,      // lstm_bf16.cc forward: a share's bf16 rows of x, one per thread
  kBf16BwdRt,     // lstm_bf16.cc backward: R^T's panels
  kBf16BwdWt,     // lstm_bf16.cc backward: W^T's panels (dx computed in the kernel)
  kBf16BwdGates,  // lstm_bf16.cc backward: the two-row ring of bf16 gate gradients (PairRows)
  kBf16BwdDh,     // lstm_bf16.cc backward: dh
  kBf16BwdDc,     // lstm_bf16.cc backward: dc
  kConvFwdEdgeX,  // conv1d.cc forward: the edge rows' im2col
  kConvFwdEdgeY,  // conv1d.cc forward: the edge rows' outputs
  kConvBwdSample, // conv1d.cc backward: a sample's dy with relu's derivative applied
  kConvBwdDcol,   // conv1d.cc backward: a block of dy w^T
  kConvBwdEdgeX,  // conv1d.cc backward: the edge rows' im2col
  kConvBwdEdgeDy, // conv1d.cc backward: the edge rows' dy
  kConvBwdDwPart, // conv1d.cc backward: the other threads' dw sums
  kCount
};

// Above this a buffer is allocated per call (in the caller's `own`) rather than kept: a kept buffer is held for the
// life of the thread, and at that size the faults are a small part of the call.
constexpr size_t kKeptMaxBytes = size_t(4) << 20;

// The calling thread's room for buffer `slot` (a kernel on the main thread, a share on a worker).
inline Room& kept_room(Kept slot) {
  static thread_local Room rooms[(int)Kept::kCount];
  return rooms[(int)slot];
}
// Buffer `slot`: n elements of E, 64-byte aligned, kept by the calling thread, or past kKeptMaxBytes `own`'s.
// Contents are whatever the last call left: the caller writes every element it reads.
template <class E>
inline E* kept(Kept slot, size_t n, Room& own) {
  return (n * sizeof(E) > kKeptMaxBytes ? own : kept_room(slot)).template get<E>(n);
}
// The same, zero-filled (padding lanes of packed panels, state that is read before it is written).
template <class E>
inline E* kept_zeroed(Kept slot, size_t n, Room& own) {
  E* p = kept<E>(slot, n, own);
  std::fill_n(p, n, E(0));
  return p;
}

}  // namespace rl
