/** The pooling kernel tests' cases: a window's geometry as the layers compute it (src/layers/padding.ts). */
import { windowGeometry } from '../../src/layers/padding.js';

export interface Pool { B: number; T: number; C: number; pool: number; stride: number; padLeft: number; To: number }

export function poolCase(B: number, T: number, C: number, pool: number, stride: number, padding: 'valid' | 'same'): Pool {
  const { outSteps, padLeft } = windowGeometry(T, pool, stride, padding);
  return { B, T, C, pool, stride, padLeft, To: outSteps };
}

export const poolLabel = (c: Pool): string => `B${c.B} T${c.T} C${c.C} pool${c.pool} s${c.stride} pl${c.padLeft} To${c.To}`;
