/**
 * Small CLI faults: predict --file - answering CSV and JSON Lines rows as they arrive (as it does plain lines), not once
 * stdin closed; export --out - / /dev/stdout refused on one of the model's files naming the flag as given and the file
 * (not rnnlab's /dev/fd/1); a failed model-folder save (train) naming the file it could not write, in model.save's words.
 * The spawned processes run the compiled CLI (bin/rnnlab.js, dist/).
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { setBeforeRenameHook } from '../../src/io/atomic.js';
import { readTexts } from '../../src/tasks/text_predict.js';
import { cleanup, REPO_ROOT, run, snapshotFiles, tempDir, TRAIN_FAST, trainFolderRun } from './helpers.js';

const BIN = path.join(REPO_ROOT, 'bin/rnnlab.js');
const posix = process.platform !== 'win32';

let trainRun: string;

beforeAll(async () => {
  ({ trainRun } = await trainFolderRun());
}, 120_000);
afterAll(cleanup);
afterEach(() => setBeforeRenameHook(null));

/** The CLI's predict reading stdin, left open: `send` writes to it, `line(n)` waits for the n-th output line (null after 30 s). */
function predictOnStdin(inputFormat: string) {
  const child = spawn(process.execPath, [BIN, 'predict', '--model', trainRun, '--file', '-', '--input-format', inputFormat, '--format', 'jsonl', '--threads', '1'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const line = (n: number) => new Promise<Record<string, unknown> | null>((resolve) => {
    const check = () => {
      const lines = out.split('\n');
      if (lines.length <= n) return false;
      clearTimeout(timer); clearInterval(poll);
      resolve(JSON.parse(lines[n - 1]));
      return true;
    };
    const timer = setTimeout(() => { clearInterval(poll); resolve(null); }, 30_000);
    const poll = setInterval(check, 20);
    check();
  });
  return { send: (s: string) => child.stdin.write(s), end: () => child.stdin.end(), line, closed, out: () => out, err: () => err };
}

/** The records `predict` gives these texts as arguments, scored together. */
async function scoredTogether(texts: string[]): Promise<Record<string, any>[]> {
  const r = await run(['predict', '--model', trainRun, '--format', 'jsonl', ...texts]);
  expect(r.code, r.err).toBe(0);
  return r.out.trimEnd().split('\n').map((l) => JSON.parse(l));
}

describe('predict --file - with --input-format csv or jsonl answers each row while stdin stays open', () => {
  it('csv: the header, then a row, then a quoted field over two lines sent in two writes', async () => {
    const p = predictOnStdin('csv');
    try {
      p.send('label,text\n1,great fine lovely film\n');
      const first = await p.line(1);
      expect(first, p.err()).toMatchObject({ index: 0, text: 'great fine lovely film' });
      // The record is not complete until its quote closes: nothing more is answered before.
      p.send('0,"awful dull\n');
      p.send('bad film"\n');
      const second = await p.line(2);
      expect(second, p.err()).toMatchObject({ index: 1, text: 'awful dull\nbad film' });
    } finally {
      p.end();
    }
    expect(await p.closed, p.err()).toBe(0);
    const got = p.out().trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(got).toHaveLength(2);
    const want = await scoredTogether(['great fine lovely film', 'awful dull\nbad film']);
    got.forEach((r, i) => {
      expect(r.label).toBe(want[i].label);
      expect(r.probability).toBeCloseTo(want[i].probability, 6);
    });
  }, 120_000);

  it('jsonl: each object line is answered as it comes', async () => {
    const p = predictOnStdin('jsonl');
    try {
      p.send('{"text": "awful dull bad film", "label": 0}\n');
      expect(await p.line(1), p.err()).toMatchObject({ index: 0, text: 'awful dull bad film' });
      p.send('{"text": "great fine lovely film"}\n');
      expect(await p.line(2), p.err()).toMatchObject({ index: 1, text: 'great fine lovely film' });
    } finally {
      p.end();
    }
    expect(await p.closed, p.err()).toBe(0);
    expect(p.out().trimEnd().split('\n')).toHaveLength(2);
  }, 120_000);

  it('a bad row on stdin stops the run (exit 1, naming stdin and its line) after the rows before it were answered', async () => {
    const p = predictOnStdin('csv');
    p.send('text\ngreat fine lovely film\n');
    expect(await p.line(1), p.err()).toMatchObject({ index: 0 });
    p.send('"never closed\n');
    p.end();
    expect(await p.closed).toBe(1);
    expect(p.out().trimEnd().split('\n')).toHaveLength(1);
    expect(p.err()).toMatch(/^rnnlab predict: .*stdin:3: a quoted field opens here and is never closed/m);
  }, 120_000);
});

describe('readTexts from a stream', () => {
  it('gives a CSV row and a JSON Lines row before the stream ends; a file of bad rows only is still an error', async () => {
    for (const [format, head, row] of [['csv', 'text,label\n', 'a fine film,1\n'], ['jsonl', '', '{"text": "a fine film"}\n']] as const) {
      const input = new PassThrough();
      input.write(head + row);
      const texts = readTexts(input, format, 'stdin');
      const first = await Promise.race([texts.next(), new Promise((resolve) => setTimeout(() => resolve('no text before the stream ended'), 5_000))]);
      expect(first).toEqual({ value: 'a fine film', done: false });
      input.end(format === 'csv' ? 'second,0\n' : '{"text": "second"}\n');
      expect(await texts.next()).toEqual({ value: 'second', done: false });
      expect((await texts.next()).done).toBe(true);
    }
    // Stopped early with stdin still open: the reader asks for no more of it and closes it (its iterator's return).
    let closed = false;
    const open = {
      [Symbol.asyncIterator]: () => {
        let sent = false;
        return {
          next: () => sent ? new Promise<IteratorResult<Uint8Array>>(() => {})
            : (sent = true, Promise.resolve({ value: Buffer.from('text\nfirst\nsecond\n'), done: false as const })),
          return: () => { closed = true; return Promise.resolve({ value: undefined, done: true as const }); },
        };
      },
    };
    const early = readTexts(open, 'csv', 'stdin');
    expect(await early.next()).toEqual({ value: 'first', done: false });
    await early.return(undefined);
    for (let i = 0; i < 5 && !closed; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(true);
    const bad = new PassThrough();
    bad.end('text\n"x" y\n"z" w\n');
    const all: string[] = [];
    await expect((async () => { for await (const t of readTexts(bad, 'csv', 'stdin', { skipBadRows: true })) all.push(t); })())
      .rejects.toThrow(/^stdin: every row was bad \(2 skipped; first: stdin:2: /);
    expect(all).toEqual([]);
  });
});

describe.runIf(posix)('export --out - or /dev/stdout open on one of the model\'s files', () => {
  it('is refused naming --out as given, standard output, and the file; nothing is written', async () => {
    const saved = path.join(tempDir(), 'saved');
    rl.setSeed(1);
    await rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] })] }).save(saved);
    for (const out of ['-', '/dev/stdout']) {
      for (const name of ['model.json', 'weights.bin']) {
        const file = path.join(saved, name);
        const before = readFileSync(file);
        // `>> saved/model.json`: the shell's descriptor, which appending to would destroy the model.
        const fd = openSync(file, 'a');
        let r;
        try {
          r = spawnSync(process.execPath, [BIN, 'export', '--model', saved, '--out', out], { stdio: ['ignore', fd, 'pipe'], timeout: 60_000, killSignal: 'SIGKILL' });
        } finally {
          closeSync(fd);
        }
        expect(r.status, r.stderr.toString()).toBe(2);
        expect(r.stderr.toString().split('\n')[0]).toBe(`rnnlab export: error: --out ${out}: standard output (open on ${file}) is a file of the saved model being exported ` +
          `(in ${saved}); only an .onnx file may be written there; give another file, e.g. ${saved}.onnx`);
        expect(r.stderr.toString()).not.toContain('/dev/fd/');
        expect(Buffer.compare(readFileSync(file), before)).toBe(0);
      }
    }
  }, 60_000);
});

