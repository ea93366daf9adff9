/**
 * The variables the native addon reads with getenv are passed to it as rnnlab's check read them: " portable " (or a
 * blank RNNLAB_ISA, which means unset) used to pass the check and then stop the addon with "unknown instruction set
 * ' portable '", and " serial" was ignored by the kernels. Nothing here imports the backend before the variables are
 * set, so the addon loads for the first time in this file (vitest runs each file in its own process).
 */
import { describe, expect, it } from 'vitest';
import { checkNativeEnv, envFlag } from '../../src/env.js';

describe('the native variables as the addon sees them', () => {
  it('are written back trimmed, and a blank one is removed', () => {
    const env: NodeJS.ProcessEnv = { RNNLAB_ISA: ' portable\t', RNNLAB_THREADS: '   ', RNNLAB_RNN_SPLIT: ' batch ', RNNLAB_DATA: ' kept ' };
    checkNativeEnv(env);
    expect(env).toEqual({ RNNLAB_ISA: 'portable', RNNLAB_RNN_SPLIT: 'batch', RNNLAB_DATA: ' kept ' });
    const bad: NodeJS.ProcessEnv = { RNNLAB_ISA: ' avx3 ' };
    expect(() => checkNativeEnv(bad)).toThrow(/^RNNLAB_ISA="avx3" is not valid/);
    expect(bad).toEqual({ RNNLAB_ISA: ' avx3 ' });
  });

  it('the addon loads with a padded RNNLAB_ISA and runs the ISA it names', async (ctx) => {
    const saved = { isa: process.env.RNNLAB_ISA, split: process.env.RNNLAB_RNN_SPLIT, backend: process.env.RNNLAB_BACKEND };
    process.env.RNNLAB_ISA = ' portable ';
    process.env.RNNLAB_RNN_SPLIT = ' serial';
    delete process.env.RNNLAB_BACKEND;
    try {
      const backend = await import('../../src/backend/index.js');
      const info = backend.backendInfo();
      if (!info.addon && envFlag('RNNLAB_ALLOW_NO_NATIVE')) ctx.skip(`the native addon is missing: ${info.addonError}`);
      expect(info.addon, info.addonError).toBe(true);
      expect(info.isa).toBe('portable');
      expect(process.env.RNNLAB_RNN_SPLIT).toBe('serial');
    } finally {
      for (const [k, v] of [['RNNLAB_ISA', saved.isa], ['RNNLAB_RNN_SPLIT', saved.split], ['RNNLAB_BACKEND', saved.backend]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
