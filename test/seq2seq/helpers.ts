/** Shared set-up of the seq2seq tests: a scratch folder for pair files, and the capped-vocabulary copy task. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { Random } from '../../src/random.js';
import type { Pair } from '../../src/seq2seq/pairs.js';

export function scratchFolder(): { dir: string; file: (name: string, content: string) => string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'rnnlab-s2s-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    file(name, content) {
      const p = path.join(dir, name);
      writeFileSync(p, content);
      return p;
    },
  };
}

/** 300 three-word copy pairs; half carry a word seen once (rareN), which a vocabulary of 10 reads as <unk>. */
export function copyPairs(): Pair[] {
  const common = ['red', 'green', 'blue', 'cyan', 'gold', 'pink'];
  const rng = new Random(7);
  return Array.from({ length: 300 }, (_, i) => {
    const words = [common[rng.int(6)], rng.int(2) ? `rare${i}` : common[rng.int(6)], common[rng.int(6)]];
    return { source: words.join(' '), target: words.join(' '), where: `copy:${i + 1}` };
  });
}
