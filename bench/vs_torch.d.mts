// Types of bench/vs_torch.mjs, for the TypeScript tests of the PyTorch comparison.
export const PYTHON: string;
export const DEFAULT_TORCH_SCRIPT: string;
export function torchPython(env?: NodeJS.ProcessEnv): string;
export function checkTorch(o: { script: string; python?: string; given?: boolean }): string;
export function runTorch(o: { script: string; python?: string; steps: number; budget: number; names: string[] }): Record<string, any>[];
export function ratioLines(o: {
  ours: Record<string, { ms_per_step: number; train_on_batch_ms_per_step: number; s_per_epoch?: number }>;
  gemm: { gflops: Record<string, number> } | null;
  theirs: Record<string, any>[];
  targets: Record<string, number>;
  gemmTarget: number;
}): Record<string, unknown>[];
