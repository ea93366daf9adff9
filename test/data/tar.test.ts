import { afterAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { readTarFile, readTarStream, type TarEntry } from '../../src/data/tar.js';
import { makeTar, makeTarGz, removeDir, tempDir, writeFixture, type FixtureEntry } from './fixtures.js';

const dir = tempDir();
afterAll(() => removeDir(dir));

const longDir = `aclImdb/${'deep/'.repeat(25)}`;
const entries: FixtureEntry[] = [
  { name: 'aclImdb/', type: '5' },
  { name: 'aclImdb/a.txt', data: 'alpha' },
  { name: 'aclImdb/empty.txt', data: '' },
  { name: `${longDir}long_name_${'x'.repeat(120)}.txt`, data: 'long' },
  { name: 'aclImdb/block.bin', data: Buffer.alloc(1024, 7) },
  { name: 'aclImdb/üñí.txt', data: 'unicode name' },
];

async function readAll(path: string): Promise<Map<string, { entry: TarEntry; data: string }>> {
  const out = new Map<string, { entry: TarEntry; data: string }>();
  await readTarFile(path, (entry) => (data) => out.set(entry.name, { entry, data: data.toString('utf8') }));
  return out;
}

describe('readTarFile', () => {
  for (const style of ['gnu', 'pax'] as const) {
    it(`reads ustar members, ${style} long names, from .tar.gz and plain .tar`, async () => {
      for (const [file, data] of [
        [`${style}.tar.gz`, makeTarGz(entries, style)],
        [`${style}.tar`, makeTar(entries, style)],
      ] as const) {
        const got = await readAll(writeFixture(dir, file, data));
        expect([...got.keys()]).toEqual(entries.map((e) => e.name));
        expect(got.get('aclImdb/a.txt')!.data).toBe('alpha');
        expect(got.get('aclImdb/empty.txt')!.data).toBe('');
        expect(got.get(entries[3].name)!.data).toBe('long');
        expect(got.get('aclImdb/block.bin')!.entry.size).toBe(1024);
        expect(got.get('aclImdb/')!.entry.type).toBe('5');
      }
    });
  }

  it('joins the ustar prefix field to the name', async () => {
    const name = `${'p'.repeat(120)}/file.txt`;
    const got = await readAll(writeFixture(dir, 'prefix.tar', makeTar([{ name, data: 'x' }])));
    expect([...got.keys()]).toEqual([name]);
  });

  it('skips members the visitor declines, without handing out their bytes', async () => {
    const seen: string[] = [];
    await readTarFile(writeFixture(dir, 'skip.tar.gz', makeTarGz(entries)), (e) => {
      seen.push(e.name);
      return e.name.endsWith('a.txt') ? (d) => expect(d.toString()).toBe('alpha') : undefined;
    });
    expect(seen).toHaveLength(entries.length);
  });

  it('accepts any chunking of the stream', async () => {
    const tar = makeTar(entries, 'pax');
    for (const size of [1, 7, 511, 513, 4096]) {
      const names: string[] = [];
      const chunks: Buffer[] = [];
      for (let i = 0; i < tar.length; i += size) chunks.push(tar.subarray(i, i + size));
      await readTarStream('mem', Readable.from(chunks), (e) => (names.push(e.name), (d) => expect(d.length).toBe(e.size)));
      expect(names).toEqual(entries.map((e) => e.name));
    }
  });

  it('reports a bad header checksum as corruption', async () => {
    const tar = makeTar(entries);
    tar[600] ^= 0xff; // inside the second header's name field
    const p = writeFixture(dir, 'badsum.tar', tar);
    await expect(readAll(p)).rejects.toThrow(/corrupt: header checksum mismatch/);
  });

  it('reports a truncated gzip stream with the file name', async () => {
    const gz = makeTarGz(entries);
    const p = writeFixture(dir, 'cut.tar.gz', gz.subarray(0, Math.floor(gz.length / 2)));
    await expect(readAll(p)).rejects.toThrow(new RegExp(`${p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is corrupt or truncated`));
  });

  it('reports damaged gzip data', async () => {
    const gz = makeTarGz(entries);
    for (let i = 20; i < gz.length - 10; i += 3) gz[i] ^= 0x5a;
    await expect(readAll(writeFixture(dir, 'damaged.tar.gz', gz))).rejects.toThrow(/corrupt/);
  });

  it('reports an archive cut inside a member or without its end marker', async () => {
    const tar = makeTar(entries);
    await expect(readAll(writeFixture(dir, 'mid.tar', tar.subarray(0, 1024 + 3)))).rejects.toThrow(/truncated: the archive ends inside member aclImdb\/a.txt/);
    await expect(readAll(writeFixture(dir, 'midhead.tar', tar.subarray(0, 512 + 100)))).rejects.toThrow(/truncated: the archive ends inside a header/);
    await expect(readAll(writeFixture(dir, 'noend.tar', tar.subarray(0, tar.length - 1024)))).rejects.toThrow(/no end-of-archive marker/);
    await expect(readAll(writeFixture(dir, 'empty.tar', Buffer.alloc(0)))).rejects.toThrow(/truncated/);
  });

  it('caps what a member may expand to: members read by the visitor and members skipped have their own limits', async () => {
    const p = writeFixture(dir, 'limits.tar.gz', makeTarGz(entries));
    const reading = (e: TarEntry) => (e.name.endsWith('block.bin') ? () => undefined : undefined);
    await expect(readTarFile(p, reading, { maxMemberBytes: 1023 })).rejects.toThrow(/member aclImdb\/block\.bin declares 1024 bytes, more than the 1023 bytes a member may expand to/);
    await expect(readTarFile(p, reading, { maxMemberBytes: 1024 })).resolves.toBeUndefined();
    await expect(readTarFile(p, () => undefined, { maxSkippedBytes: 1000 })).rejects.toThrow(/block\.bin declares 1024 bytes, more than the 1000 bytes/);
    await expect(readTarFile(p, () => undefined, { maxSkippedBytes: 1024 })).resolves.toBeUndefined();
  });

  it('reports a missing file', async () => {
    await expect(readAll(`${dir}/nope.tar.gz`)).rejects.toThrow(/cannot open .*nope\.tar\.gz/);
  });
});
