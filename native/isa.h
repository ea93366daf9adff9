// The one CPU probe and the one instruction-set choice every kernel obeys.
//
// The probe reads CPUID and XCR0 once (a feature counts only when the CPU has it and the OS saves its registers).
// The instruction set in force starts as RNNLAB_ISA says (read once, when the addon loads) or the best this CPU
// runs, and changes only through set_isa (the JS setIsa, for tests). Kernels never test instruction-set features
// themselves: they call through the table of the instruction set in force (dispatch.h). The one exception is tuning
// within a path: avx512_halves (Zen 4's 256-bit units) picks blocking and prefetch distances (gemm.cc, lstm_bf16.cc),
// never which instructions run.
#pragma once
#include <string>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define RL_X86 1
#else
#define RL_X86 0
#endif

namespace rl {

// Ordered: a higher value needs everything a lower one does.
enum class Isa : int { portable = 0, avx2 = 1, avx512 = 2 };
constexpr int kIsaCount = 3;

struct CpuFeatures {
  bool os_ymm = false;  // XCR0: the OS saves the 256-bit registers
  bool os_zmm = false;  // XCR0: the OS saves the 512-bit registers and the mask registers
  bool avx = false, avx2 = false, fma = false;
  bool avx512f = false, avx512vl = false, avx512bw = false, avx512dq = false, avx512bf16 = false;
  // Not a feature but a property of the cores: 512-bit operations run as two 256-bit halves (AMD Zen 4, family
  // 25), where some cache-blocking choices measured on full-width cores (Zen 5) do not hold (gemm.cc b_in_place).
  bool avx512_halves = false;
};

const CpuFeatures& cpu_features();
// Features present and usable, as names ("avx2", "fma", "avx512f", ...), for backendInfo().
std::string cpu_feature_list();

// Each instruction set as a predicate on the features: what its kernels are compiled for.
bool cpu_runs(Isa isa);
Isa best_isa();
const char* isa_name(Isa isa);
// "avx512", "avx2" or "portable"; false for anything else.
bool parse_isa(const std::string& name, Isa* out);

Isa active_isa();
// Switches every kernel to `isa`; false (nothing changes) when this CPU cannot run it or the build lacks it.
bool set_isa(Isa isa);
// Applies RNNLAB_ISA ("auto" or unset: the best); returns an error message naming the variable, or "".
std::string init_isa_from_env();

}  // namespace rl
