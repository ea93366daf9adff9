// The reference ONNX checker (Python's onnx package, full shape inference) on exported files, for the ONNX tests.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CHECK = `
import sys, onnx
for path in sys.argv[1:]:
    onnx.checker.check_model(onnx.load(path), full_check=True)
    print('ok', path)
`;

// The first Python with the onnx package: the one on PATH, else Debian's (python3-onnx).
export const PYTHON = ['python3', '/usr/bin/python3'].find((py) => spawnSync(py, ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0);

/** Writes each model to a temporary file and checks them all in one Python run: its stderr and the files it passed. */
export async function onnxCheck(models: Uint8Array[]): Promise<{ stderr: string; passed: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'rnnlab-onnx-check-'));
  try {
    const paths = models.map((_, i) => join(dir, `model${i}.onnx`));
    for (const [i, bytes] of models.entries()) await writeFile(paths[i], bytes);
    const r = spawnSync(PYTHON!, ['-c', CHECK, ...paths], { encoding: 'utf8' });
    return { stderr: r.stderr, passed: r.stdout.trim().split('\n').filter((l) => l.startsWith('ok ')).length };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
