#include "isa.h"

#include <atomic>
#include <cstdlib>

#include "dispatch.h"

#if RL_X86
#include <cpuid.h>
#endif

namespace rl {
namespace {

CpuFeatures probe() {
  CpuFeatures f;
#if RL_X86
  unsigned a, b, c, d;
  if (!__get_cpuid(0, &a, &b, &c, &d)) return f;
  const bool amd = b == 0x68747541 && d == 0x69746e65 && c == 0x444d4163;  // "AuthenticAMD"
  if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
  const unsigned base_family = (a >> 8) & 0xf;
  const unsigned family = base_family + (base_family == 0xf ? (a >> 20) & 0xff : 0);
  const bool osxsave = c & (1u << 27);
  f.fma = c & (1u << 12);
  f.avx = c & (1u << 28);
  unsigned long long xcr0 = 0;
  if (osxsave) {
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    xcr0 = ((unsigned long long)hi << 32) | lo;
  }
  f.os_ymm = (xcr0 & 0x6) == 0x6;                  // SSE and AVX state
  f.os_zmm = f.os_ymm && (xcr0 & 0xe0) == 0xe0;    // opmask, ZMM_Hi256, Hi16_ZMM state
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
    f.avx2 = b & (1u << 5);
    f.avx512f = b & (1u << 16);
    f.avx512dq = b & (1u << 17);
    f.avx512bw = b & (1u << 30);
    f.avx512vl = b & (1u << 31);
  }
  if (__get_cpuid_count(7, 1, &a, &b, &c, &d)) f.avx512bf16 = a & (1u << 5);
  // A feature the OS does not save is not usable.
  if (!f.os_ymm) f.avx = f.avx2 = f.fma = false;
  if (!f.os_zmm) f.avx512f = f.avx512vl = f.avx512bw = f.avx512dq = f.avx512bf16 = false;
  f.avx512_halves = amd && family == 25 && f.avx512f;
#endif
  return f;
}

std::atomic<int> g_isa{-1};

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures f = probe();
  return f;
}

std::string cpu_feature_list() {
  const CpuFeatures& f = cpu_features();
  const std::pair<bool, const char*> all[] = {{f.avx, "avx"},           {f.avx2, "avx2"},         {f.fma, "fma"},
                                              {f.avx512f, "avx512f"},   {f.avx512vl, "avx512vl"}, {f.avx512bw, "avx512bw"},
                                              {f.avx512dq, "avx512dq"}, {f.avx512bf16, "avx512bf16"}};
  std::string s;
  for (const auto& [has, name] : all)
    if (has) s += (s.empty() ? "" : ",") + std::string(name);
  return s;
}

bool cpu_runs(Isa isa) {
  const CpuFeatures& f = cpu_features();
  const bool avx2 = f.avx2 && f.fma;
  switch (isa) {
    case Isa::avx512: return avx2 && f.avx512f && f.avx512vl && f.avx512bw && f.avx512dq;
    case Isa::avx2: return avx2;
    case Isa::portable: return true;
  }
  return false;
}

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::avx512: return "avx512";
    case Isa::avx2: return "avx2";
    case Isa::portable: return "portable";
  }
  return "?";
}

bool parse_isa(const std::string& name, Isa* out) {
  for (int i = 0; i < kIsaCount; ++i)
    if (name == isa_name((Isa)i)) return *out = (Isa)i, true;
  return false;
}

Isa best_isa() {
  for (int i = kIsaCount - 1; i > 0; --i)
    if (cpu_runs((Isa)i) && kernel_table_complete((Isa)i)) return (Isa)i;
  return Isa::portable;
}

Isa active_isa() {
  int v = g_isa.load(std::memory_order_acquire);
  if (v < 0) {
    static const Isa first = best_isa();  // no init_isa_from_env yet (a standalone test): the best
    v = (int)first;
  }
  return (Isa)v;
}

bool set_isa(Isa isa) {
  if (!cpu_runs(isa) || !kernel_table_complete(isa)) return false;
  g_isa.store((int)isa, std::memory_order_release);
  return true;
}

std::string init_isa_from_env() {
  const char* env = std::getenv("RNNLAB_ISA");
  const std::string v = env ? env : "";
  if (v.empty() || v == "auto") return set_isa(best_isa()), "";
  Isa isa;
  if (!parse_isa(v, &isa)) return "RNNLAB_ISA: unknown instruction set '" + v + "' (use avx512, avx2, portable or auto)";
  if (!set_isa(isa))
    return "RNNLAB_ISA=" + v + ": this CPU (features: " + (cpu_feature_list().empty() ? "none" : cpu_feature_list()) +
           ") or this build cannot run it";
  return "";
}

}  // namespace rl
