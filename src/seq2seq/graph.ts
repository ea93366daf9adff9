/**
 * The encoder-decoder as one set of layers and two functions over them: encode (source ids -> the encoder's
 * sequence and final states) and decodeSteps (target ids + states -> next-token probabilities, new states and
 * attention weights). The same functions build the teacher-forced training graph on symbolic tensors and run
 * the trained layers on real tensors, one decoding step at a time.
 */
import { Attention } from '../layers/attention.js';
import { AdditiveAttention } from '../layers/additive_attention.js';
import { Concatenate } from '../layers/concatenate.js';
import { Dense } from '../layers/dense.js';
import { Embedding } from '../layers/embedding.js';
import { GRU } from '../layers/gru.js';
import type { Layer } from '../layers/layer.js';
import { LSTM } from '../layers/lstm.js';
import type { RNN } from '../layers/recurrent.js';
import { TimeDistributed } from '../layers/time_distributed.js';
import { ReverseTime } from '../layers/reverse_time.js';

export const RNN_KINDS = ['lstm', 'gru'] as const;
export type RnnKind = (typeof RNN_KINDS)[number];
export const ATTENTION_KINDS = ['luong', 'bahdanau', 'none'] as const;
export type AttentionKind = (typeof ATTENTION_KINDS)[number];

export interface Seq2SeqArchitecture {
  rnn: RnnKind;
  bidirectionalEncoder: boolean;
  layers: number;
  units: number;
  embeddingDim: number;
  attention: AttentionKind;
  sourceVocabSize: number;
  targetVocabSize: number;
}

interface EncoderLayer { forward: RNN; backward: RNN | null; reverse: ReverseTime | null; join: Concatenate | null; stateJoins: Concatenate[] }

export interface Seq2SeqLayers {
  sourceEmbedding: Embedding;
  encoders: EncoderLayer[];
  targetEmbedding: Embedding;
  decoders: RNN[];
  /** Luong (dot) or Bahdanau (additive) attention returning its weights, or null. */
  attention: Attention | null;
  attentionJoin: Concatenate | null;
  /** Luong's attentional hidden state: tanh(W [context; h]). */
  attentionCombine: TimeDistributed | null;
  output: TimeDistributed;
}

/** The layer names: saved in model.json, so a loaded model finds its layers by them. */
export const layerNames = {
  sourceEmbedding: 'source_embedding', targetEmbedding: 'target_embedding', attention: 'attention',
  attentionJoin: 'attention_concat', attentionCombine: 'attention_combine', output: 'output',
  encoder: (i: number) => `encoder_${i + 1}`, encoderBackward: (i: number) => `encoder_${i + 1}_backward`,
  encoderReverse: (i: number) => `encoder_${i + 1}_reverse`, encoderJoin: (i: number) => `encoder_${i + 1}_concat`,
  encoderStateJoin: (i: number, k: number) => `encoder_${i + 1}_state_${k}`, decoder: (i: number) => `decoder_${i + 1}`,
};

/** The decoder's width: the encoder's states feed it, and a bidirectional encoder's are twice as wide. */
export function decoderUnits(a: Seq2SeqArchitecture): number { return a.bidirectionalEncoder ? 2 * a.units : a.units; }

function stateCount(rnn: RnnKind): number { return rnn === 'lstm' ? 2 : 1; }

function recurrent(kind: RnnKind, units: number, name: string, goBackwards = false): RNN {
  const args = { units, returnSequences: true, returnState: true, goBackwards, name };
  return kind === 'lstm' ? new LSTM(args) : new GRU(args);
}

