/**
 * A file name the file system takes (up to 255 bytes) can be saved to: the temp file written beside it first keeps
 * to 255 bytes too, cutting the target's name it embeds, and the dead-writer sweep still finds such temps by that
 * cut name. A name the file system refuses fails naming the target, never a temp file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { setBeforeRenameHook, sweepDeadWritersTemps, TEMP_HOST, TEMP_PREFIX, writeFileAtomic } from '../../src/io/atomic.js';
import { embedsTarget, tempName, tempTargetName } from '../../src/temp_names.js';
import { saveModelFolder } from '../../src/tasks/text_output.js';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
const newDir = () => { const d = mkdtempSync(path.join(tmpdir(), 'rnnlab-long-names-')); dirs.push(d); return d; };
const bytes = (s: string) => Buffer.byteLength(s);
/** A pid no process has now: that of a child that has exited. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid!;
const model = () => rl.sequential({ layers: [rl.layers.dense({ units: 3, inputDim: 2 }), rl.layers.dense({ units: 1 })] });
const x = rl.tensor([[0.5, -1], [2, 0.25]], [2, 2]);
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));

/** 250 bytes of ASCII, and 254 bytes of 3-byte characters (and one 2-byte one), each ending in ext. */
const ascii = (ext: string) => 'a'.repeat(250 - ext.length) + ext;
const multi = (ext: string) => {
  const base = 'é' + '語'.repeat(Math.floor((254 - 2 - ext.length) / 3));
  return base + ext;
};

describe('temp names fit 255 bytes whatever the target name', () => {
  it('cuts a long target name on a character boundary, keeps short ones whole, and keeps two long names apart', () => {
    expect(tempTargetName('model.json')).toBe('model.json');
    for (const name of [ascii('.json'), multi('.json'), '語'.repeat(85)]) {
      const t = tempName(name);
      expect(bytes(t)).toBeLessThanOrEqual(255);
      expect(t.startsWith(TEMP_PREFIX)).toBe(true);
      expect(t.endsWith(`@${TEMP_HOST}`)).toBe(true);
      expect(t).toContain(`-${process.pid}-`);
      // No cut character: the embedded name reads back as UTF-8 unchanged.
      const embedded = tempTargetName(name);
      expect(Buffer.from(embedded, 'utf8').toString('utf8')).toBe(embedded);
      expect(embedded).not.toContain('\uFFFD');
      expect(name.startsWith(embedded.slice(0, embedded.lastIndexOf('~')))).toBe(true);
      expect(embedsTarget(embedded, name)).toBe(true);
    }
    const a = 'c'.repeat(240) + '-epoch-001.bin', b = 'c'.repeat(240) + '-epoch-002.bin';
    expect(tempTargetName(a)).not.toBe(tempTargetName(b));
    expect(embedsTarget(tempTargetName(a), b)).toBe(false);
  });

  it('writeFileAtomic to a 250-byte name writes it through a temp file of at most 255 bytes', () => {
    const dir = newDir(), file = path.join(dir, ascii('.txt'));
    const seen: string[] = [];
    setBeforeRenameHook((tmp) => seen.push(path.basename(tmp)));
    try { writeFileAtomic(file, 'hello'); } finally { setBeforeRenameHook(null); }
    expect(readdirSync(dir)).toEqual([ascii('.txt')]);
    expect(seen).toHaveLength(1);
    expect(bytes(seen[0])).toBeLessThanOrEqual(255);
  });
});

