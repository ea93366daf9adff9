// The kernel table: one per instruction set, every kernel loop of every family, filled once when the addon loads
// and chosen by isa.h's active_isa(). Call sites fetch the active table and call through it, with no instruction-set
// branches of their own.
//
// Each kernel family compiles its loops once per instruction set (isa_passes.h) and each pass registers its
// functions here (register_family); a table is usable only when every family has registered into it.
#pragma once
#include <cstdint>

#include "isa.h"

namespace rl {

namespace gemm {
struct KernelSet;
}
namespace bf16 {
struct KernelSet;
}
namespace lstm_impl {
struct Fwd;
struct Bwd;
}  // namespace lstm_impl
namespace gru_impl {
struct Fwd;
struct Bwd;
}  // namespace gru_impl
namespace srnn_impl {
struct Fwd;
struct Bwd;
}  // namespace srnn_impl
namespace rnn_infer {
struct Seq;
}  // namespace rnn_infer

// Kernel families, numbered in order: family f is bit f of KernelTable::families. A table is complete when every
// family before kFamilyCount registered (a new family goes just before it); kFamilyBf16 after it is optional
// (gemm_bf16.cc: only the avx512 table has it).
enum Family : unsigned {
  kFamilyGemm, kFamilyPointwise, kFamilyConv, kFamilyPool, kFamilyEmbedding, kFamilyOptim, kFamilyLstm, kFamilyGru,
  kFamilySimpleRnn, kFamilyLoss, kFamilyRnnInfer, kFamilyNorm, kFamilyAvgPool,
  kFamilyCount,
  kFamilyBf16 = kFamilyCount,
};

struct KernelTable {
  unsigned families = 0;  // the families that registered

  // gemm_*.cc: the micro-kernels and packing the SGEMM driver (gemm.cc) runs.
  const gemm::KernelSet* gemm = nullptr;
  // gemm_bf16.cc: the bf16 micro-kernel (mixed_bfloat16), or null where the instruction set has none.
  const bf16::KernelSet* bf16 = nullptr;

  // pointwise.cc. activation/activation_grad take an rl::Act code; y may alias x, dx may alias dy.
  void (*activation)(int act, const float* x, float* y, long n) = nullptr;
  void (*activation_grad)(int act, const float* y, const float* dy, float* dx, long n) = nullptr;
  void (*softmax_rows)(const float* x, float* y, long r0, long r1, long cols) = nullptr;
  void (*softmax_backward_rows)(const float* y, const float* dy, float* dx, long r0, long r1, long cols) = nullptr;
  // acc[j - c0] += sum of x[r, j] over rows [r0, r1), for j in [c0, c1).
  void (*colsum_block)(const float* x, long cols, long r0, long r1, long c0, long c1, double* acc) = nullptr;
  void (*add)(const float* a, const float* b, float* y, long n) = nullptr;
  void (*mul)(const float* a, const float* b, float* y, long n) = nullptr;
  void (*axpy)(float alpha, const float* x, float* y, long n) = nullptr;
  void (*dropout)(const float* x, const uint8_t* mask, float scale, float* y, long n) = nullptr;
  double (*sum_squares)(const float* x, long n) = nullptr;

  // loss.cc: each returns the summed loss of its rows [r0, r1) and writes their gradients.
  double (*sigmoid_xent_rows)(const float* x, const float* z, float* g, double inv, long r0, long r1) = nullptr;
  double (*binary_xent_rows)(const float* p, const float* z, float* g, double inv, long r0, long r1) = nullptr;
  double (*softmax_xent_rows)(const float* x, const float* t, const int32_t* labels, float* g, long cols, double inv,
                              long r0, long r1) = nullptr;
  double (*categorical_xent_rows)(const float* p, const float* t, float* g, long cols, double inv, long r0,
                                  long r1) = nullptr;
  double (*mse_rows)(const float* p, const float* t, float* g, double inv, long r0, long r1) = nullptr;

  // conv1d.cc
  void (*add_to)(float* dst, const float* src, long n) = nullptr;
  void (*add_to_d)(double* dst, const float* src, long n) = nullptr;

  // pool.cc: max pooling of the output rows [r0, r1) of the flattened [B, To] grid.
  void (*max_pool_rows)(const float* x, float* y, int32_t* argmax, long T, long C, long pool, long stride, long pl,
                        long To, long r0, long r1) = nullptr;