export function createLayers(a: Seq2SeqArchitecture): Seq2SeqLayers {
  const n = layerNames;
  const encoders: EncoderLayer[] = [];
  for (let i = 0; i < a.layers; i++) {
    const bi = a.bidirectionalEncoder;
    encoders.push({
      forward: recurrent(a.rnn, a.units, n.encoder(i)),
      backward: bi ? recurrent(a.rnn, a.units, n.encoderBackward(i), true) : null,
      reverse: bi ? new ReverseTime({ name: n.encoderReverse(i) }) : null,
      join: bi ? new Concatenate({ name: n.encoderJoin(i) }) : null,
      stateJoins: bi ? Array.from({ length: stateCount(a.rnn) }, (_, k) => new Concatenate({ name: n.encoderStateJoin(i, k) })) : [],
    });
  }
  const units = decoderUnits(a);
  const att = a.attention === 'none' ? null
    : a.attention === 'luong' ? new Attention({ returnAttentionScores: true, name: n.attention })
      : new AdditiveAttention({ returnAttentionScores: true, name: n.attention });
  return {
    sourceEmbedding: new Embedding({ inputDim: a.sourceVocabSize, outputDim: a.embeddingDim, maskZero: true, name: n.sourceEmbedding }),
    encoders,
    targetEmbedding: new Embedding({ inputDim: a.targetVocabSize, outputDim: a.embeddingDim, name: n.targetEmbedding }),
    decoders: Array.from({ length: a.layers }, (_, i) => recurrent(a.rnn, units, n.decoder(i))),
    attention: att,
    attentionJoin: att ? new Concatenate({ name: n.attentionJoin }) : null,
    attentionCombine: att ? new TimeDistributed({ layer: new Dense({ units, activation: 'tanh' }), name: n.attentionCombine }) : null,
    output: new TimeDistributed({ layer: new Dense({ units: a.targetVocabSize, activation: 'softmax' }), name: n.output }),
  };
}

/** The trained layers of a loaded model, found by name. */
export function findLayers(a: Seq2SeqArchitecture, get: (name: string) => Layer): Seq2SeqLayers {
  const n = layerNames;
  const bi = a.bidirectionalEncoder, att = a.attention !== 'none';
  // Without attention the last encoder's sequence feeds nothing: its reverse and join are not in the saved graph.
  const joined = (i: number) => bi && (att || i < a.layers - 1);
  return {
    sourceEmbedding: get(n.sourceEmbedding) as Embedding,
    encoders: Array.from({ length: a.layers }, (_, i) => ({
      forward: get(n.encoder(i)) as RNN,
      backward: bi ? get(n.encoderBackward(i)) as RNN : null,
      reverse: joined(i) ? get(n.encoderReverse(i)) as ReverseTime : null,
      join: joined(i) ? get(n.encoderJoin(i)) as Concatenate : null,
      stateJoins: bi ? Array.from({ length: stateCount(a.rnn) }, (_, k) => get(n.encoderStateJoin(i, k)) as Concatenate) : [],
    })),
    targetEmbedding: get(n.targetEmbedding) as Embedding,
    decoders: Array.from({ length: a.layers }, (_, i) => get(n.decoder(i)) as RNN),
    attention: att ? get(n.attention) as Attention : null,
    attentionJoin: att ? get(n.attentionJoin) as Concatenate : null,
    attentionCombine: att ? get(n.attentionCombine) as TimeDistributed : null,
    output: get(n.output) as TimeDistributed,
  };
}

/** One field of the architecture as a loaded model's layers have it, with the layer that shows it. */
export interface LayerEvidence { value: string | number | boolean; shownBy: string }

/**
 * The architecture fields a model's own layers fix, read from the layers the encoder and decoder always have,
 * so that a spec disagreeing with model.json is named by field rather than decoding wrongly. A field whose
 * layer is missing is left out (finding the layers then names it).
 */
