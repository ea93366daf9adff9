import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface FixtureEntry {
  name: string;
  data?: string | Buffer;
  /** tar type flag; '0' regular file by default. */
  type?: string;
}

export type LongNameStyle = 'gnu' | 'pax';

function header(name: string, size: number, type: string): Buffer {
  const h = Buffer.alloc(512);
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    // ustar splits long paths at a slash: prefix (155 bytes) + name (100 bytes).
    const cut = name.lastIndexOf('/', 155);
    if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100) throw new Error(`cannot fit ${name} in ustar`);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  h.write(base, 0, 100, 'utf8');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write(`${(1306886400).toString(8).padStart(11, '0')}\0`, 136, 'latin1');
  h.write(type, 156, 'latin1');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  h.write(prefix, 345, 155, 'utf8');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

function padBlock(data: Buffer): Buffer[] {
  const pad = (512 - (data.length % 512)) % 512;
  return [data, Buffer.alloc(pad)];
}

function member(name: string, data: Buffer, type: string): Buffer[] {
  return [header(name, data.length, type), ...padBlock(data)];
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

/** A tar archive (uncompressed); names over 100 bytes use a GNU 'L' or a pax 'x' record. */
export function makeTar(entries: FixtureEntry[], longNames: LongNameStyle = 'gnu'): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : (e.data ?? Buffer.alloc(0));
    const type = e.type ?? '0';
    let name = e.name;
    if (Buffer.byteLength(name) > 100) {
      if (longNames === 'gnu') parts.push(...member('././@LongLink', Buffer.from(`${name}\0`), 'L'));
      else parts.push(...member('PaxHeader/x', Buffer.from(paxRecord('path', name)), 'x'));
      name = name.slice(0, 99);
    }
    parts.push(...member(name, data, type));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export function makeTarGz(entries: FixtureEntry[], longNames: LongNameStyle = 'gnu'): Buffer {
  return gzipSync(makeTar(entries, longNames));
}

const WORDS = ['the', 'movie', 'was', 'great', 'bad', 'awful', 'brilliant', 'and', 'film', 'plot'];

/** A review per split and class, e.g. 2 per folder, with short texts of common words. */
export function reviewEntries(perFolder = 2, skip: string[] = []): FixtureEntry[] {
  const entries: FixtureEntry[] = [{ name: 'aclImdb/', type: '5' }, { name: 'aclImdb/README', data: 'synthetic\n' }];
  let id = 0;
  for (const split of ['train', 'test']) {
    for (const folder of ['neg', 'pos']) {
      if (skip.includes(`${split}/${folder}`)) continue;
      entries.push({ name: `aclImdb/${split}/${folder}/`, type: '5' });
      for (let i = 0; i < perFolder; i++, id++) {
        const rating = folder === 'pos' ? 7 + (i % 4) : 1 + (i % 4);
        const words = Array.from({ length: 3 + (id % 5) }, (_, k) => WORDS[(id * 3 + k) % WORDS.length]);
        entries.push({ name: `aclImdb/${split}/${folder}/${id}_${rating}.txt`, data: `${words.join(' ')}.<br /><br />The End!` });
      }
    }
  }
  return entries;
}

export function tempDir(prefix = 'rnnlab-data-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeFixture(dir: string, name: string, data: Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

export function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
