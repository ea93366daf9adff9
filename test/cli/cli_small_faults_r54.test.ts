/**
 * Small CLI faults: predict --file - answering each line while stdin stays open; a run folder --out that is a device
 * or a named pipe said as such; export --out -, /dev/stdout and /dev/fd/N writing down the shell's descriptor (not a
 * temp file renamed over the file behind it); a model.json or weights file that is a named pipe named as one (not
 * "empty", and no hang); a sweep spec that is the sweep's own sweep.json refused as a usage error naming both.
 * The processes run the compiled CLI (bin/rnnlab.js, dist/).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { cleanup, REPO_ROOT, run, tempDir, trainFolderRun } from './helpers.js';

const BIN = path.join(REPO_ROOT, 'bin/rnnlab.js');
const posix = process.platform !== 'win32';

let root: string;
let data: string;
let trainRun: string;
let saved: string;

beforeAll(async () => {
  ({ root, data, trainRun } = await trainFolderRun());
  saved = path.join(root, 'saved');
  rl.setSeed(1);
  await rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] })] }).save(saved);
}, 120_000);
afterAll(cleanup);

const mkfifo = (p: string): string => { execFileSync('mkfifo', [p]); return p; };

describe('predict --file -', () => {
  it('answers each line while stdin stays open', async () => {
    const child = spawn(process.execPath, [BIN, 'predict', '--model', trainRun, '--file', '-', '--format', 'jsonl', '--threads', '1'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    // The n-th line of output, or null once 30 s passed (the old reader held a batch until stdin closed).
    const nthLine = (n: number) => new Promise<string | null>((resolve) => {
      const check = () => { const lines = out.split('\n'); if (lines.length > n) { clearTimeout(timer); child.stdout.off('data', onData); resolve(lines[n - 1]); } };
      const onData = (d: Buffer) => { out += d.toString(); check(); };
      const timer = setTimeout(() => { child.stdout.off('data', onData); resolve(null); }, 30_000);
      child.stdout.on('data', onData);
      check();
    });
    try {
      child.stdin.write('great fine lovely film\n');
      const first = await nthLine(1);
      expect(first, err).not.toBeNull();
      expect(JSON.parse(first!)).toMatchObject({ index: 0, text: 'great fine lovely film' });
      child.stdin.write('awful dull bad film\n');
      const second = await nthLine(2);
      expect(second, err).not.toBeNull();
      expect(JSON.parse(second!)).toMatchObject({ index: 1, text: 'awful dull bad film' });
    } finally {
      child.stdin.end();
    }
    expect(await closed, err).toBe(0);
    expect(out.split('\n')).toHaveLength(3);
    // The same numbers as the two texts scored together.
    const together = await run(['predict', '--model', trainRun, '--format', 'jsonl', 'great fine lovely film', 'awful dull bad film']);
    const want = together.out.trimEnd().split('\n').map((l) => JSON.parse(l));
    out.trimEnd().split('\n').map((l) => JSON.parse(l)).forEach((r, i) => {
      expect(r.label).toBe(want[i].label);
      expect(r.probability).toBeCloseTo(want[i].probability, 6);
    });
  }, 120_000);
});

describe.runIf(posix)('a run folder --out that is not a folder says what it is', () => {
  it('a device, a named pipe, a link to a device', async () => {
    const fifo = mkfifo(path.join(tempDir(), 'pipe'));
    const link = path.join(tempDir(), 'null-link');
    execFileSync('ln', ['-s', '/dev/null', link]);
    for (const [out, what] of [['/dev/null', 'a device'], [fifo, 'a named pipe (FIFO)'], [link, 'a link to /dev/null, a device']]) {
      const r = await run(['train', '--data', data, '--out', out]);
      expect(r.code, r.err).toBe(2);
      expect(r.err.split('\n')[0]).toBe(`rnnlab train: error: --out: ${out} is ${what}, not a folder`);
    }
  });
});

describe.runIf(posix)('export --out down a descriptor', () => {
  let reference: Buffer;
  beforeAll(async () => {
    const file = path.join(tempDir(), 'ref.onnx');
    expect((await run(['export', '--model', saved, '--out', file])).code).toBe(0);
    reference = readFileSync(file);
  });

  it('--out - and /dev/stdout into a pipe: the model on stdout, the note on stderr, no file named -', () => {
    const cwd = tempDir();
    for (const out of ['-', '/dev/stdout']) {
      const r = spawnSync(process.execPath, [BIN, 'export', '--model', saved, '--out', out], { cwd, timeout: 60_000, killSignal: 'SIGKILL' });
      expect(r.status, r.stderr.toString()).toBe(0);
      expect(Buffer.compare(r.stdout, reference)).toBe(0);
      expect(r.stderr.toString()).toBe(`wrote ${out === '-' ? 'stdout' : out} (${reference.length} bytes, ONNX opset 17) from ${saved}\n`);
    }
    expect(existsSync(path.join(cwd, '-'))).toBe(false);
  });

  it('/dev/stdout redirected to a file writes that file in place, at the shell\'s offset', () => {
    const file = path.join(tempDir(), 'f.onnx');
    writeFileSync(file, 'header\n');
    const ino = statSync(file).ino;
    // `>> f.onnx`: the bytes go after what is there, into the file the shell opened (not a new file renamed over it).
    const fd = openSync(file, 'a');
    try {
      const r = spawnSync(process.execPath, [BIN, 'export', '--model', saved, '--out', '/dev/stdout'], { stdio: ['ignore', fd, 'pipe'], timeout: 60_000, killSignal: 'SIGKILL' });
      expect(r.status, r.stderr.toString()).toBe(0);
    } finally {
      closeSync(fd);
    }
    expect(statSync(file).ino).toBe(ino);
    expect(Buffer.compare(readFileSync(file), Buffer.concat([Buffer.from('header\n'), reference]))).toBe(0);
  });

  it('/dev/fd/N of a redirect (3> g.onnx) is written; the note stays on stdout', () => {
    const file = path.join(tempDir(), 'g.onnx');
    const fd = openSync(file, 'w');
    const ino = statSync(file).ino;
    let r;
    try {
      r = spawnSync(process.execPath, [BIN, 'export', '--model', saved, '--out', '/dev/fd/3'], { stdio: ['ignore', 'pipe', 'pipe', fd], timeout: 60_000, killSignal: 'SIGKILL' });
    } finally {
      closeSync(fd);
    }
    expect(r.status, r.stderr.toString()).toBe(0);
    expect(r.stdout.toString()).toMatch(/^wrote \/dev\/fd\/3 \(\d+ bytes/);
    expect(statSync(file).ino).toBe(ino);
    expect(Buffer.compare(readFileSync(file), reference)).toBe(0);
  });

  it('a descriptor not open, or open on one of the model\'s files, is a usage error with nothing written', async () => {
    const r = await run(['export', '--model', saved, '--out', '/dev/fd/987654']);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toBe("rnnlab export: error: --out /dev/fd/987654: descriptor 987654 is not open; give --out the file to write, e.g. model.onnx");
    const weights = path.join(saved, 'weights.bin');
    const before = readFileSync(weights);
    const fd = openSync(weights, 'a');
    let w;
    try {
      w = spawnSync(process.execPath, [BIN, 'export', '--model', saved, '--out', '/dev/stdout'], { stdio: ['ignore', fd, 'pipe'], timeout: 60_000, killSignal: 'SIGKILL' });
    } finally {
      closeSync(fd);
    }
    expect(w.status).toBe(2);
    expect(w.stderr.toString()).toMatch(/--out \/dev\/stdout: standard output \(open on .*weights\.bin\) is a file of the saved model being exported/);
    expect(Buffer.compare(readFileSync(weights), before)).toBe(0);
  });

  it('a terminal is refused: the model is binary', () => {
    // `script` gives the CLI a terminal as stdout; skipped where it is not installed.
    if (spawnSync('script', ['--version']).status !== 0) return;
    const r = spawnSync('script', ['-qec', `${process.execPath} ${BIN} export --model ${saved} --out -`, '/dev/null'], { timeout: 60_000, killSignal: 'SIGKILL' });
    expect(r.status).toBe(2);
    expect(r.stdout.toString()).toMatch(/--out -: standard output is a terminal, and the ONNX model is binary; redirect it to a file \(> model\.onnx\) or a pipe/);
  });
});

describe.runIf(posix)('a named pipe as a saved model\'s file', () => {
  it('model.json: said to be a named pipe, not "empty"', async () => {
    const dir = path.join(tempDir(), 'm');
    mkdirSync(dir);
    mkfifo(path.join(dir, 'model.json'));
    await expect(rl.loadLayersModel(dir)).rejects.toThrow(`loadModel: ${path.join(dir, 'model.json')} is a named pipe (FIFO), not a regular file`);
  });

  it('weights.bin: named, and read by no one (reading a pipe would wait for a writer)', () => {
    const dir = path.join(tempDir(), 'w');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'model.json'), readFileSync(path.join(saved, 'model.json')));
    mkfifo(path.join(dir, 'weights.bin'));
    const r = spawnSync(process.execPath, [BIN, 'export', '--model', dir, '--out', path.join(tempDir(), 'x.onnx')], { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`rnnlab export: ${dir}/model.json: weights file 'weights.bin' listed in the manifest is a named pipe (FIFO), not a regular file\n`);
  });
});

describe('a sweep spec that is the sweep.json its --out would write', () => {
  it('is a usage error naming both, the spec left as it was', async () => {
    const dir = path.join(tempDir(), 'sweep');
    mkdirSync(dir);
    const spec = path.join(dir, 'sweep.json');
    const text = '{"command": "addition", "flags": {"digits": 1, "training-size": 40, "epochs": 1, "samples": 0}}\n';
    writeFileSync(spec, text);
    const r = await run(['sweep', spec, '--out', dir]);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toBe(`rnnlab sweep: error: --out: this sweep would replace ${spec} (the sweep's own record), the spec file it reads; nothing was changed. Give --out another folder, or move the spec file out of ${dir} first`);
    expect(readFileSync(spec, 'utf8')).toBe(text);
    rmSync(dir, { recursive: true });
  });
});
