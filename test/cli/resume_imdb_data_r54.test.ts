/**
 * `rnnlab imdb --resume` keeps to the reviews the run started on: every checkpoint keeps the tarball's SHA-256, so a
 * resume on another tarball is refused naming --data, nothing changed, while the same file moved or renamed is the
 * same data. And a resumed run saves its model and layers under the names an uninterrupted run gives them (no sequential_1, lstm_1).
 */
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertDistFresh } from '../helpers/dist_fresh.js';
import { makeTarGz, reviewEntries, writeFixture } from '../data/fixtures.js';
import { expectRefused, IMDB_TINY, readResults, run, snapshotFiles, spawnCli, syntheticImdb, tempDir } from './helpers.js';

const fx = syntheticImdb('rnnlab-resume-imdb-r54-');

/** Every name a saved model.json gives the model, its layers and their weights, in order. */
function layerNames(runDir: string): string[] {
  const names: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) { v.forEach(walk); return; }
    if (v === null || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (k === 'name' && typeof x === 'string') names.push(x);
      else walk(x);
    }
  };
  const json = JSON.parse(readFileSync(path.join(runDir, 'model', 'model.json'), 'utf8')) as { modelTopology: { config: unknown }; weightsManifest: unknown };
  walk(json.modelTopology.config);
  walk(json.weightsManifest);
  return names;
}

describe('rnnlab imdb --resume and --data', () => {
  it('refuses another tarball naming --data, nothing changed; the same tarball renamed elsewhere continues the run', async () => {
    const dir = tempDir('rnnlab-resume-imdb-r54-run-');
    const out = path.join(dir, 'run');
    const first = await run([...IMDB_TINY, '--data', fx.tar, '--epochs', '1', '--out', out]);
    expect(first.code, first.err).toBe(0);
    const before = snapshotFiles(out);

    // Another set of reviews, as small: the options all agree, only the data differs.
    const other = writeFixture(dir, 'other.tar.gz', makeTarGz(reviewEntries(61)));
    const refused = await run([...IMDB_TINY, '--data', other, '--epochs', '2', '--resume', out]);
    expectRefused(refused, 'imdb', new RegExp(`^rnnlab imdb: error: --resume: --data ${other.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} holds other reviews than the tarball the run the checkpoint in .* trained on ` +
      '\\(another file, or one changed since\\); --resume continues a run on the data it started with, so give its --data \\(or leave out --resume to start a new run\\); nothing was changed'));
    expect(snapshotFiles(out)).toEqual(before);

    const moved = path.join(dir, 'renamed.tar.gz');
    copyFileSync(fx.tar, moved);
    const resumed = await run([...IMDB_TINY, '--data', moved, '--epochs', '2', '--resume', out]);
    expect(resumed.code, resumed.err).toBe(0);
    expect(readResults(out)).toMatchObject({ status: 'completed', config: { epochs: 2 } });
  }, 120_000);

  it('a resumed run saves its model, layers and weights under the names of an uninterrupted run', async () => {
    assertDistFresh('cli/main.ts');
    const dir = tempDir('rnnlab-resume-imdb-r54-names-');
    const whole = path.join(dir, 'whole'), cut = path.join(dir, 'cut');
    // Processes of their own: a layer's automatic name counts the layers made before it in the process.
    const a = await spawnCli([...IMDB_TINY, '--data', fx.tar, '--epochs', '2', '--out', whole]);
    expect(a.code, a.err).toBe(0);
    const b = await spawnCli([...IMDB_TINY, '--data', fx.tar, '--epochs', '1', '--out', cut]);
    expect(b.code, b.err).toBe(0);
    const c = await spawnCli([...IMDB_TINY, '--data', fx.tar, '--epochs', '2', '--resume', cut]);
    expect(c.code, c.err).toBe(0);
    expect(c.err).toMatch(/restored/i);
    const names = layerNames(whole);
    expect(names).toEqual(expect.arrayContaining(['sequential', 'embedding', 'lstm', 'dense', 'lstm/kernel']));
    expect(layerNames(cut)).toEqual(names);
  }, 180_000);
});
