// What an ONNX export may replace: never a named pipe, socket or device (the rename would make it a regular file),
// never the saved model's own weights file whatever its name, never a path ending in '/'; a link is written through
// (the link stays, the file it leads to is replaced). rl.exportONNX throws naming the path; `rnnlab export` exits 2
// naming --out. Nothing here touches a system file: the pipe and the socket are made in a temp folder.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { main } from '../../src/cli/main.js';
import { toOnnx } from '../../src/onnx/index.js';
import { ortSession } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnlab-onnx-out-'));
const fifo = join(dir, 'pipe.onnx'), socket = join(dir, 'sock.onnx');
let server: Server;
let model: rl.Sequential;

beforeAll(async () => {
  execFileSync('mkfifo', [fifo]);
  server = createServer();
  await new Promise<void>((done) => server.listen(socket, done));
  rl.setSeed(3);
  model = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] })] });
});
afterAll(async () => {
  await new Promise((done) => server.close(done));
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(['export', ...args], { out: { write: (s: string) => (out += s) }, err: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

const kind = (p: string) => { const s = lstatSync(p); return s.isFIFO() ? 'fifo' : s.isSocket() ? 'socket' : s.isSymbolicLink() ? 'link' : s.isFile() ? 'file' : 'other'; };
const temps = () => readdirSync(dir).filter((n) => n.includes('tmp'));

describe('rl.exportONNX refuses what is not a regular file', () => {
  it('a named pipe and a socket are refused naming the path, and stay what they were', async () => {
    await expect(rl.exportONNX(model, fifo)).rejects.toThrow(`ONNX export: cannot write '${fifo}': it is a named pipe (FIFO), not a regular file (the export would replace it with one)`);
    await expect(rl.exportONNX(model, socket)).rejects.toThrow(`ONNX export: cannot write '${socket}': it is a socket, not a regular file`);
    expect([kind(fifo), kind(socket)]).toEqual(['fifo', 'socket']);
    expect(temps()).toEqual([]);
  });

  it('a link to a named pipe is refused saying so; a link that leads nowhere is refused naming where it leads', async () => {
    const toPipe = join(dir, 'to-pipe.onnx'), dangling = join(dir, 'dangling.onnx');
    symlinkSync(fifo, toPipe);
    symlinkSync(join(dir, 'nowhere.onnx'), dangling);
    await expect(rl.exportONNX(model, toPipe)).rejects.toThrow(`cannot write '${toPipe}': it is a link to ${fifo}, a named pipe (FIFO), not a regular file`);
    await expect(rl.exportONNX(model, dangling)).rejects.toThrow(`cannot write '${dangling}': it is a link to ${join(dir, 'nowhere.onnx')}, which does not exist`);
    expect([kind(toPipe), kind(fifo), kind(dangling), existsSync(join(dir, 'nowhere.onnx'))]).toEqual(['link', 'fifo', 'link', false]);
  });

  it("a path ending in '/' is refused as a folder's path (it used to fail the rename: 'a part of ... is not a folder')", async () => {
    const p = join(dir, 'new.onnx') + '/';
    await expect(rl.exportONNX(model, p)).rejects.toThrow(`ONNX export: cannot write '${p}': the path ends in '/', so it names a folder; give the file's path without it`);
    expect(existsSync(join(dir, 'new.onnx'))).toBe(false);
    expect(temps()).toEqual([]);
  });

  it('a link to a regular file is written through: the link stays a link, the file it leads to holds the model', async () => {
    mkdirSync(join(dir, 'real'));
    const real = join(dir, 'real', 'model.onnx'), link = join(dir, 'latest.onnx');
    writeFileSync(real, 'old');
    symlinkSync(real, link);
    const r = await rl.exportONNX(model, link);
    expect(r.path).toBe(link);
    expect(kind(link)).toBe('link');
    expect(readFileSync(real)).toEqual(Buffer.from(toOnnx(model)));
    expect((await ortSession(readFileSync(link))).outputNames).toEqual(['output']);
    expect(readdirSync(join(dir, 'real'))).toEqual(['model.onnx']);
  });
});

describe('rnnlab export --out', () => {
  let saved = '';
  beforeAll(async () => {
    saved = join(dir, 'saved');
    await model.save(saved);
  });

  it('a named pipe, a socket or a link to one is a usage error naming --out (exit 2), left as it was', async () => {
    const toSocket = join(dir, 'to-socket.onnx');
    symlinkSync(socket, toSocket);
    const cases: [string, RegExp][] = [
      [fifo, /--out: \S*pipe\.onnx is a named pipe \(FIFO\), not a regular file, which the export would replace with one/],
      [socket, /--out: \S*sock\.onnx is a socket, not a regular file/],
      [toSocket, /--out: \S*to-socket\.onnx is a link to \S*sock\.onnx, a socket, not a regular file/],
    ];
    for (const [out, message] of cases) {
      const r = await run(['--model', saved, '--out', out]);
      expect(r, out).toMatchObject({ code: 2, out: '' });
      expect(r.err, out).toMatch(message);
    }
    expect([kind(fifo), kind(socket), kind(toSocket)]).toEqual(['fifo', 'socket', 'link']);
  });

  it("a path ending in '/' is a usage error (exit 2), not a failed write (exit 1)", async () => {
    const out = join(dir, 'fresh.onnx') + '/';
    const r = await run(['--model', saved, '--out', out]);
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toContain(`--out: ${out} ends in '/', so it names a folder; give the file to write without it, e.g. ${join(dir, 'fresh.onnx')}`);
    expect(existsSync(join(dir, 'fresh.onnx'))).toBe(false);
  });

  it('a link that leads nowhere is a usage error; a link to a regular file is written through', async () => {
    const dangling = join(dir, 'cli-dangling.onnx'), link = join(dir, 'cli-link.onnx'), real = join(dir, 'real', 'cli.onnx');
    symlinkSync(join(dir, 'gone.onnx'), dangling);
    const r = await run(['--model', saved, '--out', dangling]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--out: \S*cli-dangling\.onnx is a link to \S*gone\.onnx, which does not exist/);
    writeFileSync(real, 'old');
    symlinkSync(real, link);
    expect(await run(['--model', saved, '--out', link])).toMatchObject({ code: 0, err: '' });
    expect(kind(link)).toBe('link');
    expect(readFileSync(real)).toEqual(Buffer.from(toOnnx(model)));
  });
});

describe("rnnlab export never replaces the saved model's weights file, whatever its name", () => {
  const snapshot = (folder: string) => Object.fromEntries(readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((f) => lstatSync(join(folder, f)).isFile()).map((f) => [f, readFileSync(join(folder, f), 'hex')]));

  it("weights saved as weights.onnx: --out naming it (or a link to it) is refused, the model loads as before", async () => {
    const saved = join(dir, 'onnx-named');
    await model.save(saved, { weightsFileName: 'weights.onnx' });
    const before = snapshot(saved);
    const link = join(dir, 'to-weights.onnx');
    symlinkSync(join(saved, 'weights.onnx'), link);
    for (const out of [join(saved, 'weights.onnx'), link]) {
      const r = await run(['--model', saved, '--out', out]);
      expect(r, out).toMatchObject({ code: 2, out: '' });
      expect(r.err, out).toMatch(/--out: \S*weights\.onnx.* is the weights file 'weights\.onnx' that \S*model\.json lists: replacing it would destroy the saved model being exported/);
    }
    expect(snapshot(saved)).toEqual(before);
    const back = await rl.loadLayersModel(saved);
    const x = rl.tensor([[1, 2, 3]]);
    expect(back.predict(x).values).toEqual(model.predict(x).values);
  });

  it('a weights file in a subfolder of the model folder, listed as sub/w.onnx, is found as the loader resolves it', async () => {
    const saved = join(dir, 'sub-named');
    await model.save(saved, { weightsFileName: 'w.onnx' });
    mkdirSync(join(saved, 'sub'));
    renameSync(join(saved, 'w.onnx'), join(saved, 'sub', 'w.onnx'));
    const json = JSON.parse(readFileSync(join(saved, 'model.json'), 'utf8'));
    json.weightsManifest[0].paths = ['sub/w.onnx'];
    writeFileSync(join(saved, 'model.json'), JSON.stringify(json));
    await rl.loadLayersModel(saved); // the loader reads it there
    const before = snapshot(saved);
    const r = await run(['--model', saved, '--out', join(saved, 'sub', 'w.onnx')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/is the weights file 'sub\/w\.onnx'/);
    expect(snapshot(saved)).toEqual(before);
    // Another .onnx file in the model's folder is still written.
    expect(await run(['--model', saved, '--out', join(saved, 'sub', 'other.onnx')])).toMatchObject({ code: 0, err: '' });
  });
});

describe('rnnlab export judges a link at --out both where it is and where it leads', () => {
  // The store holds the files a saved model or a run folder links to: it is no folder of the model being exported.
  const store = join(dir, 'store');
  const files = (folder: string) => Object.fromEntries(readdirSync(folder).map((f) => [f, readFileSync(join(folder, f), 'hex')]));

  // A saved model whose model.json is a link to the store's (a relative one, as `ln -s ../store/model.json` makes).
  const linkedJson = (name: string) => {
    const saved = join(dir, name);
    mkdirSync(saved);
    symlinkSync(join('..', 'store', 'model.json'), join(saved, 'model.json'));
    writeFileSync(join(saved, 'weights.bin'), readFileSync(join(store, 'weights.bin')));
    return saved;
  };
  beforeAll(async () => { await model.save(store); });

  it("a model.json that is a link to another folder's is refused (was written through, destroying the model)", async () => {
    const saved = linkedJson('linked-json');
    const before = files(store);
    const r = await run(['--model', saved, '--out', join(saved, 'model.json')]);
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toContain(`--out: ${join(saved, 'model.json')} (a link to ${join('..', 'store', 'model.json')}) is a file of the saved model being exported (in ${realpathSync(saved)}); only an .onnx file may be written there`);
    expect(files(store)).toEqual(before);
    expect(kind(join(saved, 'model.json'))).toBe('link');
    const x = rl.tensor([[1, 2, 3]]);
    expect((await rl.loadLayersModel(saved)).predict(x).values).toEqual(model.predict(x).values);
  });

  it('so is a link to that model.json from outside, whatever its name (.onnx too)', async () => {
    const saved = linkedJson('linked-json-2');
    const before = files(store);
    const link = join(dir, 'json-link.onnx');
    symlinkSync(join(saved, 'model.json'), link);
    const r = await run(['--model', saved, '--out', link]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`is the file ${join(saved, 'model.json')} of the saved model being exported: replacing it would destroy the model`);
    expect(files(store)).toEqual(before);
  });

  it("a run folder's results.json, report or rnnlab-input.json that is a link is refused, the file it leads to kept", async () => {
    const run_ = join(dir, 'linked-run');
    await model.save(join(run_, 'model'));
    const kept = { 'results.json': '{"command":"imdb"}', 'report.html': '<p>report</p>', 'rnnlab-input.json': '{"vocab":10}' };
    for (const [name, text] of Object.entries(kept)) writeFileSync(join(store, `run-${name}`), text);
    symlinkSync(join(store, 'run-results.json'), join(run_, 'results.json'));
    symlinkSync(join(store, 'run-report.html'), join(run_, 'report.html'));
    symlinkSync(join(store, 'run-rnnlab-input.json'), join(run_, 'model', 'rnnlab-input.json'));
    for (const [out, what] of [[join(run_, 'results.json'), 'the run folder of the model being exported'],
      [join(run_, 'report.html'), 'the run folder of the model being exported'],
      [join(run_, 'model', 'rnnlab-input.json'), 'the saved model being exported']]) {
      const r = await run(['--model', run_, '--out', out]);
      expect(r, out).toMatchObject({ code: 2, out: '' });
      expect(r.err, out).toContain(`--out: ${out} (a link to ${join(store, 'run-')}`);
      expect(r.err, out).toContain(`is a file of ${what}`);
    }
    for (const [name, text] of Object.entries(kept)) expect(readFileSync(join(store, `run-${name}`), 'utf8')).toBe(text);
  });

  it('an .onnx link in the model folder to a file outside the protected folders is still written through', async () => {
    const saved = join(dir, 'onnx-beside'), target = join(store, 'elsewhere.onnx'), link = join(saved, 'latest.onnx');
    await model.save(saved);
    writeFileSync(target, 'old');
    symlinkSync(target, link);
    expect(await run(['--model', saved, '--out', link])).toMatchObject({ code: 0, err: '' });
    expect(kind(link)).toBe('link');
    expect(readFileSync(target)).toEqual(Buffer.from(toOnnx(model)));
  });
});

describe('rnnlab export refuses a file that a link in the run or model folder leads to', () => {
  // run/ (--model) holds model/ and links into store/, as a run whose record is kept elsewhere.
  const base = join(dir, 'linked-from-run'), runDir = join(base, 'run'), store = join(base, 'store');
  const texts = { 'r.json': '{"command":"imdb"}', 'r2.json': '<p>report</p>', 'in.json': '{"vocab":10}', 'c.json': '{"epoch":1}' };
  const kept = () => Object.keys(texts).map((f) => readFileSync(join(store, f === 'c.json' ? join('ckpt', f) : f), 'utf8'));
  beforeAll(async () => {
    mkdirSync(join(store, 'ckpt'), { recursive: true });
    for (const [f, text] of Object.entries(texts)) writeFileSync(join(store, f === 'c.json' ? join('ckpt', f) : f), text);
    await model.save(join(runDir, 'model'));
    symlinkSync(join('..', 'store', 'r.json'), join(runDir, 'results.json'));
    symlinkSync(join('..', 'store', 'r2.json'), join(runDir, 'report.html'));
    symlinkSync(join('..', '..', 'store', 'in.json'), join(runDir, 'model', 'rnnlab-input.json'));
    symlinkSync(join('..', 'store', 'ckpt'), join(runDir, 'checkpoint'));
  });

  it('--out naming the file itself (a run\'s results.json kept in a store was written through, the run\'s record replaced)', async () => {
    const cases: [string, string, string][] = [
      ['r.json', 'results.json', 'the run folder of the model being exported'],
      ['in.json', join('model', 'rnnlab-input.json'), 'the saved model being exported'],
      [join('ckpt', 'c.json'), 'checkpoint', 'the run folder of the model being exported'],
    ];
    for (const [file, link, what] of cases) {
      const r = await run(['--model', runDir, '--out', join(store, file)]);
      expect(r, file).toMatchObject({ code: 2, out: '' });
      expect(r.err, file).toContain(`--out: ${join(store, file)} is the file that ${join(realpathSync(runDir), link)}, a link in ${what} (in `);
      expect(r.err, file).toContain('leads to: the export would replace what it reads');
    }
    expect(kept()).toEqual(Object.values(texts));
  });

  it('a chain of links through the run folder is judged at every path on the way', async () => {
    const outlink = join(base, 'outlink');
    symlinkSync(join('run', 'report.html'), outlink);
    const r = await run(['--model', runDir, '--out', outlink]);
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toContain(`--out: ${outlink} (a link to ${join('run', 'report.html')}, which is a link to ${join('..', 'store', 'r2.json')}) is a file of the run folder of the model being exported (in ${realpathSync(runDir)})`);
    expect(kept()).toEqual(Object.values(texts));
    expect(kind(outlink)).toBe('link');
  });

  it('an existing file no link there leads to is replaced, and an .onnx one in a linked folder', async () => {
    for (const out of [join(store, 'free.json'), join(store, 'ckpt', 'm.onnx')]) {
      writeFileSync(out, 'old');
      expect(await run(['--model', runDir, '--out', out]), out).toMatchObject({ code: 0, err: '' });
      expect(readFileSync(out), out).toEqual(Buffer.from(toOnnx(model)));
    }
  });
});
