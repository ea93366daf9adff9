// Every exported test model passes the reference ONNX checker with full shape inference (python3-onnx).
import { describe, expect, it } from 'vitest';
import { toOnnx } from '../../src/onnx/index.js';
import { CASES, trainedCase } from './cases.js';
import { onnxCheck, PYTHON } from './onnx_checker.js';

// The checker is Python's onnx package; machines without it rely on the ONNX Runtime tests alone.
describe.skipIf(PYTHON === undefined)('exported graphs pass onnx.checker (full_check)', () => {
  it('all cases', async () => {
    const models: Uint8Array[] = [];
    for (const c of CASES) models.push(toOnnx((await trainedCase(c)).model));
    const r = await onnxCheck(models);
    expect(r.stderr).toBe('');
    expect(r.passed).toBe(CASES.length);
  });
});
