/**
 * The dashboard names its folders by their public names in answers and events; a folder whose name merely starts
 * with one of them is another folder and must be left whole (it used to become "._dist/docs/..." beside a
 * working folder ".../lab" when the file was ".../lab_dist/docs/...").
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { pathRedactor } from '../../src/server/redact.js';

describe('pathRedactor', () => {
  const runs = join(tmpdir(), 'test-runs');
  const redact = pathRedactor([runs]);

  it('replaces the folder itself and what lies under it', () => {
    expect(redact(`cannot write ${runs}/x/results.json: EACCES`)).toBe('cannot write test-runs/x/results.json: EACCES');
    expect(redact(`the runs folder is ${runs}.`)).toBe('the runs folder is test-runs.');
    expect(redact(JSON.stringify({ error: `open '${runs}'` }))).toBe(JSON.stringify({ error: "open 'test-runs'" }));
  });

  it('leaves a sibling folder whose name starts with the same letters whole', () => {
    for (const sibling of [`${runs}_dist/docs/a.json`, `${runs}-2/x`, `${runs}.old/x`, `${runs}2`]) {
      expect(redact(`open '${sibling}'`)).toBe(`open '${sibling}'`);
    }
  });

  it('treats a folder whose name holds a quote the same inside JSON strings', () => {
    const quoted = join(tmpdir(), 'r13d "q" runs');
    const r = pathRedactor([quoted]);
    expect(r(JSON.stringify({ a: `${quoted}/x`, b: `${quoted}2/x` }))).toBe(JSON.stringify({ a: 'r13d "q" runs/x', b: `${quoted}2/x` }));
  });
});
