/**
 * The mixed_bfloat16 policy set under RNNLAB_BACKEND=reference (which emulates bf16), then `await rl.setBackend('cpu')`
 * onto native kernels that cannot run bf16 (RNNLAB_ISA=portable makes that so on any CPU, AVX512-BF16 or not): only
 * the products the policy affects throw, naming the policy and a way back that works with that variable already set;
 * element-wise ops and plain tensor products (fp32 under the policy) still run.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nativeKernels } from '../../src/backend/index.js';
import { REPO_ROOT } from '../cli/helpers.js';

const script = `
const rl = await import(${JSON.stringify(path.join(REPO_ROOT, 'dist/index.js'))});
const out = {};
const attempt = (name, fn) => { try { out[name] = fn(); } catch (e) { out[name] = 'threw: ' + e.message; } };
out.before = rl.getBackend();
out.policy = rl.mixedPrecision.setGlobalPolicy('mixed_bfloat16').name;
const dense = rl.layers.dense({ units: 2, inputShape: [3] });
out.set = await rl.setBackend('cpu');
out.after = rl.getBackend();
attempt('add', () => Array.from(rl.add(1, 2).dataSync()));
attempt('relu', () => Array.from(rl.relu(rl.tensor1d([-1, 2])).dataSync()));
attempt('softmax', () => Array.from(rl.softmax(rl.tensor1d([0, 0])).dataSync()));
attempt('matMul', () => Array.from(rl.matMul(rl.tensor2d([[1, 2]]), rl.tensor2d([[3], [4]])).dataSync()));
attempt('dense', () => dense.apply(rl.tensor2d([[1, 2, 3]])).shape);
await rl.setBackend('reference');
attempt('denseBack', () => dense.apply(rl.tensor2d([[1, 2, 3]])).shape);
process.stdout.write(JSON.stringify(out));
`;

describe('mixed_bfloat16 under RNNLAB_BACKEND=reference, then setBackend(\'cpu\')', () => {
  it.skipIf(!nativeKernels())('element-wise ops and plain products run; a layer\'s product throws naming the policy and rl.setBackend(\'reference\')', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8', timeout: 60_000, env: { ...process.env, RNNLAB_BACKEND: 'reference', RNNLAB_ISA: 'portable' },
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ before: 'reference', policy: 'mixed_bfloat16', set: true, after: 'native' });
    expect(out.add).toEqual([3]);
    expect(out.relu).toEqual([0, 2]);
    expect(out.softmax).toEqual([0.5, 0.5]);
    expect(out.matMul).toEqual([11]);
    expect(out.dense).toMatch(/^threw: dense \(Dense\): the mixed_bfloat16 policy is in force but the native kernels cannot run it \(they need .*\): set the policy again/);
    // RNNLAB_BACKEND=reference is set already: the way back is the call, not the variable.
    expect(out.dense).toMatch(/rl\.setBackend\('reference'\): RNNLAB_BACKEND=reference chose them at startup/);
    expect(out.dense).not.toMatch(/or RNNLAB_BACKEND=reference/);
    expect(out.denseBack).toEqual([1, 2]);
  }, 60_000);
});
