// Activation codes, the one definition shared by every kernel and by src/backend/kernels.ts (Act).
#pragma once

namespace rl {

enum Act : int { ACT_LINEAR = 0, ACT_RELU = 1, ACT_SIGMOID = 2, ACT_TANH = 3, ACT_HARD_SIGMOID = 4 };

}  // namespace rl
