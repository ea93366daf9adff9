/**
 * A small made-up IMDb corpus in the aclImdb layout, written as a real .tar.gz, so every IMDb code path
 * (tar reading, tokenizing, the cache, training, the dashboard) runs on any clone in seconds.
 */
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Random } from '../../src/random.js';
import { makeTarGz, type FixtureEntry } from '../data/fixtures.js';

/** Labelled reviews per folder (train/pos, train/neg, test/pos, test/neg): enough for `--limit 300`. */
export const SYNTHETIC_PER_FOLDER = 200;
export const SYNTHETIC_UNSUP = 50;
/** A fixed mtime, so the IMDb cache key (size, mtime) is the same on every run and the cache is reused. */
export const SYNTHETIC_MTIME = new Date('2011-06-01T00:00:00Z');

const POSITIVE = ['great', 'excellent', 'wonderful', 'brilliant', 'loved', 'best', 'beautiful', 'amazing', 'perfect', 'superb', 'fantastic', 'enjoyed', 'fun', 'moving', 'masterpiece'];
const NEGATIVE = ['bad', 'awful', 'worst', 'boring', 'terrible', 'waste', 'poor', 'dull', 'stupid', 'horrible', 'annoying', 'disappointing', 'mess', 'weak', 'pointless'];
const SUBJECTS = ['the movie', 'this film', 'the story', 'the plot', 'the acting', 'the cast', 'the music', 'the script', 'the ending', 'the director', 'her performance', 'the characters'];
const FILLER = ['i watched it last night', 'it runs about two hours', "i don't know what to say about the actors", 'my friends had seen it before', 'the scenes in the city are long', 'it is based on a book'];
// Rare words (ranks past 10,000) and one the word index lacks: out-of-vocabulary paths get exercised too.
const RARE = ['ponyo', "redford's", 'nunnery', 'qwzxv'];

function pick<T>(rng: Random, list: readonly T[]): T {
  return list[rng.int(list.length)];
}

function sentence(rng: Random, label: 0 | 1): string {
  const r = rng.next();
  const [own, other] = label === 1 ? [POSITIVE, NEGATIVE] : [NEGATIVE, POSITIVE];
  let s: string;
  if (r < 0.55) s = `${pick(rng, SUBJECTS)} was ${pick(rng, own)}`;
  else if (r < 0.65) s = `${pick(rng, SUBJECTS)} was not ${pick(rng, other)} but ${pick(rng, own)}`;
  else if (r < 0.75) s = `some say it is ${pick(rng, other)}`;
  else if (r < 0.8) s = `${pick(rng, FILLER)} and ${pick(rng, RARE)}`;
  else s = pick(rng, FILLER);
  return `${s[0].toUpperCase()}${s.slice(1)}${rng.next() < 0.2 ? '!' : '.'}`;
}

/** 2 to ~60 sentences in paragraphs split by <br /><br />, as in the real reviews. */
function review(rng: Random, label: 0 | 1): string {
  const n = 2 + rng.int(rng.next() < 0.8 ? 12 : 60);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(sentence(rng, label) + (i < n - 1 && rng.next() < 0.15 ? '<br /><br />' : ' '));
  return parts.join('').trim();
}

/** The archive's members: README, imdb.vocab, imdbEr.txt, labelled train/test reviews and train/unsup. */
export function syntheticImdbEntries(perFolder = SYNTHETIC_PER_FOLDER, seed = 109): FixtureEntry[] {
  const rng = new Random(seed);
  const vocab = new Set<string>();
  const entries: FixtureEntry[] = [
    { name: 'aclImdb/', type: '5' },
    { name: 'aclImdb/README', data: 'A synthetic stand-in for the Large Movie Review Dataset v1.0, made up for tests.\n' },
  ];
  const add = (name: string, text: string) => {
    for (const w of text.toLowerCase().replace(/<br \/>/g, ' ').split(/[^a-z']+/)) if (w) vocab.add(w);
    entries.push({ name, data: text });
  };
  for (const split of ['train', 'test']) {
    entries.push({ name: `aclImdb/${split}/`, type: '5' });
    for (const folder of ['neg', 'pos'] as const) {
      entries.push({ name: `aclImdb/${split}/${folder}/`, type: '5' });
      const label = folder === 'pos' ? 1 : 0;
      for (let id = 0; id < perFolder; id++) {
        const rating = label === 1 ? 7 + rng.int(4) : 1 + rng.int(4);
        add(`aclImdb/${split}/${folder}/${id}_${rating}.txt`, review(rng, label));
      }
    }
  }
  entries.push({ name: 'aclImdb/train/unsup/', type: '5' });
  for (let id = 0; id < SYNTHETIC_UNSUP; id++) add(`aclImdb/train/unsup/${id}_0.txt`, review(rng, rng.int(2) as 0 | 1));
  const words = [...vocab].sort();
  entries.splice(2, 0,
    { name: 'aclImdb/imdb.vocab', data: `${words.join('\n')}\n` },
    { name: 'aclImdb/imdbEr.txt', data: `${words.map((w) => (POSITIVE.includes(w) ? 1 : NEGATIVE.includes(w) ? -1 : 0).toFixed(6)).join('\n')}\n` });
  return entries;
}

/** Writes aclImdb_v1.tar.gz into `dir` (same bytes and mtime every time) and returns its path. */
export function writeSyntheticImdb(dir: string): string {
  const file = join(dir, 'aclImdb_v1.tar.gz');
  writeFileSync(file, makeTarGz(syntheticImdbEntries()));
  utimesSync(file, SYNTHETIC_MTIME, SYNTHETIC_MTIME);
  return file;
}
