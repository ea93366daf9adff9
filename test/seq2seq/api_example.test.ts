/**
 * docs/API.md's "Sequence to sequence (rl.seq2seq)" example, run as written there: every string of 3 or 4 letters
 * paired with itself reversed, trained, saved, loaded and translated, through the public `rl.seq2seq`. Seeded, so
 * the accuracy bar holds; an input longer than any target shows `truncated`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import * as seq2seqModule from '../../src/seq2seq/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'rnnlab-s2s-api-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the rl.seq2seq example of docs/API.md', () => {
  it('learns to reverse strings; the saved model translates the same after loading', async () => {
    // --- as in docs/API.md ---
    const words = (n: number): string[] => (n === 0 ? [''] : words(n - 1).flatMap((w) => [...'abcde'].map((c) => w + c)));
    const pairs = [...words(3), ...words(4)].map((s, i) => ({ source: s, target: [...s].reverse().join(''), where: `pair ${i + 1}` }));
    const run = await rl.seq2seq.trainSeq2Seq(pairs, { tokens: 'char', units: 32, embeddingDim: 16, epochs: 20, batchSize: 32, lr: 0.01, seed: 1 });
    await rl.seq2seq.saveSeq2Seq(path.join(dir, 'reverse'), run.net, run.spec);
    const model = await rl.seq2seq.loadSeq2Seq(path.join(dir, 'reverse'));
    const out = rl.seq2seq.translateTexts(model, ['cab', 'dead', 'abcde']);
    // ---
    expect(run.counts).toMatchObject({ train: 675, validation: 75, skippedLong: 0 });
    // 20 epochs reach every held-out pair exactly (1.0 with this seed); the bar leaves room for a last-bit change.
    expect(run.greedy.exact).toBeGreaterThan(0.95);
    expect(out.slice(0, 2).map((t) => [t.output, t.truncated])).toEqual([['bac', false], ['daed', false]]);
    // 5 letters, one past the longest target: the decoder stops at its step limit (4 + 1) without <end>.
    expect(out[2].truncated).toBe(true);
    expect(out[2].output).toHaveLength(5);
    expect(out[2].outputTokens).not.toContain('<end>');
    // The model just trained decodes the same as the one loaded.
    expect(rl.seq2seq.translateTexts(rl.seq2seq.seq2seqModelOf(run.net, run.spec), ['cab', 'dead', 'abcde'])).toEqual(out);
  }, 300_000);

  it('rl.seq2seq is src/seq2seq/index.ts, without the internal decoders', () => {
    expect(rl.seq2seq.trainSeq2Seq).toBe(seq2seqModule.trainSeq2Seq);
    expect(Object.keys(rl.seq2seq).sort()).toEqual(Object.keys(seq2seqModule).sort());
    for (const internal of ['beamSearch', 'sequenceLogProb', 'checkPairTokens']) expect(Object.keys(seq2seqModule)).not.toContain(internal);
  });
});
