#include "dispatch.h"

namespace rl {
namespace {

// Function-local, so that passes registering from static initialisers in other files find it constructed.
KernelTable* tables() {
  static KernelTable t[kIsaCount];
  return t;
}

}  // namespace

bool register_family(Isa isa, Family family, void (*fill)(KernelTable&)) {
  KernelTable& t = tables()[(int)isa];
  // fill is compiled under its pass's target and may use that instruction set even for plain stores (GCC merged
  // a table's pointer stores into one AVX-512 store); on a CPU without it, the table is never chosen, so it is
  // left empty rather than filled at load with an illegal instruction.
  if (cpu_runs(isa)) fill(t);
  t.families |= 1u << family;
  return true;
}

bool kernel_table_complete(Isa isa) {
  constexpr unsigned all = (1u << kFamilyCount) - 1;
  return (tables()[(int)isa].families & all) == all;
}

const KernelTable& kernels() { return tables()[(int)active_isa()]; }

}  // namespace rl
