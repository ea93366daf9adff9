/**
 * Every option of trainSeq2Seq (and so of `rnnlab seq2seq`, which passes its flags through) changes what a run does,
 * each shown against one base run on the same pairs; a progress writer given alone gets the progress lines; bad
 * values of verbose and progress, a misspelt or missing option of greedyDecode / beamDecode, and what generatePairs,
 * readPairs and translateTexts used to take and quietly misread, are refused by name.
 */
import { describe, expect, it } from 'vitest';
import { setSeed } from '../../src/random.js';
import { beamDecode, greedyDecode } from '../../src/seq2seq/decode.js';
import { generatePairs } from '../../src/seq2seq/generate.js';
import { readPairs } from '../../src/seq2seq/pairs.js';
import { seq2seqModelOf } from '../../src/seq2seq/store.js';
import { translateTexts } from '../../src/seq2seq/translate.js';
import { buildSeq2Seq } from '../../src/seq2seq/model.js';
import { Seq2SeqOptionError, trainSeq2Seq, type Seq2SeqTrainOptions, type Seq2SeqTrainResult } from '../../src/seq2seq/train.js';

// 6 to 16 words reversed: lengths vary, so the length limits have pairs to leave out.
const pairs = generatePairs('reverse-words', 200, 1);
const BASE: Seq2SeqTrainOptions = { tokens: 'word', units: 4, embeddingDim: 2, epochs: 1, batchSize: 32, samples: 0, seed: 1, verbose: 0 };

function writer(): { write: (s: string) => boolean; text: () => string } {
  let text = '';
  return { write: (s) => { text += s; return true; }, text: () => text };
}

