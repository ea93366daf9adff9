/**
 * rnnlab-seq2seq.json's architecture must agree with model.json's layers: the loader finds layers by the spec's
 * names, so a disagreeing spec would otherwise decode wrongly or crash inside a layer.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Seq2SeqArchitecture } from '../../src/seq2seq/graph.js';
import type { Pair } from '../../src/seq2seq/pairs.js';
import { loadSeq2Seq, saveSeq2Seq, seq2seqModelOf } from '../../src/seq2seq/store.js';
import { trainSeq2Seq } from '../../src/seq2seq/train.js';
import { translateTexts } from '../../src/seq2seq/translate.js';
import { Random } from '../../src/random.js';
import { run } from '../cli/helpers.js';
import { scratchFolder } from './helpers.js';

const scratch = scratchFolder();

function reversePairs(n: number): Pair[] {
  const rng = new Random(11);
  return Array.from({ length: n }, (_, i) => {
    const s = Array.from({ length: 2 + rng.int(3) }, () => 'abcd'[rng.int(4)]).join('');
    return { source: s, target: [...s].reverse().join(''), where: `gen:${i + 1}` };
  });
}

const TEXTS = ['abc', 'dcba', 'bd'];

/** Trains (one epoch) and saves a model of the given architecture; returns its folder and its own translations. */
async function saved(name: string, o: Partial<Pick<Seq2SeqArchitecture, 'rnn' | 'attention' | 'layers' | 'bidirectionalEncoder' | 'units'>>) {
  const r = await trainSeq2Seq(reversePairs(40), { units: 6, embeddingDim: 3, epochs: 1, samples: 0, verbose: 0, ...o });
  const dir = path.join(scratch.dir, name);
  await saveSeq2Seq(dir, r.net, r.spec);
  return { dir, outputs: translateTexts(seq2seqModelOf(r.net, r.spec), TEXTS).map((t) => t.output) };
}

/** A copy of the folder whose spec has one architecture field changed (undefined: added as given). */
function withSpec(dir: string, name: string, edit: (a: Record<string, unknown>) => void): string {
  const copy = path.join(scratch.dir, name);
  cpSync(dir, copy, { recursive: true });
  const file = path.join(copy, 'rnnlab-seq2seq.json');
  const spec = JSON.parse(readFileSync(file, 'utf8'));
  edit(spec.architecture);
  writeFileSync(file, JSON.stringify(spec));
  return copy;
}

