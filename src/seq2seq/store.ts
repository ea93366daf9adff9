/**
 * A seq2seq model folder: the TensorFlow.js Layers files of the training model plus rnnlab-seq2seq.json, which
 * says how it was built and carries both vocabularies and the length limits, so `rnnlab translate` needs nothing
 * else. The JSON is checked field by field on load, and against the model's layers.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { DataError } from '../data/errors.js';
import { checkSpecHeader } from '../data/spec_header.js';
import { loadLayersModel, ModelFormatError } from '../io/index.js';
import { Functional } from '../models/functional.js';
import { saveModelFolder } from '../tasks/text_output.js';
import { ATTENTION_KINDS, RNN_KINDS, type Seq2SeqArchitecture } from './graph.js';
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

export interface Seq2SeqModel { dir: string; net: Seq2SeqNet; spec: Seq2SeqSpec; source: Vocab; target: Vocab }

export function checkSpec(json: unknown, file: string): Seq2SeqSpec {
  const { j, bad } = checkSpecHeader(json, file, 'rnnlab-seq2seq', 1);
  const a = j.architecture as Record<string, unknown> | undefined;
  if (typeof a !== 'object' || a === null) throw bad('architecture', 'an object', a);
  const posInt = (v: unknown) => Number.isInteger(v) && (v as number) >= 1;
  if (!RNN_KINDS.includes(a.rnn as never)) throw bad('architecture.rnn', RNN_KINDS.join(' or '), a.rnn);
  if (!ATTENTION_KINDS.includes(a.attention as never)) throw bad('architecture.attention', ATTENTION_KINDS.join(', '), a.attention);
  if (typeof a.bidirectionalEncoder !== 'boolean') throw bad('architecture.bidirectionalEncoder', 'true or false', a.bidirectionalEncoder);
  for (const k of ['layers', 'units', 'embeddingDim', 'sourceVocabSize', 'targetVocabSize']) if (!posInt(a[k])) throw bad(`architecture.${k}`, 'a positive integer', a[k]);
  for (const k of ['maxSourceLen', 'maxTargetLen']) if (!posInt(j[k])) throw bad(k, 'a positive integer', j[k]);
  if (j.unknownTargets !== undefined && typeof j.unknownTargets !== 'boolean') throw bad('unknownTargets', 'true or false', j.unknownTargets);
  const source = Vocab.fromJSON(j.source, `${file}: field 'source'`);
  const target = Vocab.fromJSON(j.target, `${file}: field 'target'`);
  if (source.size !== a.sourceVocabSize) throw bad('architecture.sourceVocabSize', `the source vocabulary's size ${source.size}`, a.sourceVocabSize);
  if (target.size !== a.targetVocabSize) throw bad('architecture.targetVocabSize', `the target vocabulary's size ${target.size}`, a.targetVocabSize);
  return json as Seq2SeqSpec;
}

/** A model just trained (trainSeq2Seq's net and spec) as loadSeq2Seq gives one, to translate without saving first. */
export function seq2seqModelOf(net: Seq2SeqNet, spec: Seq2SeqSpec, dir = ''): Seq2SeqModel {
  return { dir, net, spec, source: Vocab.fromJSON(spec.source, 'spec.source'), target: Vocab.fromJSON(spec.target, 'spec.target') };
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
  let net: Seq2SeqNet;
  try { net = netOf(model, spec.architecture); } catch (e) { throw new DataError(`${file}: the architecture does not match model.json (${(e as Error).message})`); }
  const embIn = (l: { inputDim: number }) => l.inputDim;
  if (embIn(net.layers.sourceEmbedding) !== spec.architecture.sourceVocabSize || embIn(net.layers.targetEmbedding) !== spec.architecture.targetVocabSize) {
    throw new DataError(`${file}: the vocabulary sizes do not match the model's embeddings`);
  }
  return { dir, net, spec, source: Vocab.fromJSON(spec.source, file), target: Vocab.fromJSON(spec.target, file) };
}