describe('trainSeq2Seq options, each against the base run', () => {
  it('every option has an effect', async () => {
    const base = await trainSeq2Seq(pairs, BASE);
    const layerClass = (r: Seq2SeqTrainResult, name: string) => r.net.model.getLayer(name).getClassName();
    const cases: [Seq2SeqTrainOptions, (r: Seq2SeqTrainResult) => void][] = [
      [{ tokens: 'char' }, (r) => expect(r.spec.source.items.slice(4).every((t) => [...t].length === 1)).toBe(true)],
      [{ rnn: 'gru' }, (r) => expect([layerClass(r, 'encoder_1'), layerClass(base, 'encoder_1')]).toEqual(['GRU', 'LSTM'])],
      [{ bidirectionalEncoder: true }, (r) => expect(r.net.model.getLayer('decoder_1').getConfig().units).toBe(8)],
      [{ layers: 2 }, (r) => expect(layerClass(r, 'decoder_2')).toBe('LSTM')],
      [{ units: 5 }, (r) => expect(r.net.model.getLayer('encoder_1').getConfig().units).toBe(5)],
      [{ embeddingDim: 3 }, (r) => expect(r.net.model.getLayer('source_embedding').getConfig().outputDim).toBe(3)],
      [{ attention: 'bahdanau' }, (r) => expect([layerClass(r, 'attention'), layerClass(base, 'attention')]).toEqual(['AdditiveAttention', 'Attention'])],
      [{ attention: 'none' }, (r) => expect([r.attention, base.attention]).toEqual([null, expect.anything()])],
      [{ validationSplit: 0.3 }, (r) => expect([r.counts.validation, base.counts.validation]).toEqual([60, 20])],
      [{ epochs: 2 }, (r) => expect(r.history.loss).toHaveLength(2)],
      [{ batchSize: 8 }, (r) => expect(r.history.loss[0]).not.toBe(base.history.loss[0])],
      [{ lr: 0.05 }, (r) => expect(r.history.loss[0]).not.toBe(base.history.loss[0])],
      [{ seed: 2 }, (r) => expect(r.history.val_loss[0]).not.toBe(base.history.val_loss[0])],
      [{ maxSourceLen: 10 }, (r) => expect([r.counts.skippedLong > 0, r.spec.maxSourceLen, base.counts.skippedLong]).toEqual([true, 10, 0])],
      [{ maxTargetLen: 8 }, (r) => expect(r.counts.skippedLong).toBeGreaterThan(0)],
      [{ maxVocab: 10 }, (r) => expect([r.spec.source.items.length, r.spec.target.items.length]).toEqual([10, 10])],
      [{ beam: 2 }, (r) => expect([r.beam, base.beam]).toEqual([expect.objectContaining({ exact: expect.any(Number) }), null])],
      [{ samples: 3 }, (r) => expect([r.samples.length, base.samples.length]).toEqual([3, 0])],
    ];
    for (const [o, check] of cases) check(await trainSeq2Seq(pairs, { ...BASE, ...o }));
    // Every option of the list above or below: one the trainer takes but no case shows would be untested here.
    const shown = new Set([...cases.flatMap(([o]) => Object.keys(o)), 'verbose', 'progress']);
    expect(Object.keys(BASE).every((k) => shown.has(k))).toBe(true);
    expect(shown.size).toBe(19);
  }, 120_000);

  it('verbose 2 writes a line per epoch with its steps (the batch size shows); a progress writer alone gets the bar; verbose 0 silences it', async () => {
    const two = writer();
    await trainSeq2Seq(pairs, { ...BASE, epochs: 2, batchSize: 8, verbose: 2, progress: two });
    // 180 training pairs in batches of 8: 23 steps an epoch.
    expect(two.text()).toMatch(/^Epoch 1\/2\n23\/23 - .* - loss: [\d.]+ - accuracy: [\d.]+ - val_loss: [\d.]+ - val_accuracy: [\d.]+\nEpoch 2\/2\n23\/23 - /);
    const alone = writer();
    const { verbose: _, ...quietless } = BASE;
    await trainSeq2Seq(pairs, { ...quietless, progress: alone });
    expect(alone.text()).toMatch(/^Epoch 1\/1\n6\/6 \[=+\]/);
    const silent = writer();
    await trainSeq2Seq(pairs, { ...BASE, verbose: 0, progress: silent });
    expect(silent.text()).toBe('');
  }, 60_000);

  it('a bad verbose or progress, and a list that is not one, are refused by name before training', async () => {
    for (const [o, option] of [[{ verbose: 3 }, 'verbose'], [{ verbose: true }, 'verbose'], [{ progress: 'stdout' }, 'progress'], [{ progress: null }, 'progress']] as const) {
      const e = await trainSeq2Seq(pairs, { ...BASE, ...(o as object) }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(Seq2SeqOptionError);
      expect((e as Seq2SeqOptionError).option).toBe(option);
    }
    await expect(trainSeq2Seq(undefined as never)).rejects.toThrow(/^pairs: must be a list of \{source, target, where\}, got undefined/);
    await expect(trainSeq2Seq(pairs.slice(0, 1), BASE)).rejects.toThrow(/^validationSplit: 1 pair cannot be split: training and validation need at least one pair each \(give at least 2 pairs\)$/);
  });
});

describe('greedyDecode and beamDecode', () => {
  setSeed(2);
  const { layers } = buildSeq2Seq({ rnn: 'lstm', bidirectionalEncoder: false, layers: 1, units: 4, embeddingDim: 2, attention: 'luong', sourceVocabSize: 9, targetVocabSize: 7 });

  it('refuse, by name, what would decode nothing or decode garbage', () => {
    const cases: [() => unknown, string, RegExp][] = [
      // Before, these returned every output empty and not ended, without a word.
      [() => greedyDecode(layers, [[4, 5]], { maxStep: 5 } as never), 'maxStep', /is not an option of greedyDecode; options: maxSteps, lengthPenalty, batchSize, unknownTargets/],
      [() => beamDecode(layers, [[4, 5]], 2, {} as never), 'maxSteps', /must be a positive integer .* got undefined \(beamDecode\)/],
      [() => greedyDecode(layers, [[4, 5]], { maxSteps: 0 }), 'maxSteps', /got 0/],
      [() => greedyDecode(layers, [[4, 5]], { maxSteps: 2.5 }), 'maxSteps', /got 2\.5/],
      [() => greedyDecode(layers, [[4, 5]], { maxSteps: 3, lengthPenalty: Number.NaN }), 'lengthPenalty', /must be a number >= 0, got NaN/],
      [() => greedyDecode(layers, [[4, 5]], { maxSteps: 3, unknownTargets: 'yes' as never }), 'unknownTargets', /must be true or false/],
      // An empty source decoded from padding alone; a fractional id was truncated.
      [() => beamDecode(layers, [[4], []], 2, { maxSteps: 3 }), 'sources', /source 1 must be a list of token ids, not all 0 \(<pad>\)/],
      [() => greedyDecode(layers, [[4, 1.5]], { maxSteps: 3 }), 'sources', /source 0 position 1: id 1\.5 is not an integer id of the source vocabulary \[0, 9\)/],
      [() => greedyDecode(layers, [[4, 9]], { maxSteps: 3 }), 'sources', /id 9 is not an integer id/],
      [() => greedyDecode(layers, [[4]], null as never), 'options', /greedyDecode takes an object of options/],
    ];
    for (const [f, option, message] of cases) {
      let e: unknown;
      try { f(); } catch (x) { e = x; }
      expect(e, option).toBeInstanceOf(Seq2SeqOptionError);
      expect((e as Seq2SeqOptionError).option).toBe(option);
      expect((e as Error).message).toMatch(message);
    }
    expect(greedyDecode(layers, [], { maxSteps: 3 })).toEqual([]);
    const d = greedyDecode(layers, [[4, 5]], { maxSteps: 3 })[0];
    expect(d.ids.length + (d.ended ? 1 : 0)).toBeGreaterThan(0);
  });
});

describe('the other entry points of rl.seq2seq', () => {
  async function* tsv() { yield 'a\tb\nc\td\n'; }
  const option = async (f: () => unknown) => {
    try { await f(); } catch (e) { expect(e).toBeInstanceOf(Seq2SeqOptionError); return [(e as Seq2SeqOptionError).option, (e as Error).message]; }
    throw new Error('expected an error');
  };

  it('generatePairs refuses a task it does not make (it made reverse-words pairs) and a missing seed (it made unseeded ones)', async () => {
    expect(await option(() => generatePairs('dates' as never, 10, 1))).toEqual(['task', 'task: must be one of date, reverse-words, addition, got "dates"']);
    expect(await option(() => generatePairs('date', 10, undefined as never))).toEqual(['seed', 'seed: must be an integer, got undefined']);
    expect(generatePairs('date', 3, 4)).toEqual(generatePairs('date', 3, 4));
  });

  it('readPairs refuses a format it does not read (it read it as JSON Lines) and a misspelt option (the name decided)', async () => {
    expect(await option(() => readPairs(tsv(), 'in', { format: 'TSV' as never }))).toEqual(['format', 'format: must be one of tsv, csv, jsonl, got "TSV"']);
    expect(await option(() => readPairs(tsv(), 'in', { fromat: 'csv' } as never))).toEqual(['fromat', 'fromat: is not an option of readPairs; options: format, maxLineChars, optionNames']);
    expect((await option(() => readPairs(tsv(), 'in', { maxLineChars: 0 })))[0]).toBe('maxLineChars');
    expect((await readPairs(tsv(), 'in', { format: 'tsv' })).map((p) => p.target)).toEqual(['b', 'd']);
  });

  it('translateTexts refuses a text that is not a string (it came out as an empty output)', async () => {
    const r = await trainSeq2Seq(pairs, BASE);
    const m = seq2seqModelOf(r.net, r.spec);
    expect(await option(() => translateTexts(m, ['time', 20190120 as never]))).toEqual(['texts', 'texts: text 1 must be a string, got number 20190120']);
    expect((await option(() => translateTexts(m, 'time' as never)))[0]).toBe('texts');
    expect(translateTexts(m, ['time', ''])[1].output).toBe('');
  });
});
