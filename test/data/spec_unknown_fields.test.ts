/**
 * rnnlab-text.json and rnnlab-seq2seq.json refuse a top-level key their format does not have: a misspelt field
 * (`metric`, `unknownTarget`) would otherwise load and be silently ignored.
 */
import { describe, expect, it } from 'vitest';
import { TextVectorizer } from '../../src/data/text_vectorizer.js';
import { checkSpec } from '../../src/seq2seq/store.js';
import { Vocab } from '../../src/seq2seq/vocab.js';
import { validateSpec } from '../../src/tasks/text_classifier_file.js';

function textSpec(): Record<string, unknown> {
  const v = new TextVectorizer({ maxlen: 4 });
  v.adapt(['a good film', 'a bad film']);
  return { format: 'rnnlab-text-classifier', version: 1, classes: ['neg', 'pos'], vectorizer: v.toJSON(), model: { name: 'lstm', options: {} }, metrics: { validationAccuracy: 0.5 } };
}

function seq2seqSpec(): Record<string, unknown> {
  const source = Vocab.fromTexts(['abc', 'bd'], 'char');
  const target = Vocab.fromTexts(['cba', 'db'], 'char');
  return {
    format: 'rnnlab-seq2seq', version: 1, maxSourceLen: 3, maxTargetLen: 3, unknownTargets: false, metrics: { greedyExact: 1 },
    architecture: { rnn: 'lstm', bidirectionalEncoder: false, layers: 1, units: 4, embeddingDim: 3, attention: 'none', sourceVocabSize: source.size, targetVocabSize: target.size },
    source: source.toJSON(), target: target.toJSON(),
  };
}

describe('a side file with a key its format does not have', () => {
  it('rnnlab-text.json: every written field loads; an extra key is refused, naming it and the fields there are', () => {
    expect(validateSpec(textSpec(), 'm/rnnlab-text.json').classes).toEqual(['neg', 'pos']);
    const { metrics, ...rest } = textSpec();
    expect(() => validateSpec({ ...rest, metric: metrics }, 'm/rnnlab-text.json'))
      .toThrow("m/rnnlab-text.json: field 'metric' is not a field of rnnlab-text-classifier version 1 (they are format, version, classes, vectorizer, model, metrics)");
    expect(() => validateSpec({ ...textSpec(), metrics: [0.5] }, 'm/rnnlab-text.json')).toThrow("field 'metrics' must be an object, got [0.5]");
  });

  it('rnnlab-seq2seq.json: the same, and metrics must be an object', () => {
    expect(checkSpec(seq2seqSpec(), 'm/rnnlab-seq2seq.json').maxTargetLen).toBe(3);
    const { unknownTargets, ...rest } = seq2seqSpec();
    expect(() => checkSpec({ ...rest, unknownTarget: unknownTargets }, 'm/rnnlab-seq2seq.json'))
      .toThrow("m/rnnlab-seq2seq.json: field 'unknownTarget' is not a field of rnnlab-seq2seq version 1 (they are format, version, architecture, source, target, maxSourceLen, maxTargetLen, unknownTargets, metrics)");
    expect(() => checkSpec({ ...seq2seqSpec(), metrics: 'none' }, 'm/rnnlab-seq2seq.json')).toThrow(`field 'metrics' must be an object, got "none"`);
  });
});
