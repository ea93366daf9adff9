/** Decoding raw texts with a loaded model: tokens in, the output text and its attention matrix out, in input order. */
import { readLines, type ByteSource } from '../data/text_stream.js';
import { beamDecode, greedyDecode, type Decoding } from './decode.js';
import type { Seq2SeqModel } from './store.js';

export interface Translation {
  input: string;
  output: string;
  /** The tokens across and down the attention matrix (END included below); weights [] without attention. */
  sourceTokens: string[];
  outputTokens: string[];
  weights: number[][];
  score: number;
}

export interface TranslateOptions {
  /** Beam width (default 0: greedy decoding). */
  beam?: number;
  batchSize?: number;
}

/** Outputs for texts, in order. An input with no tokens gives an empty output without running the model. */
export function translateTexts(m: Seq2SeqModel, texts: readonly string[], o: TranslateOptions = {}): Translation[] {
  const ids = texts.map((t) => m.source.encode(t));
  const todo = ids.map((x, i) => i).filter((i) => ids[i].length > 0);
  const opts = { maxSteps: m.spec.maxTargetLen + 1, batchSize: o.batchSize };
  const sources = todo.map((i) => ids[i]);
  const decoded: Decoding[] = o.beam ? beamDecode(m.net.layers, sources, o.beam, opts) : greedyDecode(m.net.layers, sources, opts);
  const byInput = new Map(todo.map((i, k) => [i, decoded[k]]));
  return texts.map((input, i) => {
    const d = byInput.get(i);
    const sourceTokens = ids[i].map((id) => m.source.items[id]);
    if (!d) return { input, output: '', sourceTokens, outputTokens: [], weights: [], score: 0 };
    const outputTokens = [...m.target.tokensOf(d.ids), ...(d.ended ? ['<end>'] : [])];
    return { input, output: m.target.decode(d.ids), sourceTokens, outputTokens, weights: d.attention, score: d.score };
  });
}

/** Translations of a file's (or stdin's) lines, batch by batch, in order; `name` is what errors call the input. */
export async function* translateLines(m: Seq2SeqModel, source: ByteSource, name: string, o: TranslateOptions = {}): AsyncGenerator<Translation> {
  const size = o.batchSize ?? 64;
  let batch: string[] = [];
  for await (const { text } of readLines(source, name)) {
    batch.push(text);
    if (batch.length >= size) { yield* translateTexts(m, batch, o); batch = []; }
  }
  if (batch.length) yield* translateTexts(m, batch, o);
}
