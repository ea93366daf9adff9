/**
 * Files that cannot be read as text (a folder, a broken link, no permission, gzip, a file cut short while read) and
 * sources that are no file or byte stream: each a DataError naming the file, never a raw Node error or "not UTF-8".
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/errors.js';
import { loadTextDataset } from '../../src/data/text_dataset.js';
import { readErrorProblem, readLines } from '../../src/data/text_stream.js';
import { readPairs } from '../../src/seq2seq/pairs.js';

const dir = mkdtempSync(path.join(tmpdir(), 'rnnlab-file-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, content);
  return p;
}

const refusal = (p: Promise<unknown>) => p.then(() => null, (e: Error) => e);
const asRoot = process.getuid?.() === 0;

/** DIR/pos and DIR/neg with three readable reviews each. */
function classFolder(name: string): string {
  const root = path.join(dir, name);
  for (const cls of ['pos', 'neg']) for (let i = 1; i <= 3; i++) file(`${name}/${cls}/${i}.txt`, `${cls} review ${i}`);
  return root;
}

describe('class folders with a .txt that cannot be read', () => {
  it('a dangling link is a DataError naming the file, and skipBadRows skips and counts it', async () => {
    const root = classFolder('dangling');
    const dead = path.join(root, 'pos', 'dead.txt');
    symlinkSync(path.join(dir, 'nowhere.txt'), dead);
    const e = await refusal(loadTextDataset(root));
    expect(e).toBeInstanceOf(DataError);
    expect(e!.message).toBe(`${dead}: no such file (a broken link?) (skip such rows with skipBadRows)`);
    const ds = await loadTextDataset(root, { skipBadRows: true });
    expect([ds.texts.length, ds.skipped, ds.skippedRows[0].where]).toEqual([6, 1, dead]);
  });

  it.skipIf(asRoot)('a file without read permission is a DataError naming it, skipped with skipBadRows', async () => {
    const root = classFolder('noread');
    const locked = path.join(root, 'neg', '2.txt');
    chmodSync(locked, 0o000);
    expect((await refusal(loadTextDataset(root)))!.message).toBe(`${locked}: permission denied: the file cannot be read (skip such rows with skipBadRows)`);
    const ds = await loadTextDataset(root, { skipBadRows: true });
    expect([ds.texts.length, ds.skipped]).toEqual([5, 1]);
  });

  it('a gzipped .txt is named as gzip, not as bad UTF-8', async () => {
    const root = classFolder('gz');
    const gz = file('gz/pos/4.txt', gzipSync('pos review 4'));
    expect((await refusal(loadTextDataset(root)))!.message).toBe(`${gz}:1: the file is gzip-compressed; decompress it first (e.g. with gunzip) (skip such rows with skipBadRows)`);
  });
});

