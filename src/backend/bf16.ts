/**
 * The kernels of the mixed_bfloat16 policy (src/mixed_precision.ts): the product kernels (GEMM, Conv1D forward and
 * backward, the LSTM's training kernels) replaced by their bf16 twins, which round the operands of every product to
 * bf16 and sum in fp32; every other kernel, the optimizers and the losses stay fp32. Native twins need AVX512-BF16
 * (native/gemm_bf16.cc, lstm_bf16.cc); the reference twins (reference/bf16_*.ts) emulate the same rounding and sum
 * order on any CPU.
 */
import type { FusedInputKernels, Kernels, PooledConvKernels } from './kernels.js';
import { lstmBf16ForwardInput } from './reference/bf16_lstm.js';
import { bf16ReferenceExtras, bf16ReferenceKernels } from './reference/bf16_kernels.js';
import { cachedBf16Gemm, WeightPackings, type Bf16UpdateAddon } from './bf16_weight_cache.js';
import { dxpSharingKernels, type SharedPackingAddon } from './bf16_shared_packing.js';

/** The kernels the policy replaces (named as in kernels.ts) → their twins' names in the addon and the reference. */
export const BF16_TWINS = {
  gemm: 'gemmBf16', conv1d: 'conv1dBf16', conv1dBackward: 'conv1dBf16Backward',
  lstmForward: 'lstmBf16Forward', lstmBackward: 'lstmBf16Backward',
} as const;

export interface Bf16Addon {
  bf16Supported?(): boolean;
  info(): { isa: string; features: string };
}

/** Whether the addon can run the bf16 twins now, and why not. */
export function nativeBf16Support(addon: Bf16Addon | null): { ok: boolean; reason: string } {
  if (!addon) return { ok: false, reason: 'the native addon did not load' };
  if (addon.bf16Supported?.()) return { ok: true, reason: '' };
  const info = addon.info();
  const has = info.features.split(',').includes('avx512bf16');
  return {
    ok: false,
    reason: has ? `the avx512 kernels (the instruction set in force is ${info.isa}; RNNLAB_ISA chooses it)`
      : `a CPU with AVX512-BF16 (this one has: ${info.features || 'none'})`,
  };
}

/**
 * base with the policy's products (BF16_TWINS) throwing naming the policy: only they would run in bf16, so the
 * element-wise kernels, the optimizers and plain tensor ops (fp32 under the policy) go on running. `referenceByEnv`:
 * RNNLAB_BACKEND=reference chose the reference kernels at startup, so naming that variable would not help.
 */
function withUnrunnableProducts(base: Kernels, reason: string, referenceByEnv: boolean): Kernels {
  const back = referenceByEnv
    ? "rl.setBackend('reference'): RNNLAB_BACKEND=reference chose them at startup, and setBackend('cpu'), 'tensorflow' or 'native' then chose the native ones"
    : "rl.setBackend('reference'), or RNNLAB_BACKEND=reference";
  const message = `the mixed_bfloat16 policy is in force but the native kernels cannot run it (they need ${reason}): `
    + 'set the policy again after changing the backend or instruction set (rl.mixedPrecision.setGlobalPolicy falls back to float32), '
    + `or go back to the reference kernels, which emulate its bf16 products (${back})`;
  const refuse = () => { throw new Error(message); };
  return { ...base, ...Object.fromEntries(Object.keys(BF16_TWINS).map((name) => [name, refuse])) } as Kernels;
}

/**
 * base with the product kernels swapped for their bf16 twins: the addon's when given (all of them: a stale addon
 * would otherwise run the much slower reference twins unnoticed), else the reference ones. The addon's GEMM reuses
 * the weights' packed copies between optimizer steps, which the optimizers' update kernels make as they write the
 * weights (bf16_weight_cache.ts), and the set adds the kernels that hand the LSTM's packings of its gate gradients
 * to the input projection's two gradients (bf16_shared_packing.ts); both sets add lstmForwardInput and
 * conv1dPooledBackward (kernels.ts).
 */
export function withBf16(base: Kernels, addon: Partial<Record<string, unknown>> | null, referenceByEnv = false): Kernels {
  // setGlobalPolicy checks the backend in force; a later setBackend('native') or setIsa can leave the policy on
  // kernels this CPU cannot run, which would otherwise fail inside the first product with the addon's words.
  const support = addon && typeof addon.info === 'function' ? nativeBf16Support(addon as unknown as Bf16Addon) : { ok: true, reason: '' };
  if (!support.ok) return withUnrunnableProducts(base, support.reason, referenceByEnv);
  const twins = Object.entries(BF16_TWINS).map(([name, twin]) => {
    if (!addon) return [name, bf16ReferenceKernels[name as keyof typeof BF16_TWINS]];
    if (typeof addon[twin] !== 'function') throw new Error(`the native addon lacks ${twin}: rebuild it (npm run build)`);
    return [name, addon[twin]];
  });
  const swapped = { ...base, ...Object.fromEntries(twins) } as Kernels;
  if (!addon) return { ...swapped, lstmForwardInput: lstmBf16ForwardInput, ...bf16ReferenceExtras } as Kernels & FusedInputKernels;
  for (const name of ['lstmBf16ForwardInput', 'conv1dBf16PooledBackward', 'gemmBf16PackB', 'gemmBf16PackedB', 'gemmBf16PackedLength', 'gemmBf16PackedALength', 'gemmBf16PackedAB']) {
    if (typeof addon[name] !== 'function') throw new Error(`the native addon lacks ${name}: rebuild it (npm run build)`);
  }
  const native = addon as unknown as SharedPackingAddon & Bf16UpdateAddon;
  const packings = new WeightPackings(native);
  const gemm = cachedBf16Gemm(native, swapped.gemm, packings);
  const fused: FusedInputKernels & PooledConvKernels = {
    lstmForwardInput: addon.lstmBf16ForwardInput as FusedInputKernels['lstmForwardInput'],
    conv1dPooledBackward: addon.conv1dBf16PooledBackward as PooledConvKernels['conv1dPooledBackward'],
  };
  return { ...swapped, gemm, ...packings.updating(native, base), ...dxpSharingKernels(native, gemm, packings), ...fused };
}
