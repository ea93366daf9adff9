/** A small learnable IMDb-layout tarball and temp folders for the sweep tests. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeTarGz, type FixtureEntry } from '../data/fixtures.js';

const POS = ['great', 'brilliant', 'wonderful', 'superb', 'loved'];
const NEG = ['awful', 'terrible', 'boring', 'worst', 'hated'];
const FILL = ['the', 'movie', 'was', 'and', 'film', 'plot', 'acting', 'story'];

/** perFolder reviews in each of train/test × pos/neg, whose sentiment words give the class away. */
export function learnableTarball(dir: string, perFolder = 60): string {
  const entries: FixtureEntry[] = [{ name: 'aclImdb/', type: '5' }];
  let id = 0;
  for (const split of ['train', 'test']) {
    for (const folder of ['neg', 'pos']) {
      entries.push({ name: `aclImdb/${split}/${folder}/`, type: '5' });
      const words = folder === 'pos' ? POS : NEG;
      for (let i = 0; i < perFolder; i++, id++) {
        const text = Array.from({ length: 8 }, (_, k) => (k % 3 === 1 ? words[(id + k) % words.length] : FILL[(id * 7 + k) % FILL.length])).join(' ');
        entries.push({ name: `aclImdb/${split}/${folder}/${id}_${folder === 'pos' ? 8 : 2}.txt`, data: `${text}.` });
      }
    }
  }
  const file = path.join(dir, 'imdb.tar.gz');
  writeFileSync(file, makeTarGz(entries));
  return file;
}

const made: string[] = [];
export function tempDir(prefix = 'rnnlab-sweep-'): string {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(d);
  return d;
}
export function cleanup(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}
