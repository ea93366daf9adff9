/**
 * export --out down a descriptor that is no real destination: standard output closed (`>&-`, which Node replaces with
 * /dev/null) or sent to /dev/null loses the model, and /dev/fd/N of a number the shell left closed names one of
 * Node's own descriptors (its signal and wake-up pipes, its event descriptors): both are refused, exit code 2, where
 * the model used to go there with exit code 0 (or crash Node). A `>` redirect onto one of the model's files is refused
 * saying that the shell has emptied it already; a `>>` one is not said to be emptied. The spawned processes run the
 * compiled CLI (bin/rnnlab.js, dist/).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { cleanup, REPO_ROOT, tempDir } from './helpers.js';

const BIN = path.join(REPO_ROOT, 'bin/rnnlab.js');
const linux = process.platform === 'linux';
const quoted = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

let saved: string;
beforeAll(async () => {
  saved = path.join(tempDir(), 'saved');
  rl.setSeed(1);
  await rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] })] }).save(saved);
});
afterAll(cleanup);

/** export --model saved --out `out` under sh, with `redirect` applied to it. */
const exportUnderShell = (out: string, redirect: string) =>
  spawnSync('sh', ['-c', `${quoted(process.execPath)} ${quoted(BIN)} export --model ${quoted(saved)} --out ${out} ${redirect}`],
    { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });

describe.runIf(linux)('export --out down a descriptor that goes nowhere', () => {
  it('standard output closed (>&-) or sent to /dev/null is refused: the model would be lost', () => {
    for (const redirect of ['>&-', '>/dev/null']) {
      const r = exportUnderShell('-', redirect);
      expect(r.status, `${redirect}: ${r.stderr}`).toBe(2);
      expect(r.stderr.split('\n')[0]).toBe("rnnlab export: error: --out -: standard output is /dev/null (as it is when closed: >&-), where the model would be lost; " +
        'give --out the file to write, e.g. model.onnx');
    }
  }, 60_000);

  it('/dev/fd/N of a descriptor the shell did not open is refused, whatever Node opened under that number; one handed down is written', () => {
    // Only 0-2 are handed down here: every other number up to 17 is Node's own (or nothing) in the CLI's process.
    for (let fd = 3; fd <= 17; fd++) {
      const r = spawnSync(process.execPath, [BIN, 'export', '--model', saved, '--out', `/dev/fd/${fd}`], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
      expect({ fd, code: r.status, signal: r.signal }, r.stderr).toEqual({ fd, code: 2, signal: null });
      expect(r.stderr.split('\n')[0]).toMatch(new RegExp(`^rnnlab export: error: --out /dev/fd/${fd}: descriptor ${fd} is (not open|/dev/null, where the model would be lost); give --out the file to write, e.g. model\\.onnx$`));
      expect(r.stdout).toBe('');
    }
    // One handed down (3> file, 3>&1 into a pipe) is still written.
    const file = path.join(tempDir(), 'three.onnx');
    const fd = openSync(file, 'w');
    let r;
    try {
      r = spawnSync(process.execPath, [BIN, 'export', '--model', saved, '--out', '/dev/fd/3'], { stdio: ['ignore', 'pipe', 'pipe', fd], encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
    } finally {
      closeSync(fd);
    }
    expect(r.status, r.stderr).toBe(0);
    const bytes = statSync(file).size;
    expect(r.stdout).toBe(`wrote /dev/fd/3 (${bytes} bytes, ONNX opset 17) from ${saved}\n`);
    const piped = spawnSync('sh', ['-c', `${quoted(process.execPath)} ${quoted(BIN)} export --model ${quoted(saved)} --out /dev/fd/3 3>&1 >/dev/null | wc -c`],
      { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
    expect(Number(piped.stdout.trim()), piped.stderr).toBe(bytes);
  }, 120_000);
});

describe.runIf(linux)('export --out - redirected onto one of the model\'s files', () => {
  it('> (the shell emptied it) is said to be emptied already; >> is not', () => {
    for (const name of ['model.json', 'weights.bin']) {
      const file = path.join(saved, name);
      const before = readFileSync(file);
      const appended = exportUnderShell('-', `>> ${quoted(file)}`);
      expect(appended.status, appended.stderr).toBe(2);
      expect(appended.stderr.split('\n')[0]).toBe(`rnnlab export: error: --out -: standard output (open on ${file}) is a file of the saved model being exported ` +
        `(in ${saved}); only an .onnx file may be written there; give another file, e.g. ${saved}.onnx`);
      expect(Buffer.compare(readFileSync(file), before)).toBe(0);
      const truncated = exportUnderShell('-', `> ${quoted(file)}`);
      expect(truncated.status, truncated.stderr).toBe(2);
      expect(truncated.stderr.split('\n')[0]).toBe(`rnnlab export: error: --out -: standard output (open on ${file}, which the shell's > redirect has emptied already) ` +
        `is a file of the saved model being exported (in ${saved}); only an .onnx file may be written there; give another file, e.g. ${saved}.onnx`);
      expect(statSync(file).size).toBe(0);
    }
  }, 60_000);
});