describe.runIf(process.platform === 'linux')('export --out - stopped by SIGINT while it writes', () => {
  it('finishes the write, exits 130, and names the descriptor as given and as standard output', async () => {
    const dir = tempDir();
    const saved = path.join(dir, 'saved');
    rl.setSeed(1);
    await rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] })] }).save(saved);
    // No timing: a module given to node with --import sends the CLI SIGINT as it starts writing the model down fd 1.
    const killer = path.join(dir, 'kill-at-write.mjs');
    writeFileSync(killer, `
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
if (process.argv[1]?.endsWith('rnnlab.js')) {
  const writeSync = fs.writeSync;
  let sent = false;
  fs.writeSync = function (fd, ...rest) {
    if (fd === 1 && !sent) { sent = true; process.kill(process.pid, 'SIGINT'); }
    return writeSync.call(this, fd, ...rest);
  };
  syncBuiltinESMExports();
}
`);
    const out = path.join(dir, 'm.onnx');
    const fd = openSync(out, 'w');
    let r;
    try {
      r = spawnSync(process.execPath, ['--import', pathToFileURL(killer).href, BIN, 'export', '--model', saved, '--out', '-'],
        { stdio: ['ignore', fd, 'pipe'], env: { ...process.env, RNNLAB_THREADS: '1' }, timeout: 60_000, killSignal: 'SIGKILL' });
    } finally {
      closeSync(fd);
    }
    const err = r.stderr.toString();
    expect({ code: r.status, signal: r.signal }, err).toEqual({ code: 130, signal: null });
    const bytes = Number(/^wrote stdout \((\d+) bytes, ONNX opset 17\)/.exec(err)?.[1]);
    expect(readFileSync(out).length).toBe(bytes);
    expect(err.trimEnd().split('\n').at(-1)).toBe('rnnlab export: stopped after the model was written whole to - (standard output)');
  }, 60_000);
});

describe('a model save that fails (a full disk) names the file it could not write', () => {
  const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });

  it.each(['model.json', 'weights.bin'])('train: %s, in model.save\'s words; the earlier run stays as it was', async (failing) => {
    const cwd = tempDir();
    const rows = Array.from({ length: 16 }, (_, i) => `${i % 2 ? 'good fine nice' : 'bad poor awful'} word${i},${i % 2}`);
    writeFileSync(path.join(cwd, 'd.csv'), `text,label\n${rows.join('\n')}\n`);
    const out = path.join(cwd, 'run');
    const train = () => run(['train', '--data', path.join(cwd, 'd.csv'), ...TRAIN_FAST, '--threads', '1', '--out', out]);
    expect((await train()).code).toBe(0);
    const before = snapshotFiles(out);
    setBeforeRenameHook((_tmp, target) => { if (path.basename(target) === failing && target.includes('.rnnlab-tmp-')) throw enospc(); });
    const r = await train();
    setBeforeRenameHook(null);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`cannot write ${path.join(out, 'model', failing)}: no space left on the device; nothing was replaced`);
    // The temp folder the model was staged in is gone, and not named.
    expect(r.err).not.toContain('.rnnlab-tmp-');
    expect(snapshotFiles(out)).toEqual(before);
    expect(readdirSync(cwd).filter((n) => n.startsWith('.rnnlab-tmp-'))).toEqual([]);
  }, 120_000);
});