describe('saving to a long file name', () => {
  for (const [what, name] of [['250 bytes of ASCII', ascii('.json')], ['254 bytes of multi-byte characters', multi('.json')]] as const) {
    it(`model.save to a ${what} .json name, then loadLayersModel`, async () => {
      expect(bytes(name)).toBeGreaterThanOrEqual(250);
      const dir = newDir(), m = model();
      await m.save(`file://${path.join(dir, name)}`, { weightsFileName: name.replace(/\.json$/, '.bin') });
      expect(readdirSync(dir).filter((n) => n.startsWith(TEMP_PREFIX))).toEqual([]);
      const back = await rl.loadLayersModel(`file://${path.join(dir, name)}`);
      expect(maxAbsDiff((back.predict(x) as rl.Tensor).values, m.predict(x).values)).toBeLessThanOrEqual(1e-6);
    });

    it(`exportONNX and model.save('onnx://') to a ${what} .onnx name, then loadModel`, async () => {
      const dir = newDir(), m = model(), file = path.join(dir, name.replace(/\.json$/, '.onnx'));
      const out = await rl.exportONNX(m, file);
      expect(out.path).toBe(file);
      await m.save(`onnx://${file}`);
      expect(readdirSync(dir)).toEqual([path.basename(file)]);
      const back = await rl.loadModel(file);
      expect(maxAbsDiff(back.predict(x).values, m.predict(x).values)).toBeLessThanOrEqual(1e-5);
    });
  }

  it('saveModelFolder to a 250-byte folder name, twice (the second swaps the first out)', async () => {
    const parent = newDir(), dir = path.join(parent, ascii('-model'));
    await saveModelFolder(dir, model(), {});
    await saveModelFolder(dir, model(), {});
    expect(readdirSync(parent)).toEqual([ascii('-model')]);
    expect(existsSync(path.join(dir, 'model.json'))).toBe(true);
  });
});

describe('a target name the file system refuses', () => {
  const long = 'b'.repeat(252) + '.bin';
  it('writeFileAtomic says the target name is too long, and leaves no temp file', () => {
    const dir = newDir(), file = path.join(dir, long);
    expect(() => writeFileAtomic(file, 'x')).toThrow(`cannot write ${file}: the file name is too long (256 bytes; file systems take 255 at most)`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('exportONNX names the target, never a temp file', async () => {
    const dir = newDir(), file = path.join(dir, 'b'.repeat(251) + '.onnx');
    const err = await rl.exportONNX(model(), file).then(() => null, (e: Error) => e);
    expect(err?.message).toBe(`ONNX export: cannot write '${file}': the file name is too long (256 bytes; file systems take 255 at most)`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('model.save names the target', async () => {
    const dir = newDir(), file = path.join(dir, 'b'.repeat(251) + '.json');
    await expect(model().save(`file://${file}`, { weightsFileName: 'w.bin' })).rejects.toThrow(`cannot write ${file}: the file name is too long (256 bytes`);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("a dead writer's temp of a long target", () => {
  it('sweepDeadWritersTemps finds it by the cut name, and leaves the temp of another long name with the same head', () => {
    const dir = newDir(), name = ascii('.bin'), other = 'a'.repeat(200) + 'z'.repeat(46) + '.bin';
    const dead = deadPid();
    const mine = `${TEMP_PREFIX}${tempTargetName(name)}-${dead}-0123abcd@${TEMP_HOST}`;
    const theirs = `${TEMP_PREFIX}${tempTargetName(other)}-${dead}-0123abcd@${TEMP_HOST}`;
    for (const n of [mine, theirs]) writeFileSync(path.join(dir, n), Buffer.alloc(100));
    expect(sweepDeadWritersTemps(dir, (e) => embedsTarget(e, name))).toEqual([path.join(dir, mine)]);
    expect(readdirSync(dir)).toEqual([theirs]);
  });

  it('the next model.save to that name removes it', async () => {
    const dir = newDir(), name = multi('.json'), weights = ascii('.bin');
    await model().save(`file://${path.join(dir, name)}`, { weightsFileName: weights });
    const dead = deadPid();
    const left = [name, weights].map((n) => `${TEMP_PREFIX}${tempTargetName(n)}-${dead}-0123abcd@${TEMP_HOST}`);
    for (const n of left) writeFileSync(path.join(dir, n), Buffer.alloc(100));
    await model().save(`file://${path.join(dir, name)}`, { weightsFileName: weights });
    expect(readdirSync(dir).sort()).toEqual([name, weights].sort());
  });

  it('the next saveModelFolder removes a killed save\'s staging folder of a long folder name', async () => {
    const parent = newDir(), base = multi('-m'), dead = deadPid();
    const staging = `${TEMP_PREFIX}${tempTargetName(base)}-${dead}-0123abcd@${TEMP_HOST}`;
    mkdirSync(path.join(parent, staging));
    writeFileSync(path.join(parent, staging, 'weights.bin'), 'x');
    await saveModelFolder(path.join(parent, base), model(), {});
    expect(readdirSync(parent)).toEqual([base]);
  });
});
