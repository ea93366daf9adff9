// Types of bench/specs.mjs, for the TypeScript tests that parse benchmark command lines.
import type { ScriptSpec } from './flags.mjs';
export const RUN_MODELS: string[];
export const FIT_MODELS: string[];
export const INFERENCE_MODELS: string[];
export const BF16_MODELS: string[];
export const RECURRENT_CASES: string[];
export const GEMM_SHAPE: RegExp;
export function checkCases(script: string, caseNames: readonly string[], listName: 'RUN_MODELS' | 'FIT_MODELS' | 'INFERENCE_MODELS' | 'BF16_MODELS' | 'RECURRENT_CASES'): void;
export const RUN: ScriptSpec;
export const SOAK: ScriptSpec;
export const FIT: ScriptSpec;
export const INFERENCE: ScriptSpec;
export const RECURRENT: ScriptSpec;
export const GEMM: ScriptSpec;
export const BF16_STEP: ScriptSpec;
export const BF16_GRADIENTS: ScriptSpec;
export const SWEEP: ScriptSpec;