describe('loading a seq2seq folder checks the spec against model.json', () => {
  it('every architecture the project trains loads back and translates as before', async () => {
    for (const rnn of ['lstm', 'gru'] as const) {
      for (const attention of ['luong', 'bahdanau', 'none'] as const) {
        for (const [layers, bidirectionalEncoder] of [[1, false], [2, true], [1, true], [2, false]] as const) {
          const name = `${rnn}_${attention}_${layers}_${bidirectionalEncoder}`;
          const m = await saved(name, { rnn, attention, layers, bidirectionalEncoder });
          const loaded = await loadSeq2Seq(m.dir);
          expect(loaded.spec.architecture, name).toMatchObject({ rnn, attention, layers, bidirectionalEncoder });
          expect(translateTexts(loaded, TEXTS).map((t) => t.output), name).toEqual(m.outputs);
        }
      }
    }
  }, 240_000);

  it('refuses each field that disagrees, naming rnnlab-seq2seq.json, the field and what model.json has', async () => {
    const luong = await saved('base_luong', { layers: 2, bidirectionalEncoder: true });
    const none = await saved('base_none', { attention: 'none' });
    const cases: [string, string, (a: Record<string, unknown>) => void, RegExp][] = [
      [luong.dir, 'att_none', (a) => { a.attention = 'none'; }, /field 'architecture\.attention' is "none", but model\.json has "luong" \(layer 'attention' has class Attention\)/],
      [luong.dir, 'att_bahdanau', (a) => { a.attention = 'bahdanau'; }, /field 'architecture\.attention' is "bahdanau", but model\.json has "luong"/],
      [none.dir, 'none_as_luong', (a) => { a.attention = 'luong'; }, /field 'architecture\.attention' is "luong", but model\.json has "none" \(it has no layer 'attention'\)/],
      [luong.dir, 'layers1', (a) => { a.layers = 1; }, /field 'architecture\.layers' is 1, but model\.json has 2 \(its decoders go up to 'decoder_2'\)/],
      [none.dir, 'layers2', (a) => { a.layers = 2; }, /field 'architecture\.layers' is 2, but model\.json has 1/],
      [luong.dir, 'not_bi', (a) => { a.bidirectionalEncoder = false; }, /field 'architecture\.bidirectionalEncoder' is false, but model\.json has true \(it has a layer 'encoder_1_backward'\)/],
      [none.dir, 'bi', (a) => { a.bidirectionalEncoder = true; }, /field 'architecture\.bidirectionalEncoder' is true, but model\.json has false/],
      [luong.dir, 'units', (a) => { a.units = 12; }, /field 'architecture\.units' is 12, but model\.json has 6 \(layer 'encoder_1' has 6 units\)/],
      [luong.dir, 'gru', (a) => { a.rnn = 'gru'; }, /field 'architecture\.rnn' is "gru", but model\.json has "lstm" \(layer 'encoder_1' has class LSTM\)/],
      [luong.dir, 'embedding', (a) => { a.embeddingDim = 4; }, /field 'architecture\.embeddingDim' is 4, but model\.json has 3/],
      [luong.dir, 'extra_key', (a) => { a.dropout = 0.5; }, /field 'architecture\.dropout' is not a seq2seq architecture field \(they are rnn, bidirectionalEncoder, /],
    ];
    for (const [dir, name, edit, message] of cases) {
      const copy = withSpec(dir, name, edit);
      const err = await loadSeq2Seq(copy).then(() => null, (e: Error) => e);
      expect(err, name).not.toBeNull();
      expect(err!.message, name).toContain(path.join(copy, 'rnnlab-seq2seq.json'));
      expect(err!.message, name).toMatch(message);
    }
  }, 120_000);

  it('a model.json layer the architecture has no place for is refused (decoding would skip it)', async () => {
    const m = await saved('extra_layer', { attention: 'none' });
    const copy = path.join(scratch.dir, 'extra_layer_copy');
    cpSync(m.dir, copy, { recursive: true });
    const file = path.join(copy, 'model.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    const layers: { class_name: string; name: string; inbound_nodes: unknown[] }[] = json.modelTopology.config.layers;
    // A relu between the decoder and the output: it changes predict, but decoding calls the layers by name.
    const output = layers.find((l) => l.name === 'output')!;
    layers.push({ class_name: 'Activation', config: { name: 'stray', trainable: true, dtype: 'float32', activation: 'relu' }, name: 'stray', inbound_nodes: output.inbound_nodes } as never);
    output.inbound_nodes = [[['stray', 0, 0, {}]]];
    writeFileSync(file, JSON.stringify(json));
    await expect(loadSeq2Seq(copy)).rejects.toThrow(/rnnlab-seq2seq\.json: model\.json has layer 'stray' \(Activation\), which the architecture has no place for$/);
  }, 60_000);

  it('rnnlab translate exits 2 on a disagreeing spec, naming it as given', async () => {
    const m = await saved('cli', { layers: 2, bidirectionalEncoder: true });
    const copy = withSpec(m.dir, 'cli_not_bi', (a) => { a.bidirectionalEncoder = false; });
    const r = await run(['translate', '--model', copy, 'abc']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/--model: .*cli_not_bi.rnnlab-seq2seq\.json: field 'architecture\.bidirectionalEncoder' is false, but model\.json has true/);
  }, 60_000);
});
