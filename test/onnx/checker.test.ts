// Every exported test model passes the reference ONNX checker with full shape inference (python3-onnx).
import { describe, expect, it } from 'vitest';
import { toOnnx } from '../../src/onnx/index.js';
import { CASES, trainedCase } from './cases.js';
import { buildSeq2Seq } from '../../src/seq2seq/model.js';
import type { AttentionKind } from '../../src/seq2seq/graph.js';
import { onnxCheck, PYTHON } from './onnx_checker.js';

/** The seq2seq trainer's models (attention, states, ReverseTime, masks): functional graphs the checker must accept too. */
const seq2seq = (attention: AttentionKind, bidirectionalEncoder: boolean) => buildSeq2Seq({
  rnn: 'lstm', attention, bidirectionalEncoder, layers: 1, units: 4, embeddingDim: 3, sourceVocabSize: 9, targetVocabSize: 7,
}).model;

// The checker is Python's onnx package; machines without it rely on the ONNX Runtime tests alone.
describe.skipIf(PYTHON === undefined)('exported graphs pass onnx.checker (full_check)', () => {
  it('all cases', async () => {
    const models: Uint8Array[] = [];
    for (const c of CASES) models.push(toOnnx((await trainedCase(c)).model));
    models.push(toOnnx(seq2seq('luong', false)), toOnnx(seq2seq('bahdanau', true)));
    const r = await onnxCheck(models);
    expect(r.stderr).toBe('');
    expect(r.passed).toBe(models.length);
  });
});
