// Runtime CPU feature checks for dispatching to code compiled with per-function target attributes
// (the addon itself is built for the baseline CPU so that it loads everywhere).
#pragma once

namespace rl {

// AVX2 and FMA usable (by the CPU and the OS). False on every non-x86 CPU.
bool cpu_has_avx2_fma();
// AVX-512 F, VL, BW and DQ usable (implies AVX2 and FMA on every CPU that has them). False on non-x86.
bool cpu_has_avx512();

}  // namespace rl
