// Encoder-decoders exported to ONNX and run by ONNX Runtime against rnnlab's predict (max abs difference <= 1e-5):
// the models `rnnlab seq2seq` trains (Luong, Bahdanau or no attention; LSTM or GRU; a bidirectional encoder made of
// a goBackwards layer and ReverseTime; stacked layers), one of them trained for two epochs on generated addition
// pairs, and hand-built functional encoder-decoders passing states with initialState / returnState.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { saveSeq2Seq } from '../../src/seq2seq/store.js';
import * as rl from '../../src/index.js';
import type { SymbolicTensor } from '../../src/layers/symbolic.js';
import { generatePairs } from '../../src/seq2seq/generate.js';
import { buildSeq2Seq, idsTensor } from '../../src/seq2seq/model.js';
import { START, Vocab } from '../../src/seq2seq/vocab.js';
import type { AttentionKind, RnnKind } from '../../src/seq2seq/graph.js';
import { trainSeq2Seq } from '../../src/seq2seq/train.js';
import { Random } from '../../src/random.js';
import { expectSameAsOrt, tokenIds } from './helpers.js';

/** [n, T] ids in [4, vocab), each row 1..T real tokens then padding 0 (as the seq2seq trainer pads sources). */
function postPadded(n: number, T: number, vocab: number, seed: number, fill = false): rl.Tensor {
  const r = new Random(seed), d = new Int32Array(n * T);
  for (let i = 0; i < n; i++) {
    const len = fill || i === 0 ? T : 1 + r.int(T);
    for (let t = 0; t < len; t++) d[i * T + t] = 4 + r.int(vocab - 4);
  }
  return rl.tensor(d, [n, T], 'int32');
}

describe('the seq2seq models rnnlab trains export and match predict in ONNX Runtime', () => {
  const archs: { rnn: RnnKind; attention: AttentionKind; bidirectionalEncoder: boolean; layers: number }[] = [
    { rnn: 'lstm', attention: 'luong', bidirectionalEncoder: false, layers: 1 },
    { rnn: 'gru', attention: 'bahdanau', bidirectionalEncoder: true, layers: 1 },
    { rnn: 'lstm', attention: 'none', bidirectionalEncoder: true, layers: 2 },
    { rnn: 'lstm', attention: 'bahdanau', bidirectionalEncoder: true, layers: 1 },
    { rnn: 'gru', attention: 'luong', bidirectionalEncoder: false, layers: 2 },
  ];
  for (const a of archs) {
    it(`${a.rnn}, attention ${a.attention}, ${a.bidirectionalEncoder ? 'bidirectional' : 'forward'} encoder, ${a.layers} layer(s)`, async () => {
      rl.setSeed(31);
      const { model } = buildSeq2Seq({ ...a, units: 6, embeddingDim: 5, sourceVocabSize: 15, targetVocabSize: 11 });
      await expectSameAsOrt(model, [postPadded(7, 6, 15, 1), postPadded(7, 5, 11, 2, true)]);
    });
  }

  it('a bidirectional GRU encoder with Bahdanau attention trained for two epochs on addition pairs, saved, then `rnnlab export`ed', async () => {
    const r = await trainSeq2Seq(generatePairs('addition', 400, 5), {
      rnn: 'gru', bidirectionalEncoder: true, attention: 'bahdanau', units: 16, embeddingDim: 8, epochs: 2, batchSize: 32, samples: 0, seed: 2,
    });
    const source = Vocab.fromJSON(r.spec.source, 'source'), target = Vocab.fromJSON(r.spec.target, 'target');
    const held = generatePairs('addition', 12, 9);
    const feed = [idsTensor(held.map((p) => source.encode(p.source))), idsTensor(held.map((p) => [START, ...target.encode(p.target)]))];
    const dir = await mkdtemp(join(tmpdir(), 'rnnlab-onnx-s2s-'));
    try {
      await saveSeq2Seq(join(dir, 'model'), r.net, r.spec);
      let said = '';
      const out = join(dir, 'adder.onnx'), capture = { write: (s: string) => (said += s) };
      expect(await main(['export', '--model', dir, '--format', 'onnx', '--out', out], { out: capture, err: capture }), said).toBe(0);
      await expectSameAsOrt(r.net.model, feed, await readFile(out));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('functional encoder-decoders with initialState and returnState', () => {
  for (const kind of ['lstm', 'gru', 'simpleRNN'] as const) {
    it(`${kind}: a masked goBackwards encoder's final states start a decoder; the states are outputs too`, async () => {
      rl.setSeed(32);
      const src = rl.input({ shape: [6], dtype: 'int32', name: 'src' }), tgt = rl.input({ shape: [4], dtype: 'int32', name: 'tgt' });
      const e = rl.layers.embedding({ inputDim: 13, outputDim: 4, maskZero: true }).apply(src) as SymbolicTensor;
      const [, ...states] = rl.layers[kind]({ units: 5, returnSequences: true, returnState: true, goBackwards: true, name: 'encoder' }).apply(e) as SymbolicTensor[];
      // The decoder's inputs are masked too, with one row all padding: its states are the initial ones (c) or zero (h).
      const d = rl.layers.embedding({ inputDim: 9, outputDim: 4, maskZero: true }).apply(tgt) as SymbolicTensor;
      const [seq, ...finals] = rl.layers[kind]({ units: 5, returnSequences: true, returnState: true, name: 'decoder' }).apply(d, { initialState: states }) as SymbolicTensor[];
      const probs = rl.layers.timeDistributed({ layer: rl.layers.dense({ units: 9, activation: 'softmax' }), name: 'probs' }).apply(seq) as SymbolicTensor;
      const m = rl.model({ inputs: [src, tgt], outputs: [probs, ...finals, ...states] });
      await expectSameAsOrt(m, [tokenIds(6, 6, 13, 4, { pad: true, holes: true }), tokenIds(6, 4, 9, 5, { pad: true, allowEmpty: true })]);
    });
  }

  it('a decoder without returnSequences given initial states from float inputs', async () => {
    rl.setSeed(33);
    const x = rl.input({ shape: [3, 2], name: 'x' }), h = rl.input({ shape: [4], name: 'h' }), c = rl.input({ shape: [4], name: 'c' });
    const [out, hT, cT] = rl.layers.lstm({ units: 4, returnState: true }).apply(x, { initialState: [h, c] }) as SymbolicTensor[];
    await expectSameAsOrt(rl.model({ inputs: [x, h, c], outputs: [out, hT, cT] }),
      [rl.randomNormal([5, 3, 2], 0, 1, 'float32', 7), rl.randomNormal([5, 4], 0, 1, 'float32', 8), rl.randomNormal([5, 4], 0, 1, 'float32', 9)]);
  });
});
