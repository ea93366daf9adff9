/** Small labelled text sets for the text task tests, written in a temp folder the caller removes. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Random } from '../../src/random.js';

export const TOPIC_WORDS: Record<string, string[]> = {
  arts: ['painting', 'museum', 'sculpture', 'gallery', 'poetry', 'opera', 'canvas', 'theatre'],
  science: ['atom', 'genome', 'telescope', 'physics', 'molecule', 'laboratory', 'neuron', 'quantum'],
  sports: ['football', 'goal', 'tennis', 'marathon', 'league', 'coach', 'stadium', 'referee'],
};
const FILLER = ['the', 'a', 'today', 'we', 'saw', 'new', 'big', 'about', 'people', 'story', 'really', 'was', 'and', 'with', 'this', 'week'];

/** n texts per class: 2-4 topic words among 5-9 filler words, shuffled. */
export function topicTexts(nPerClass: number, seed: number, classes = Object.keys(TOPIC_WORDS)): { text: string; label: string }[] {
  const rng = new Random(seed);
  const out: { text: string; label: string }[] = [];
  for (let i = 0; i < nPerClass; i++) {
    for (const label of classes) {
      const words: string[] = [];
      const k = 2 + rng.int(3), f = 5 + rng.int(5);
      for (let j = 0; j < k; j++) words.push(TOPIC_WORDS[label][rng.int(8)]);
      for (let j = 0; j < f; j++) words.push(FILLER[rng.int(FILLER.length)]);
      const order = rng.permutation(words.length);
      out.push({ text: Array.from(order, (o) => words[o]).join(' ').replace(/^./, (c) => c.toUpperCase()) + '.', label });
    }
  }
  return out;
}

export function writeCsv(dir: string, name: string, rows: { text: string; label: string }[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, ['text,label', ...rows.map((r) => `"${r.text.replace(/"/g, '""')}",${r.label}`)].join('\n') + '\n');
  return file;
}

export function writeJsonl(dir: string, name: string, rows: { text: string; label: string | number }[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
}
