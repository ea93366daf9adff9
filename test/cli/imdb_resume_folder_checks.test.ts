/**
 * `rnnlab imdb --resume DIR` without --out writes the rest of the run into DIR's run folder, which gets the checks an
 * --out folder gets (another command's run, a results.json that is no run record, links it would write through):
 * refused with exit code 2 naming --resume and the folder, before any review is read, with nothing changed. The run's
 * own folder, finished or interrupted, is resumed in place. On a synthetic tarball, in-process.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectRefused, IMDB_TINY, readResults, run, snapshotFiles, syntheticImdb, trainFolderRun } from './helpers.js';

const fx = syntheticImdb('rnnlab-resume-folder-');

const args = (epochs: number, ...more: string[]) => [...IMDB_TINY, '--data', fx.tar, '--epochs', String(epochs), ...more];

describe('rnnlab imdb --resume DIR without --out', () => {
  let done = '';
  beforeAll(async () => {
    done = join(fx.root, 'done');
    const r = await run([...args(1), '--out', done]);
    expect(r.code, r.err).toBe(0);
  }, 60_000);

  function copyRun(name: string): string {
    const to = join(fx.root, name);
    cpSync(done, to, { recursive: true });
    return to;
  }

  it('refuses a folder whose results.json is not a run record, naming --resume, the folder and the file', async () => {
    const dir = copyRun('own-results');
    writeFileSync(join(dir, 'results.json'), '{"mine":1}\n');
    const before = snapshotFiles(dir);
    const r = await run(args(2, '--resume', dir));
    expectRefused(r, 'imdb', /^rnnlab imdb: error: --resume: .*own-results already holds 'results\.json', .*which are not an earlier rnnlab run's outputs and which this run would replace; nothing was changed\. Give --out a new or empty folder/);
    expect(snapshotFiles(dir)).toEqual(before);
    // The same folder as --out gets the same refusal, in the same words.
    const o = await run(args(2, '--resume', dir, '--out', dir));
    expectRefused(o, 'imdb', /^rnnlab imdb: error: --out: .*own-results already holds 'results\.json', .*nothing was changed\. Give --out a new or empty folder/);
  });

  it('refuses the folder of another command\'s run, given as the run folder or as its checkpoint/', async () => {
    const { trainRun } = await trainFolderRun();
    cpSync(join(done, 'checkpoint'), join(trainRun, 'checkpoint'), { recursive: true });
    const before = snapshotFiles(trainRun);
    for (const resume of [trainRun, join(trainRun, 'checkpoint')]) {
      const r = await run(args(2, '--resume', resume));
      expectRefused(r, 'imdb', /^rnnlab imdb: error: --resume: .*train-run holds an earlier 'rnnlab train' run, whose results\.json, reports and saved model \(model\/\) this imdb run would replace; nothing was changed\. Give --out a new folder/);
      expect(r.err).not.toMatch(/train-run\/checkpoint holds/);
    }
    expect(snapshotFiles(trainRun)).toEqual(before);
    expect(readResults(trainRun).command).toBe('train');
    // Only the folder written is checked: the same checkpoint continues into a new --out.
    const elsewhere = join(fx.root, 'from-train-run');
    const ok = await run(args(2, '--resume', trainRun, '--out', elsewhere));
    expect(ok.code, ok.err).toBe(0);
    expect(readResults(elsewhere).models[0].history.loss).toHaveLength(2);
  }, 60_000);

  it('refuses a report that is a link, naming where it leads, and writes nothing through it', async () => {
    const dir = copyRun('linked');
    const victim = join(fx.root, 'victim.txt');
    writeFileSync(victim, 'keep me\n');
    rmSync(join(dir, 'report.html'));
    symlinkSync(victim, join(dir, 'report.html'));
    const r = await run(args(2, '--resume', join(dir, 'checkpoint')));
    expectRefused(r, 'imdb', new RegExp(`^rnnlab imdb: error: --resume: .*linked already holds 'report\\.html', a link to ${victim.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}, which this run would write through; nothing was changed`));
    expect(readFileSync(victim, 'utf8')).toBe('keep me\n');
  });

  it('resumes a finished run in its own folder, replacing its record, report and model', async () => {
    const dir = copyRun('extend');
    writeFileSync(join(dir, 'notes.txt'), 'mine\n');
    const r = await run(args(2, '--resume', dir));
    expect(r.code, r.err).toBe(0);
    const results = readResults(dir);
    expect(results.command).toBe('imdb');
    expect(results.models[0].history.loss).toHaveLength(2);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine\n');
  }, 60_000);

  it('resumes a run stopped before it wrote a record (only checkpoint/ in its folder)', async () => {
    const dir = join(fx.root, 'killed');
    mkdirSync(dir);
    cpSync(join(done, 'checkpoint'), join(dir, 'checkpoint'), { recursive: true });
    const r = await run(args(2, '--resume', join(dir, 'checkpoint')));
    expect(r.code, r.err).toBe(0);
    expect(readResults(dir).models[0].history.loss).toHaveLength(2);
    expect(existsSync(join(dir, 'model', 'weights.bin'))).toBe(true);
  }, 60_000);
});