describe('read errors of streamed files (readPairs, readLines)', () => {
  it('a folder is a DataError naming it', async () => {
    const folder = path.join(dir, 'pairs_folder.tsv');
    mkdirSync(folder);
    const e = await refusal(readPairs(folder, 'pairs_folder.tsv'));
    expect(e).toBeInstanceOf(DataError);
    expect(e!.message).toBe('pairs_folder.tsv: this is a folder, not a file');
    // Kept so a caller can word its own message, as rl.data.csv does.
    expect((e as NodeJS.ErrnoException).code).toBe('EISDIR');
  });

  it('open and read errors map to a problem by their code; other errors are not the file\'s', () => {
    const err = (code: string) => Object.assign(new Error(`${code}: something`), { code });
    expect(readErrorProblem(err('EACCES'))).toBe('permission denied: the file cannot be read');
    expect(readErrorProblem(err('EPERM'))).toBe('permission denied: the file cannot be read');
    expect(readErrorProblem(err('ELOOP'))).toBe('the file cannot be read (ELOOP: something)');
    // The system's trouble, not the file's: no bad row for --skip-bad-rows to skip and count.
    for (const code of ['EMFILE', 'ENFILE', 'EIO', 'ENOMEM']) expect(readErrorProblem(err(code))).toBeNull();
    expect(readErrorProblem(new RangeError('not a file problem'))).toBeNull();
  });

  it.skipIf(asRoot)('a file without read permission is a DataError naming it', async () => {
    const locked = file('locked.tsv', 'a\tb\n');
    chmodSync(locked, 0o000);
    expect((await refusal(readPairs(locked, 'locked.tsv')))!.message).toBe('locked.tsv: permission denied: the file cannot be read');
  });

  it('gzip input is refused as gzip in TSV, CSV and JSON Lines', async () => {
    for (const [name, text] of [['p.tsv.gz', 'a\tb\n'], ['p.csv.gz', 'source,target\na,b\n'], ['p.jsonl.gz', '{"source":"a","target":"b"}\n']]) {
      const p = file(name, gzipSync(text));
      const format = name.includes('.csv') ? 'csv' : name.includes('.jsonl') ? 'jsonl' : 'tsv';
      expect((await refusal(readPairs(p, name, { format })))!.message).toBe(`${name}:1: the file is gzip-compressed; decompress it first (e.g. with gunzip)`);
    }
  });

  it('gzip is recognised when its two signature bytes come in separate chunks', async () => {
    const gz = gzipSync('a\tb\n');
    const chunks = Readable.from([gz.subarray(0, 1), gz.subarray(1)]);
    expect((await refusal(readPairs(chunks, 'split.tsv')))!.message).toMatch(/^split\.tsv:1: the file is gzip-compressed/);
  });

  it('a file cut short while it is read is named as changed, not read short or as a bad line', async () => {
    const line = 'some text that fills the file,1\n';
    const p = file('shrinks.csv', line.repeat(Math.ceil((8 << 20) / line.length)));
    let n = 0;
    const e = await refusal((async () => {
      for await (const _ of readLines(p, 'shrinks.csv')) if (++n === 1) truncateSync(p, 100);
    })());
    expect(e).toBeInstanceOf(DataError);
    expect(e!.message).toMatch(/^shrinks\.csv changed while it was read \(it is now shorter: \d+ of the \d+ bytes it had when opened were read\)/);
  });

  // sysfs reports 4096 bytes for a file that holds a few: a short read of a file whose size did not change is whole.
  const sysfs = ['/sys/devices/system/cpu/online', '/sys/kernel/mm/transparent_hugepage/enabled'].find((f) => existsSync(f));
  it.skipIf(!sysfs)('a file that reports more bytes than it holds, and still does, reads whole', async () => {
    const lines: string[] = [];
    for await (const { text } of readLines(sysfs!, 'sysfs')) lines.push(text);
    expect(lines.join('\n')).toBe(readFileSync(sysfs!, 'utf8').replace(/\n$/, ''));
  });
});

