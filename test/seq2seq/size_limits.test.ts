/**
 * The API refuses the sizes the CLI's flags refuse (one table, SEQ2SEQ_LIMITS), before any training; a model saved
 * with larger sizes (as earlier builds of the API allowed) still loads and translates.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../cli/helpers.js';
import { SEQ2SEQ_FLAGS } from '../../src/cli/seq2seq.js';
import { TRANSLATE_FLAGS } from '../../src/cli/translate.js';
import { beamDecode } from '../../src/seq2seq/decode.js';
import { generatePairs } from '../../src/seq2seq/generate.js';
import { SEQ2SEQ_LIMITS } from '../../src/seq2seq/limits.js';
import { buildSeq2Seq } from '../../src/seq2seq/model.js';
import { loadSeq2Seq, saveSeq2Seq, seq2seqModelOf, type Seq2SeqSpec } from '../../src/seq2seq/store.js';
import { trainSeq2Seq, type Seq2SeqTrainOptions } from '../../src/seq2seq/train.js';
import { translateLines, translateTexts } from '../../src/seq2seq/translate.js';
import { Vocab } from '../../src/seq2seq/vocab.js';
import { scratchFolder } from './helpers.js';

const scratch = scratchFolder();
const pairs = generatePairs('date', 20, 1);
const refusal = (o: Seq2SeqTrainOptions) => trainSeq2Seq(pairs, { units: 4, epochs: 1, ...o }).then(() => 'trained', (e: Error) => e.message);

/** A model of the given sizes, built and saved without training (as an earlier build's trainSeq2Seq could write it). */
async function savedModel(name: string, sizes: { layers: number; embeddingDim: number; maxSourceLen: number }) {
  const source = Vocab.fromTexts(['abc'], 'char'), target = Vocab.fromTexts(['cba'], 'char');
  const architecture = { rnn: 'gru' as const, bidirectionalEncoder: false, layers: sizes.layers, units: 2, embeddingDim: sizes.embeddingDim,
    attention: 'luong' as const, sourceVocabSize: source.size, targetVocabSize: target.size };
  const net = buildSeq2Seq(architecture);
  const spec: Seq2SeqSpec = { format: 'rnnlab-seq2seq', version: 1, architecture, source: source.toJSON(), target: target.toJSON(), maxSourceLen: sizes.maxSourceLen, maxTargetLen: 3 };
  const dir = path.join(scratch.dir, name);
  await saveSeq2Seq(dir, net, spec);
  return { dir, net, spec };
}

describe('seq2seq size limits', () => {
  it('trainSeq2Seq refuses a size past the CLI\'s range, naming the option and the range', async () => {
    expect(await refusal({ layers: 9 })).toBe('layers: must be an integer from 1 to 8, got 9');
    expect(await refusal({ units: 5000 })).toBe('units: must be an integer from 1 to 4096, got 5000');
    expect(await refusal({ embeddingDim: 4097 })).toBe('embeddingDim: must be an integer from 1 to 4096, got 4097');
    expect(await refusal({ beam: 65 })).toBe('beam: must be an integer from 0 to 64, got 65');
    expect(await refusal({ samples: 10_001 })).toBe('samples: must be an integer from 0 to 10000, got 10001');
    expect(await refusal({ maxVocab: 10_000_001 })).toBe('maxVocab: must be an integer from 5 to 10000000, got 10000001');
    expect(await refusal({ maxSourceLen: 100_001 })).toBe('maxSourceLen: must be an integer from 1 to 100000, got 100001');
    expect(await refusal({ maxTargetLen: 100_001 })).toBe('maxTargetLen: must be an integer from 1 to 100000, got 100001');
  });

  it('the CLI\'s flags take their ranges from the same table', async () => {
    for (const [flag, option] of [['layers', 'layers'], ['units', 'units'], ['embedding-dim', 'embeddingDim'], ['beam', 'beam'], ['samples', 'samples'], ['max-vocab', 'maxVocab']] as const) {
      expect([SEQ2SEQ_FLAGS[flag].min, SEQ2SEQ_FLAGS[flag].max], flag).toEqual([SEQ2SEQ_LIMITS[option].min, SEQ2SEQ_LIMITS[option].max]);
    }
    expect([TRANSLATE_FLAGS.beam.min, TRANSLATE_FLAGS.beam.max]).toEqual([SEQ2SEQ_LIMITS.beam.min, SEQ2SEQ_LIMITS.beam.max]);
    const r = await run(['seq2seq', '--generate', 'date', '--max-source-len', '100001', '--out', path.join(scratch.dir, 'never')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--max-source-len must be a positive integer up to 100000 or auto/);
  });

  it('a model saved with sizes past the limits loads and translates; its beam is still capped, and a string beam is quoted', async () => {
    const { dir, net, spec } = await savedModel('big', { layers: 9, embeddingDim: 5000, maxSourceLen: 200_000 });
    const m = await loadSeq2Seq(dir);
    expect(m.spec.architecture.layers).toBe(9);
    expect(translateTexts(m, ['abc', 'cab'])).toEqual(translateTexts(seq2seqModelOf(net, spec), ['abc', 'cab']));
    expect(translateTexts(m, ['abc'], { beam: 64 })).toHaveLength(1);
    expect(() => translateTexts(m, ['abc'], { beam: 65 })).toThrow(/^beam: must be an integer from 0 to 64 \(0: greedy\), got 65 \(translateTexts\)$/);
    expect(() => translateTexts(m, ['abc'], { beam: '2' as never })).toThrow(/^beam: must be an integer from 0 to 64 \(0: greedy\), got "2" \(translateTexts\)$/);
    await expect(translateLines(m, scratch.file('in.txt', 'abc\n'), 'in.txt', { beam: 65 }).next()).rejects.toThrow(/^beam: .* got 65 \(translateLines\)$/);
    expect(() => beamDecode(m.net.layers, [m.source.encode('abc')], 65, { maxSteps: 3 })).toThrow(/^beam: must be an integer from 1 to 64, got 65$/);
  });
});