  // avg_pool.cc: average pooling of the output rows [r0, r1) of the flattened [B, To] grid; its backward over
  // samples [b0, b1) (each sample's dx zeroed, then filled).
  void (*avg_pool_rows)(const float* x, float* y, long T, long C, long pool, long stride, long pl, long To, long r0,
                        long r1) = nullptr;
  void (*avg_pool_grad_samples)(const float* dy, float* dx, long T, long C, long pool, long stride, long pl, long To,
                                long b0, long b1) = nullptr;

  // norm.cc, batch normalization over x viewed as [outer, C, inner], outer rows [o0, o1): per-channel sums into acc
  // (sum x; sum (x - mean)^2; sum dy and sum dy (x - mean)), then y = (x - mu) s + b and dx = k dy - shift - (x - mu) slope.
  void (*channel_sums)(const float* x, long C, long inner, long o0, long o1, double* acc) = nullptr;
  void (*channel_sq_devs)(const float* x, const double* mean, long C, long inner, long o0, long o1, double* acc) = nullptr;
  void (*channel_grad_sums)(const float* x, const float* dy, const double* mean, long C, long inner, long o0, long o1,
                            double* sdy, double* sdyc) = nullptr;
  void (*channel_affine)(const float* x, const float* mu, const float* s, const float* b, long C, long inner, long o0,
                         long o1, float* y) = nullptr;
  void (*channel_dx)(const float* x, const float* dy, const float* mu, const float* k, const float* shift,
                     const float* slope, long C, long inner, long o0, long o1, float* dx) = nullptr;
  // norm.cc, layer normalization of rows [r0, r1) of x [rows, cols]; the backward adds its dgamma/dbeta sums into
  // sg/sb (double, per thread) and writes dx when given.
  void (*layer_norm_rows)(const float* x, const float* gamma, const float* beta, long cols, double eps, long r0, long r1,
                          float* y, float* mean, float* rstd) = nullptr;
  void (*layer_norm_grad_rows)(const float* x, const float* gamma, const float* mean, const float* rstd,
                               const float* dy, long cols, long r0, long r1, float* dx, double* sg, double* sb) = nullptr;

  // embedding.cc: dTable rows += dOut rows, by column band [c0, c1), by table rows [v0, v1) or by id modulo nth.
  void (*scatter_cols)(long n, long dim, const int32_t* ids, const float* dOut, float* dTable, long c0,
                       long c1) = nullptr;
  void (*scatter_rows)(long n, long dim, const int32_t* ids, const float* dOut, float* dTable, long v0,
                       long v1) = nullptr;
  void (*scatter_mod)(long n, long dim, const int32_t* ids, const float* dOut, float* dTable, int tid,
                      int nth) = nullptr;

  // optim.cc
  void (*adam)(float* p, const float* g, float* m, float* v, long n, float b1, float c1, float b2, float c2,
               float lr_t, float eps) = nullptr;
  void (*rmsprop)(float* p, const float* g, float* acc, long n, float rho, float c, float lr, float eps) = nullptr;
  void (*sgd)(float* p, const float* g, long n, float lr) = nullptr;
  void (*sgd_momentum)(float* p, const float* g, float* vel, long n, float lr, float mom, bool nesterov) = nullptr;

  // lstm.cc, gru.cc, simple_rnn.cc: whole sequences (see rnn_common.h).
  void (*lstm_forward)(const lstm_impl::Fwd&) = nullptr;
  void (*lstm_backward)(const lstm_impl::Bwd&) = nullptr;
  void (*gru_forward)(const gru_impl::Fwd&) = nullptr;
  void (*gru_backward)(const gru_impl::Bwd&) = nullptr;
  void (*simple_rnn_forward)(const srnn_impl::Fwd&) = nullptr;
  void (*simple_rnn_backward)(const srnn_impl::Bwd&) = nullptr;

  // rnn_infer.cc: forward-only sequences for predict (no gate storage).
  void (*lstm_infer)(const rnn_infer::Seq&) = nullptr;
  void (*gru_infer)(const rnn_infer::Seq&) = nullptr;
};

// The table a pass of `isa` fills; `family` is marked as registered after fill(table) ran (fill runs only where
// this CPU runs `isa`). Returns true, so a pass can register from a static initialiser:
// `const bool registered = register_family(...);`.
bool register_family(Isa isa, Family family, void (*fill)(KernelTable&));

// In a pass body: registers the statements (assignments to the table `t`) for this pass's instruction set.
#define RL_REGISTER_PASS(family, ...) \
  const bool registered = ::rl::register_family(kPassIsa, family, [](::rl::KernelTable& t) { __VA_ARGS__; })

// Whether every family registered into the table of `isa` (false for one this build does not compile).
bool kernel_table_complete(Isa isa);

// The table of the instruction set in force.
const KernelTable& kernels();

}  // namespace rl
