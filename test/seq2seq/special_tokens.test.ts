/**
 * Word-token pairs whose text holds a word written as a special token ('<end>', '<pad>', ...): in training it would
 * take the token's id (a target cut at '<end>', a masked '<pad>'), so it is refused by line; at translate time such
 * a word is an unknown word.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { readPairs } from '../../src/seq2seq/pairs.js';
import { trainSeq2Seq } from '../../src/seq2seq/train.js';
import { END, PAD, UNKNOWN, Vocab } from '../../src/seq2seq/vocab.js';
import { scratchFolder } from './helpers.js';

const { dir, file } = scratchFolder();

const TINY = { tokens: 'word' as const, epochs: 1, units: 4, embeddingDim: 2, validationSplit: 0.5, samples: 0 };

describe('special tokens written in word-token pairs', () => {
  it('a target holding <end> is refused with its line, before any training', async () => {
    const f = file('end.tsv', 'one two\ttwo one\nsee <end> here\there <end> see\nred blue\tblue red\ngo now\tnow go\n');
    const pairs = await readPairs(f, f);
    await expect(trainSeq2Seq(pairs, TINY)).rejects.toThrow(/end\.tsv:2: the source holds the word '<end>', which with word tokens is the vocabulary's <end> marker/);
  });

  it('names the target, and <pad> / <start> / <unk> as well; character tokens have no such words', async () => {
    for (const tok of ['<pad>', '<start>', '<unk>']) {
      const f = file(`t${tok.slice(1, -1)}.tsv`, `a b\tb a\nc d\td ${tok}\ne f\tf e\ng h\th g\n`);
      await expect(trainSeq2Seq(await readPairs(f, f), TINY)).rejects.toThrow(new RegExp(`:2: the target holds the word '${tok}'`));
    }
    const f = file('chars.tsv', 'a<end>\tb\nc\td\ne\tf\ng\th\n');
    const r = await trainSeq2Seq(await readPairs(f, f), { ...TINY, tokens: 'char' });
    expect(r.counts.train + r.counts.validation).toBe(4);
  });

  it('rnnlab seq2seq --tokens word exits 2 naming the file and line', async () => {
    const f = file('cli.tsv', 'a b\tb a\nc d\t<pad> d\n');
    let err = '';
    const code = await main(['seq2seq', '--data', f, '--tokens', 'word', '--epochs', '1', '--out', path.join(dir, 'run')],
      { out: { write: () => true }, err: { write: (s: string) => { err += s; return true; } } });
    expect(code).toBe(2);
    expect(err).toMatch(/--data: .*cli\.tsv:2: the target holds the word '<pad>'/);
  });

  it('at translate time a word written as a special token is an unknown word, never padding or the end', () => {
    const v = Vocab.fromTexts(['the cat sat'], 'word');
    const ids = v.encode('the <pad> cat <end> sat <start>');
    expect(ids).not.toContain(PAD);
    expect(ids).not.toContain(END);
    expect(ids).toEqual([4, UNKNOWN, 5, UNKNOWN, 6, UNKNOWN]);
  });
});
