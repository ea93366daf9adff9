/**
 * A seq2seq model folder: the TensorFlow.js Layers files of the training model plus rnnlab-seq2seq.json, which
 * says how it was built and carries both vocabularies and the length limits, so `rnnlab translate` needs nothing
 * else. The JSON is checked field by field on load, and against the model's layers.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { DataError } from '../data/errors.js';
import { Dense } from '../layers/dense.js';
import { GRU } from '../layers/gru.js';
import { InputLayer } from '../layers/input_layer.js';
import { LSTM } from '../layers/lstm.js';
import { checkSpecHeader } from '../data/spec_header.js';
import { loadLayersModel, ModelFormatError } from '../io/index.js';
import { Functional } from '../models/functional.js';
import { saveModelFolder } from '../tasks/text_output.js';
import { allLayers, architectureOfLayers, ATTENTION_KINDS, decoderUnits, RNN_KINDS, type Seq2SeqArchitecture } from './graph.js';
import { netOf, type Seq2SeqNet } from './model.js';
import { Vocab } from './vocab.js';

export const SEQ2SEQ_SPEC_FILE = 'rnnlab-seq2seq.json';

export interface Seq2SeqSpec {
  format: 'rnnlab-seq2seq';
  version: 1;
  architecture: Seq2SeqArchitecture;
  /** Each side's vocabulary with its own token kind (`tokens`): decoding reads the source and joins the output by them. */
  source: ReturnType<Vocab['toJSON']>;
  target: ReturnType<Vocab['toJSON']>;
  /** The length limits of training, in tokens: decoding stops one step after maxTargetLen; longer sources still decode. */
  maxSourceLen: number;
  maxTargetLen: number;
  /** The training targets held <unk> (--max-vocab left tokens out): decoding may write it. Absent: false. */
  unknownTargets?: boolean;
  metrics?: Record<string, number | null>;
}

const ARCHITECTURE_KEYS: readonly (keyof Seq2SeqArchitecture)[] = ['rnn', 'bidirectionalEncoder', 'layers', 'units', 'embeddingDim', 'attention', 'sourceVocabSize', 'targetVocabSize'];

export interface Seq2SeqModel { dir: string; net: Seq2SeqNet; spec: Seq2SeqSpec; source: Vocab; target: Vocab }

export function checkSpec(json: unknown, file: string): Seq2SeqSpec {
  const { j, bad } = checkSpecHeader(json, file, 'rnnlab-seq2seq', 1, ['architecture', 'source', 'target', 'maxSourceLen', 'maxTargetLen', 'unknownTargets', 'metrics']);
  const a = j.architecture as Record<string, unknown> | undefined;
  if (typeof a !== 'object' || a === null) throw bad('architecture', 'an object', a);
  const posInt = (v: unknown) => Number.isInteger(v) && (v as number) >= 1;
  const unknown = Object.keys(a).find((k) => !ARCHITECTURE_KEYS.includes(k as never));
  if (unknown !== undefined) throw new DataError(`${file}: field 'architecture.${unknown}' is not a seq2seq architecture field (they are ${ARCHITECTURE_KEYS.join(', ')})`);
  if (!RNN_KINDS.includes(a.rnn as never)) throw bad('architecture.rnn', RNN_KINDS.join(' or '), a.rnn);
  if (!ATTENTION_KINDS.includes(a.attention as never)) throw bad('architecture.attention', ATTENTION_KINDS.join(', '), a.attention);
  if (typeof a.bidirectionalEncoder !== 'boolean') throw bad('architecture.bidirectionalEncoder', 'true or false', a.bidirectionalEncoder);
  for (const k of ['layers', 'units', 'embeddingDim', 'sourceVocabSize', 'targetVocabSize']) if (!posInt(a[k])) throw bad(`architecture.${k}`, 'a positive integer', a[k]);
  for (const k of ['maxSourceLen', 'maxTargetLen']) if (!posInt(j[k])) throw bad(k, 'a positive integer', j[k]);
  if (j.unknownTargets !== undefined && typeof j.unknownTargets !== 'boolean') throw bad('unknownTargets', 'true or false', j.unknownTargets);
  if (j.metrics !== undefined && (typeof j.metrics !== 'object' || j.metrics === null || Array.isArray(j.metrics))) throw bad('metrics', 'an object', j.metrics);
  const source = Vocab.fromJSON(j.source, file, 'source');
  const target = Vocab.fromJSON(j.target, file, 'target');
  if (source.size !== a.sourceVocabSize) throw bad('architecture.sourceVocabSize', `the source vocabulary's size ${source.size}`, a.sourceVocabSize);
  if (target.size !== a.targetVocabSize) throw bad('architecture.targetVocabSize', `the target vocabulary's size ${target.size}`, a.targetVocabSize);
  return json as Seq2SeqSpec;
}

/** A model just trained (trainSeq2Seq's net and spec) as loadSeq2Seq gives one, to translate without saving first. */
export function seq2seqModelOf(net: Seq2SeqNet, spec: Seq2SeqSpec, dir = ''): Seq2SeqModel {
  return { dir, net, spec, source: Vocab.fromJSON(spec.source, 'spec', 'source'), target: Vocab.fromJSON(spec.target, 'spec', 'target') };
}

export async function saveSeq2Seq(dir: string, net: Seq2SeqNet, spec: Seq2SeqSpec): Promise<void> {
  await saveModelFolder(dir, net.model, { [SEQ2SEQ_SPEC_FILE]: JSON.stringify(spec, null, 1) + '\n' });
}