describe('sources that are no path or byte stream', () => {
  const what = 'the source must be a file path or a stream of bytes or strings (an async iterable of Uint8Array or string chunks)';
  it.each([
    ['a number', 42, `got number`],
    ['a plain object', {}, 'got an object'],
    ['a Buffer of valid UTF-8', Buffer.from('a\tb\n'), 'got a Buffer or typed array (give the bytes as a stream: Readable.from([bytes]))'],
  ])('%s is refused naming the source, not as bad UTF-8', async (_what, source, got) => {
    const e = await refusal(readPairs(source as never, 'x.tsv'));
    expect(e).toBeInstanceOf(DataError);
    expect(e!.message).toBe(`x.tsv: ${what}, ${got}`);
  });

  it('a file:// URL object is refused, pointing at its path (a path to the same file reads)', async () => {
    const p = file('url.tsv', 'a\tb\n');
    expect((await refusal(readPairs(pathToFileURL(p) as never, 'url.tsv')))!.message).toBe(`url.tsv: ${what}, got a URL (give the URL's path: fileURLToPath(url))`);
    expect((await readPairs(p, 'url.tsv')).map((q) => [q.source, q.target])).toEqual([['a', 'b']]);
  });

  it('a file:// string reads as the file (as the model loaders and rl.data.csv read one); another scheme is refused by name', async () => {
    const p = file('url string.tsv', 'a\tb\nc\td\n');
    expect((await readPairs(pathToFileURL(p).href, 'url.tsv')).map((q) => q.target)).toEqual(['b', 'd']);
    const lines: string[] = [];
    for await (const l of readLines(pathToFileURL(p).href, 'url.tsv')) lines.push(l.text);
    expect(lines).toEqual(['a\tb', 'c\td']);
    const missing = await refusal(readPairs(pathToFileURL(path.join(dir, 'none.tsv')).href, 'none.tsv'));
    expect(missing!.message).toBe('none.tsv: no such file');
    const https = await refusal(readPairs('https://example.com/pairs.tsv', 'https://example.com/pairs.tsv'));
    expect(https).toBeInstanceOf(DataError);
    expect(https!.message).toBe("https://example.com/pairs.tsv: unsupported URL scheme 'https://'; rnnlab reads local files, given as paths or file:// URLs: download the file and give its path");
  });

  it('an objectMode stream of objects is named by its chunk', async () => {
    const e = await refusal(readPairs(Readable.from([{ a: 1 }]) as never, 'obj.tsv'));
    expect(e!.message).toMatch(/^obj\.tsv: chunk 1 of the stream is an object; the stream must give bytes \(Uint8Array\) or strings/);
  });

  it('streams of bytes or strings still read, and an encoded surrogate is still not valid UTF-8', async () => {
    expect((await readPairs(Readable.from([Buffer.from('a\tb\n'), 'c\td\n']), 's.tsv')).map((q) => q.target)).toEqual(['b', 'd']);
    const surrogate = Buffer.from([0x61, 0x09, 0xed, 0xa0, 0x80, 0x0a]);
    expect((await refusal(readPairs(Readable.from([surrogate]), 's.tsv')))!.message).toBe('s.tsv:1: byte 0xed is not UTF-8; save the file as UTF-8');
  });

  it('an encoded surrogate, an overlong form or a code point past U+10FFFF is named on its own line, split across chunks or not', async () => {
    const ok = Buffer.from('a\tb\n', 'utf8');
    const cases: [string, number[]][] = [['surrogate', [0xed, 0xa0, 0x80]], ['overlong 3-byte', [0xe0, 0x80, 0xaf]], ['overlong 4-byte', [0xf0, 0x80, 0x80, 0xaf]], ['past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]]];
    for (const [what, bad] of cases) {
      const bytes = Buffer.concat([ok, ok, Buffer.from([0x78, 0x09, ...bad, 0x0a]), ok, ok, ok]);
      for (const cut of [0, 14]) {
        const chunks = cut === 0 ? [bytes] : [bytes.subarray(0, cut), bytes.subarray(cut)];
        const e = await refusal(readPairs(Readable.from(chunks), 'u.tsv'));
        expect(e!.message, `${what}, cut at ${cut}`).toBe(`u.tsv:3: byte 0x${bad[0].toString(16)} is not UTF-8; save the file as UTF-8`);
      }
    }
    // The edges of those ranges are text: U+0800, U+D7FF, U+E000, U+10000 and U+10FFFF.
    const edges = ['\u0800', '\ud7ff', '\ue000', '\u{10000}', '\u{10ffff}'];
    const text = Buffer.from(edges.map((c) => `${c}\t${c}\n`).join(''), 'utf8');
    for (let cut = 1; cut < text.length; cut += 3) {
      const pairs = await readPairs(Readable.from([text.subarray(0, cut), text.subarray(cut)]), 'e.tsv');
      expect(pairs.map((q) => q.source)).toEqual(edges);
    }
  });
});