export function architectureOfLayers(find: (name: string) => Layer | undefined): Partial<Record<keyof Seq2SeqArchitecture, LayerEvidence>> {
  const n = layerNames;
  const out: Partial<Record<keyof Seq2SeqArchitecture, LayerEvidence>> = {};
  const enc = find(n.encoder(0)), emb = find(n.sourceEmbedding), att = find(n.attention);
  if (enc) {
    const kind = enc instanceof LSTM ? 'lstm' : enc instanceof GRU ? 'gru' : enc.className;
    out.rnn = { value: kind, shownBy: `layer '${enc.name}' has class ${enc.className}` };
    if ('units' in enc) out.units = { value: (enc as RNN).units, shownBy: `layer '${enc.name}' has ${(enc as RNN).units} units` };
  }
  if (emb instanceof Embedding) out.embeddingDim = { value: emb.outputDim, shownBy: `layer '${emb.name}' has outputDim ${emb.outputDim}` };
  const back = find(n.encoderBackward(0));
  out.bidirectionalEncoder = { value: back !== undefined, shownBy: back ? `it has a layer '${back.name}'` : `it has no layer '${n.encoderBackward(0)}'` };
  let layers = 0;
  while (find(n.decoder(layers))) layers++;
  if (layers > 0) out.layers = { value: layers, shownBy: `its decoders go up to '${n.decoder(layers - 1)}'` };
  out.attention = !att ? { value: 'none', shownBy: `it has no layer '${n.attention}'` }
    : { value: att instanceof AdditiveAttention ? 'bahdanau' : att instanceof Attention ? 'luong' : att.className, shownBy: `layer '${att.name}' has class ${att.className}` };
  return out;
}

/** Every layer of the set, each wrapper's inner layer aside (a loaded model lists the wrappers only). */
export function allLayers(l: Seq2SeqLayers): Layer[] {
  const enc = l.encoders.flatMap((e) => [e.forward, e.backward, e.reverse, e.join, ...e.stateJoins]);
  return [l.sourceEmbedding, ...enc, l.targetEmbedding, ...l.decoders, l.attention, l.attentionJoin, l.attentionCombine, l.output]
    .filter((x): x is NonNullable<typeof x> => x !== null);
}

/** One layer call: inputs, and a recurrent layer's initial states; returns every output of the call. */
export type LayerCall<T> = (layer: Layer, inputs: T[], states?: T[]) => T[];

export interface Encoded<T> { sequence: T; states: T[][] }

export function encode<T>(l: Seq2SeqLayers, call: LayerCall<T>, sourceIds: T): Encoded<T> {
  let x = call(l.sourceEmbedding, [sourceIds])[0];
  const states: T[][] = [];
  for (const e of l.encoders) {
    const [seq, ...fwd] = call(e.forward, [x]);
    if (!e.backward) {
      x = seq;
      states.push(fwd);
      continue;
    }
    const [bseq, ...bwd] = call(e.backward, [x]);
    // A loaded model has no join where the sequence feeds nothing (the last encoder, without attention).
    x = e.join && e.reverse ? call(e.join, [seq, call(e.reverse, [bseq])[0]])[0] : seq;
    states.push(fwd.map((s, k) => call(e.stateJoins[k], [s, bwd[k]])[0]));
  }
  return { sequence: x, states };
}

export interface Decoded<T> { probs: T; states: T[][]; attention: T | null }

/** Teacher-forced over a whole target (training), or one step of [batch, 1] ids (decoding). */
export function decodeSteps<T>(l: Seq2SeqLayers, call: LayerCall<T>, targetIds: T, states: T[][], encoded: T): Decoded<T> {
  let y = call(l.targetEmbedding, [targetIds])[0];
  const next: T[][] = [];
  l.decoders.forEach((d, i) => {
    const [seq, ...s] = call(d, [y], states[i]);
    y = seq;
    next.push(s);
  });
  let weights: T | null = null;
  if (l.attention) {
    const [context, w] = call(l.attention, [y, encoded]);
    weights = w;
    y = call(l.attentionCombine!, [call(l.attentionJoin!, [context, y])[0]])[0];
  }
  return { probs: call(l.output, [y])[0], states: next, attention: weights };
}