/** The folder holding the spec: dir itself, or dir/model (a run folder). */
export function findSeq2SeqDir(dir: string): string | null {
  // A path to one of the model's own files names its folder, as predict and export take a model.json.
  const base = path.basename(dir);
  if ((base === 'model.json' || base === SEQ2SEQ_SPEC_FILE) && isFile(dir)) dir = path.dirname(dir);
  for (const d of [dir, path.join(dir, 'model')]) if (existsSync(path.join(d, SEQ2SEQ_SPEC_FILE))) return d;
  return null;
}

function isFile(p: string): boolean {
  try { return statSync(p).isFile(); } catch { return false; }
}

/**
 * The model's layers from model.json and its weights; a missing or damaged file is a DataError naming it as the
 * folder was given (the loader's own message names the absolute path and the function), so the CLI says --model.
 */
async function layersOf(dir: string): Promise<Awaited<ReturnType<typeof loadLayersModel>>> {
  const json = path.join(dir, 'model.json');
  if (!isFile(json)) throw new DataError(`${dir}: no model.json (the model's layers) beside ${SEQ2SEQ_SPEC_FILE}; the folder is incomplete: save or train the model again`);
  try {
    return await loadLayersModel(dir);
  } catch (e) {
    if (!(e instanceof ModelFormatError)) throw e;
    throw new DataError(e.message.replace(/^loadModel: /, '').split(path.resolve(dir)).join(dir));
  }
}

export async function loadSeq2Seq(dirOrRun: string): Promise<Seq2SeqModel> {
  const dir = findSeq2SeqDir(dirOrRun);
  if (!dir) throw new DataError(`${dirOrRun}: no ${SEQ2SEQ_SPEC_FILE} here nor in ${path.join(dirOrRun, 'model')}; train a model with rnnlab seq2seq`);
  const file = path.join(dir, SEQ2SEQ_SPEC_FILE);
  let json: unknown;
  try { json = JSON.parse(readFileSync(file, 'utf8')); } catch (e) { throw new DataError(`${file}: not valid JSON (${(e as Error).message})`); }
  const spec = checkSpec(json, file);
  const model = await layersOf(dir);
  if (!(model instanceof Functional)) throw new DataError(`${dir}: model.json holds a ${model.className} model, not the functional seq2seq model`);
  const a = spec.architecture;
  // Layers are found by the spec's names, so a spec naming fewer of them, or other widths, would decode wrongly.
  const shown = architectureOfLayers((name) => model.layers.find((l) => l.name === name));
  for (const [k, e] of Object.entries(shown)) {
    const given = a[k as keyof Seq2SeqArchitecture];
    if (e.value !== given) throw new DataError(`${file}: field 'architecture.${k}' is ${JSON.stringify(given)}, but model.json has ${JSON.stringify(e.value)} (${e.shownBy})`);
  }
  let net: Seq2SeqNet;
  try { net = netOf(model, a); } catch (e) { throw new DataError(`${file}: the architecture does not match model.json (${(e as Error).message})`); }
  checkLayerWidths(net, a, file);
  return { dir, net, spec, source: Vocab.fromJSON(spec.source, file, 'source'), target: Vocab.fromJSON(spec.target, file, 'target') };
}

/** Each found layer has the spec's kind and width, and model.json holds no layer the architecture has no place for. */
function checkLayerWidths(net: Seq2SeqNet, a: Seq2SeqArchitecture, file: string): void {
  const l = net.layers;
  const mismatch = (layer: { name: string }, what: string, want: string) => new DataError(`${file}: model.json's layer '${layer.name}' has ${what}, but the architecture gives ${want}`);
  const Rnn = a.rnn === 'lstm' ? LSTM : GRU;
  const rnns = [...l.encoders.flatMap((e) => [e.forward, e.backward]).map((r) => [r, a.units] as const), ...l.decoders.map((r) => [r, decoderUnits(a)] as const)];
  for (const [r, units] of rnns) {
    if (r === null) continue;
    if (!(r instanceof Rnn)) throw mismatch(r, `class ${r.className}`, `rnn "${a.rnn}"`);
    if (r.units !== units) throw mismatch(r, `${r.units} units`, `${units} (units ${a.units}${a.bidirectionalEncoder ? ', doubled for the decoder of a bidirectional encoder' : ''})`);
  }
  if (l.sourceEmbedding.inputDim !== a.sourceVocabSize) throw mismatch(l.sourceEmbedding, `inputDim ${l.sourceEmbedding.inputDim}`, `sourceVocabSize ${a.sourceVocabSize}`);
  if (l.targetEmbedding.inputDim !== a.targetVocabSize) throw mismatch(l.targetEmbedding, `inputDim ${l.targetEmbedding.inputDim}`, `targetVocabSize ${a.targetVocabSize}`);
  if (l.targetEmbedding.outputDim !== a.embeddingDim) throw mismatch(l.targetEmbedding, `outputDim ${l.targetEmbedding.outputDim}`, `embeddingDim ${a.embeddingDim}`);
  const out = l.output.layer;
  if (!(out instanceof Dense) || out.units !== a.targetVocabSize) throw mismatch(l.output, `${out instanceof Dense ? `${out.units} units` : `class ${out.className}`} inside`, `a Dense of targetVocabSize ${a.targetVocabSize} units`);
  const used = new Set<unknown>(allLayers(l));
  const extra = net.model.layers.find((x) => !used.has(x) && !(x instanceof InputLayer));
  if (extra) throw new DataError(`${file}: model.json has layer '${extra.name}' (${extra.className}), which the architecture has no place for`);
}
