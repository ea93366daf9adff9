/** Vocabularies, generated tasks and the terminal heatmap. */
import { describe, expect, it } from 'vitest';
import { generatePairs, pairsTsv } from '../../src/seq2seq/generate.js';
import { attentionHeatmap, shadeOf, SHADES } from '../../src/seq2seq/heatmap.js';
import { END, PAD, START, UNKNOWN, Vocab, tokenize } from '../../src/seq2seq/vocab.js';

describe('Vocab', () => {
  it('round-trips characters and words through ids, with the specials at fixed ids', () => {
    const c = Vocab.fromTexts(['héllo 🙂', 'world'], 'char');
    expect(c.items.slice(0, 4)).toEqual(['<pad>', '<start>', '<end>', '<unk>']);
    expect(c.decode(c.encode('héllo 🙂'))).toBe('héllo 🙂');
    expect(c.encode('🙂')).toHaveLength(1);
    expect(c.encode('hz')).toEqual([c.encode('h')[0], UNKNOWN]);
    expect(c.decode([START, ...c.encode('low'), END, ...c.encode('x'), PAD])).toBe('low');
    const w = Vocab.fromTexts(['the cat  sat', 'on the mat'], 'word');
    expect(tokenize(' the  cat\tsat ', 'word')).toEqual(['the', 'cat', 'sat']);
    expect(w.decode(w.encode('mat on the cat'))).toBe('mat on the cat');
    expect(w.decode(w.encode('the dog'))).toBe('the <unk>');
  });

  it('reads back what it writes, and rejects a damaged vocabulary naming the field', () => {
    const v = Vocab.fromTexts(['abc'], 'char');
    const back = Vocab.fromJSON(JSON.parse(JSON.stringify(v.toJSON())), 'spec');
    expect(back.items).toEqual(v.items);
    expect(back.kind).toBe('char');
    expect(() => Vocab.fromJSON({ tokens: 'byte', items: v.items }, 'f.json')).toThrow("f.json: field 'tokens' must be char or word");
    expect(() => Vocab.fromJSON({ tokens: 'char', items: ['a', ...v.items] }, 'f.json')).toThrow(/must start with <pad>, <start>, <end>, <unk>/);
    expect(() => Vocab.fromJSON({ tokens: 'char', items: [...v.items, 'a'] }, 'f.json')).toThrow(/lists a token twice/);
    expect(() => Vocab.fromJSON(null, 'f.json')).toThrow(/expected an object/);
  });
});

describe('generated tasks', () => {
  it('date: every format maps to the ISO date, the same for the same seed', () => {
    const a = generatePairs('date', 400, 5);
    expect(generatePairs('date', 400, 5)).toEqual(a);
    expect(generatePairs('date', 400, 6)).not.toEqual(a);
    for (const p of a) {
      expect(p.target).toMatch(/^(19[5-9]\d|20[0-4]\d)-\d\d-\d\d$/);
      const [y, m, d] = p.target.split('-').map(Number);
      expect(new Date(Date.UTC(y, m - 1, d)).getUTCDate()).toBe(d);
      expect(p.source).toContain(String(y));
    }
    expect(new Set(a.map((p) => p.source.replace(/\d+/g, '#'))).size).toBeGreaterThan(12);
    expect(pairsTsv(a.slice(0, 1))).toBe(`${a[0].source}\t${a[0].target}\n`);
  });

  it('reverse-words: 6 to 16 words, reversed', () => {
    for (const p of generatePairs('reverse-words', 200, 1)) {
      const w = p.source.split(' ');
      expect(w.length).toBeGreaterThanOrEqual(6);
      expect(w.length).toBeLessThanOrEqual(16);
      expect(p.target).toBe([...w].reverse().join(' '));
    }
    expect(() => generatePairs('date', 1, 1)).toThrow(/count: must be an integer >= 2/);
  });
});

describe('attentionHeatmap', () => {
  it('draws source tokens across, output tokens down, darker for more weight', () => {
    expect([0, 0.1, 0.3, 0.5, 0.7, 0.99, 1].map(shadeOf)).toEqual([' ', ' ', '░', '▒', '▓', '█', '█']);
    const lines = attentionHeatmap(['a', 'b', ' '], ['x', '<end>'], [[1, 0, 0], [0, 0.5, 0.5]]);
    expect(lines).toEqual([
      '      │ab␣',
      '──────┼───',
      `x     │${SHADES[4]}  `,
      `<end> │ ${SHADES[2]}${SHADES[2]}`,
    ]);
    const words = attentionHeatmap(['the', 'cat'], ['cat'], [[0.1, 0.9]]);
    expect(words).toEqual(['    │the cat', '────┼───────', 'cat │    ███']);
  });
});
