/**
 * The sample blocks `npm run docs` rewrites: markers found, commands split as a shell would, machine paths and the
 * date normalised, only the blocks replaced; and docs/CLI.md's blocks are generated ones (start with their command).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findFiles, findSamples, normaliseOutput, renderSample, replaceBetween, replaceSamples, splitArgs } from '../../scripts/docs_samples.mjs';

const DOC = [
  'Intro --epochs.',
  '<!-- sample: rnnlab tokenize "This movie" -->',
  '```',
  'stale',
  '```',
  '<!-- /sample -->',
  'Between.',
  '<!-- sample tail 2: rnnlab compare --limit 10 -->',
  '<!-- /sample -->',
  '<!-- sample exit 2: rnnlab imdb --epochs 0 -->',
  '<!-- /sample -->',
  '<!-- file: spec.yaml -->',
  '```yaml',
  'command: addition',
  '```',
  'End.',
].join('\n');

describe('npm run docs: sample blocks', () => {
  it('finds the samples with their tail and expected exit code, and the files', () => {
    expect(findSamples(DOC)).toEqual([
      { command: 'rnnlab tokenize "This movie"', tail: null, exitCode: 0 },
      { command: 'rnnlab compare --limit 10', tail: 2, exitCode: 0 },
      { command: 'rnnlab imdb --epochs 0', tail: null, exitCode: 2 },
    ]);
    expect(findFiles(DOC)).toEqual([{ name: 'spec.yaml', content: 'command: addition\n' }]);
  });

  it('splits quoted arguments as a shell does', () => {
    expect(splitArgs(`rnnlab predict --model runs/x "A moving, fine film." 'it''s'`)).toEqual(['rnnlab', 'predict', '--model', 'runs/x', 'A moving, fine film.', 'it', 's']);
  });

  it('normalises the scratch folder, the date and trailing spaces', () => {
    const out = normaliseOutput('Cache folder: /scratch/x/cache   \nwritten 2026-11-30\n\n', { scratchDirs: ['/scratch/x'], today: '2026-11-30' });
    expect(out).toBe('Cache folder: ./cache\nwritten YYYY-MM-DD');
  });

  it('renders the command, the last lines when asked, and a non-zero exit code', () => {
    expect(renderSample({ command: 'rnnlab compare', tail: 2, exitCode: 0 }, 'a\nb\nc', 0)).toBe('```\n$ rnnlab compare\n...\nb\nc\n```');
    expect(renderSample({ command: 'rnnlab imdb', tail: null, exitCode: 2 }, 'error', 2)).toBe('```\n$ rnnlab imdb\nerror\n$ echo $?\n2\n```');
  });

  it('replaces only the blocks between the markers', () => {
    const next = replaceSamples(DOC, ['```\nA\n```', '```\nB\n```', '```\nC\n```']);
    expect(next).toContain('<!-- sample: rnnlab tokenize "This movie" -->\n```\nA\n```\n<!-- /sample -->\nBetween.');
    expect(next).not.toContain('stale');
    expect(next.startsWith('Intro --epochs.\n')).toBe(true);
    expect(next.endsWith('command: addition\n```\nEnd.')).toBe(true);
    expect(findSamples(next)).toEqual(findSamples(DOC));
    expect(() => replaceBetween(DOC, 'samples-data', 'x')).toThrow(/samples-data/);
  });

  it('docs/CLI.md holds generated samples: each block starts with its own command', () => {
    const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'CLI.md'), 'utf8');
    const blocks = [...doc.matchAll(/<!-- sample(?: \w+ \d+)?: (rnnlab [^\n]*?) -->\n```\n\$ ([^\n]*)\n/g)];
    expect(blocks.length).toBe(findSamples(doc).length);
    for (const [, marker, shown] of blocks) expect(shown).toBe(marker);
    expect(doc).toMatch(/<!-- samples-data -->\nThe samples on this page were made by `npm run docs`/);
  });
});
