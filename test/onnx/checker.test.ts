// Every exported test model passes the reference ONNX checker with full shape inference (python3-onnx).
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toOnnx } from '../../src/onnx/index.js';
import { CASES, trainedCase } from './cases.js';
import { buildSeq2Seq } from '../../src/seq2seq/model.js';
import type { AttentionKind } from '../../src/seq2seq/graph.js';

/** The seq2seq trainer's models (attention, states, ReverseTime, masks): functional graphs the checker must accept too. */
const seq2seq = (attention: AttentionKind, bidirectionalEncoder: boolean) => buildSeq2Seq({
  rnn: 'lstm', attention, bidirectionalEncoder, layers: 1, units: 4, embeddingDim: 3, sourceVocabSize: 9, targetVocabSize: 7,
}).model;

const CHECK = `
import sys, onnx
for path in sys.argv[1:]:
    onnx.checker.check_model(onnx.load(path), full_check=True)
    print('ok', path)
`;
// The first Python with the onnx package: the one on PATH, else Debian's (python3-onnx).
const PYTHON = ['python3', '/usr/bin/python3'].find((py) => spawnSync(py, ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0);

// The checker is Python's onnx package; machines without it rely on the ONNX Runtime tests alone.
describe.skipIf(PYTHON === undefined)('exported graphs pass onnx.checker (full_check)', () => {
  it('all cases', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rnnlab-onnx-check-'));
    try {
      const paths: string[] = [];
      for (const [i, c] of CASES.entries()) {
        const { model } = await trainedCase(c);
        paths.push(join(dir, `case${i}.onnx`));
        await writeFile(paths[i], toOnnx(model));
      }
      for (const [i, m] of [seq2seq('luong', false), seq2seq('bahdanau', true)].entries()) {
        paths.push(join(dir, `seq2seq${i}.onnx`));
        await writeFile(paths[paths.length - 1], toOnnx(m));
      }
      const r = spawnSync(PYTHON!, ['-c', CHECK, ...paths], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.stdout.trim().split('\n')).toHaveLength(paths.length);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
