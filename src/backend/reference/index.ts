/** The plain-TypeScript kernels: the oracle for tests, float64-capable, and the fallback without the addon. */
import type { Kernels } from '../kernels.js';
import { gemmKernels } from './gemm.js';
import { pointwiseKernels } from './pointwise.js';
import { lossKernels } from './loss.js';
import { convKernels } from './conv1d.js';
import { poolKernels } from './pool.js';
import { embeddingKernels } from './embedding.js';
import { optimKernels } from './optim.js';
import { lstmKernels } from './lstm.js';
import { gruKernels } from './gru.js';
import { simpleRnnKernels } from './simple_rnn.js';
import { inferKernels } from './rnn_infer.js';
import { avgPoolKernels } from './avg_pool.js';
import { normKernels } from './norm.js';

export const referenceKernels: Kernels = {
  ...gemmKernels, ...pointwiseKernels, ...lossKernels, ...convKernels, ...poolKernels, ...embeddingKernels,
  ...optimKernels, ...lstmKernels, ...gruKernels, ...simpleRnnKernels, ...inferKernels, ...avgPoolKernels, ...normKernels,
};
