/** The reference bf16 twins of the product kernels, by the kernel names they replace under mixed_bfloat16. */
import type { Kernels, PooledConvKernels } from '../kernels.js';
import { gemmBf16 } from './bf16_gemm.js';
import { conv1dBf16, conv1dBf16Backward, conv1dBf16PooledBackward } from './bf16_conv1d.js';
import { lstmBf16Backward, lstmBf16Forward } from './bf16_lstm.js';

export const bf16ReferenceKernels: Pick<Kernels, 'gemm' | 'conv1d' | 'conv1dBackward' | 'lstmForward' | 'lstmBackward'> = {
  gemm: gemmBf16, conv1d: conv1dBf16, conv1dBackward: conv1dBf16Backward,
  lstmForward: lstmBf16Forward, lstmBackward: lstmBf16Backward,
};

/** The reference twins of the kernels only the bf16 sets have (kernels.ts's PooledConvKernels). */
export const bf16ReferenceExtras: PooledConvKernels = { conv1dPooledBackward: conv1dBf16PooledBackward };
