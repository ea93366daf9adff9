// Compiles the including file's kernel loops once per instruction set, ggml style: the file defines RL_PASS_FILE
// (its own name) and RL_PASS_NS (a namespace of its own), then includes this header; the part of the file under
// `#ifdef RL_PASS` is compiled inside rl::RL_PASS_NS::{avx512, avx2, portable}, each under its target, with
// kPassIsa naming the instruction set. That part ends by registering its loops in the kernel table (dispatch.h).
//
// RL_PASS_NO_CONTRACT (define it before including) turns off the fusing of a * b + c into one FMA in these passes:
// elementwise kernels then give the same bits on every instruction set (the vector width changes, the rounding
// of each operation does not). GEMM and the recurrent cells keep FMAs: their sums are ordered per ISA anyway.
//
// RL_PASS_ELEMENTWISE compiles the avx512 pass for AVX-512 F alone (512-bit vectors only): the code GCC then
// generates, down to which product of a * b + c * d it fuses, is what the default path has always run, so
// training stays bit-identical to earlier releases (docs/RESULTS.md). That pass fuses a * b + c in its 512-bit
// loop and its scalar one but cannot in its 256-bit tail (FMA on ymm needs AVX-512 VL), and GCC falls back to the
// scalar loop when the arrays lie within a vector of each other: then a tiny array's (8 to 15 floats: a small
// Dense layer's kernel, an optimizer slot) numbers would depend on where malloc put it. Such loops carry
// `#pragma GCC ivdep` (no overlap check; they are elementwise, so exact aliasing is fine): the tail is then always
// the 256-bit one, as it already was for arrays apart (test/determinism/elementwise_layout.test.ts).
//
// The targets: avx512 = AVX-512 F/VL/BW/DQ + AVX2 + FMA, avx2 = AVX2 + FMA, portable = the baseline the addon is
// built for. Values of RL_PASS: 2, 1, 0 (for #if inside a body).
#include "dispatch.h"

#if !defined(RL_PASS_FILE) || !defined(RL_PASS_NS)
#error "define RL_PASS_FILE and RL_PASS_NS before including isa_passes.h"
#endif

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"

#if RL_X86
#pragma GCC push_options
#ifdef RL_PASS_ELEMENTWISE
#pragma GCC target("avx512f")
#else
#pragma GCC target("avx2,fma,avx512f,avx512vl,avx512bw,avx512dq")
#endif
#ifdef RL_PASS_NO_CONTRACT
#pragma GCC optimize("fp-contract=off")
#endif
namespace rl {
namespace RL_PASS_NS {
namespace avx512 {
constexpr Isa kPassIsa = Isa::avx512;
#define RL_PASS 2
#include RL_PASS_FILE
#undef RL_PASS
}  // namespace avx512
}  // namespace RL_PASS_NS
}  // namespace rl
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2,fma")
#ifdef RL_PASS_NO_CONTRACT
#pragma GCC optimize("fp-contract=off")
#endif
namespace rl {
namespace RL_PASS_NS {
namespace avx2 {
constexpr Isa kPassIsa = Isa::avx2;
#define RL_PASS 1
#include RL_PASS_FILE
#undef RL_PASS
}  // namespace avx2
}  // namespace RL_PASS_NS
}  // namespace rl
#pragma GCC pop_options
#endif  // RL_X86

#pragma GCC push_options
#ifdef RL_PASS_NO_CONTRACT
#pragma GCC optimize("fp-contract=off")
#endif
namespace rl {
namespace RL_PASS_NS {
namespace portable {
constexpr Isa kPassIsa = Isa::portable;
#define RL_PASS 0
#include RL_PASS_FILE
#undef RL_PASS
}  // namespace portable
}  // namespace RL_PASS_NS
}  // namespace rl
#pragma GCC pop_options

#pragma GCC diagnostic pop
#undef RL_PASS_FILE
#undef RL_PASS_NS
#undef RL_PASS_NO_CONTRACT
#undef RL_PASS_ELEMENTWISE
