/**
 * A vocabulary item that tokenize never gives (two characters in a char vocabulary, a word with a space) would never
 * match, and its characters would read as <unk>: rnnlab-seq2seq.json holding one is refused naming the file, the
 * field and the item, as a repeated item is.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/errors.js';
import { buildSeq2Seq } from '../../src/seq2seq/model.js';
import { loadSeq2Seq, saveSeq2Seq, SEQ2SEQ_SPEC_FILE } from '../../src/seq2seq/store.js';
import { Vocab } from '../../src/seq2seq/vocab.js';
import { scratchFolder } from './helpers.js';

const scratch = scratchFolder();

describe('vocabulary items in a saved model', () => {
  it('Vocab.fromJSON refuses an item its token kind cannot hold, naming the field, index and item', () => {
    const specials = ['<pad>', '<start>', '<end>', '<unk>'];
    expect(() => Vocab.fromJSON({ tokens: 'char', items: [...specials, 'a', 'bc'] }, 'f.json', 'source')).toThrow(
      "f.json: field 'source.items[5]' is \"bc\", but an item of a char vocabulary is one character (a code point)");
    expect(() => Vocab.fromJSON({ tokens: 'word', items: [...specials, 'a b'] }, 'f.json')).toThrow(
      "f.json: field 'items[4]' is \"a b\", but an item of a word vocabulary is one word, without whitespace");
    expect(() => Vocab.fromJSON({ tokens: 'char', items: [...specials, 'a', 'b', 'a'] }, 'f.json', 'target')).toThrow(
      "f.json: field 'target.items' lists a token twice: \"a\" at 4 and 6");
    // One code point is one character, however many UTF-16 units it takes; a word may hold any non-space characters.
    expect(Vocab.fromJSON({ tokens: 'char', items: [...specials, '🙂', '\t', ' '] }, 'f.json').size).toBe(7);
    expect(Vocab.fromJSON({ tokens: 'word', items: [...specials, 'l\'été', '<x>'] }, 'f.json').size).toBe(6);
  });

  it('loadSeq2Seq refuses a char item of two characters as a DataError naming the file and source.items[N]', async () => {
    const source = Vocab.fromTexts(['abcdef'], 'char'), target = Vocab.fromTexts(['fed'], 'char');
    const architecture = { rnn: 'gru' as const, bidirectionalEncoder: false, layers: 1, units: 2, embeddingDim: 2, attention: 'none' as const,
      sourceVocabSize: source.size, targetVocabSize: target.size };
    const dir = path.join(scratch.dir, 'model');
    await saveSeq2Seq(dir, buildSeq2Seq(architecture), { format: 'rnnlab-seq2seq', version: 1, architecture, source: source.toJSON(), target: target.toJSON(), maxSourceLen: 6, maxTargetLen: 3 });
    await expect(loadSeq2Seq(dir)).resolves.toBeDefined();
    const file = path.join(dir, SEQ2SEQ_SPEC_FILE);
    const spec = JSON.parse(readFileSync(file, 'utf8'));
    spec.source.items[6] = 'ab';
    writeFileSync(file, JSON.stringify(spec));
    const e = await loadSeq2Seq(dir).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DataError);
    expect((e as Error).message).toBe(`${file}: field 'source.items[6]' is "ab", but an item of a char vocabulary is one character (a code point)`);
  });
});
