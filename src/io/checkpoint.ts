/**
 * Training checkpoints: everything needed to continue a run exactly where it stopped.
 *
 * A checkpoint is a folder:
 *   model.json              the model in TensorFlow.js Layers format (so `loadModel(DIR)` and `rnnlab predict` read it)
 *   weights-<gen>.bin       its weights (float32)
 *   optimizer-<gen>.bin     the optimizer's slot arrays (float32), in the order of the trainable weights
 *   checkpoint.json         the commit point: epoch, mid-epoch position, history, RNG state, optimizer iterations,
 *                           the model's architecture signature, and the size and SHA-256 of each binary file
 * Every file is written to a temp file, fsync'ed and renamed (see atomic.ts); checkpoint.json goes last and names
 * the generation it belongs to, and older generations are removed only after it is in place. A crash at any moment
 * leaves the previous checkpoint intact; a damaged file is caught by its checksum. A write that fails (a full disk)
 * removes what it had put in place, so each retry does not take more of the disk, and says which folder and why.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { firstShape } from '../layers/layer.js';
import type { EpochProgress, MeterSums } from '../models/trainable.js';
import type { TrainableModel } from '../models/trainable.js';
import { globalRandom } from '../random.js';
import type { Variable } from '../variable.js';
import { fsyncDir, sweepTempFiles, writeFileAtomic } from './atomic.js';
import { CheckpointError } from './errors.js';
import { folderWriteWords } from '../local_files.js';
import { layerToKeras } from './keras_config.js';
import { modelToArtifacts, namedWeights, optimizerToKeras, RNNLAB_VERSION } from './model_json.js';
import { encodeWeights, sizeOfShape } from './weights.js';
import { readJSONFile } from './files.js';
import { checkOptionKeys } from '../near_name.js';
import { describe } from '../describe.js';
import { BEYOND_FLOAT32, float32Holds } from '../optimizers/float32.js';
import { layerOrderWeights } from '../models/model_common.js';

const CHECKPOINT_FORMAT = 'rnnlab-checkpoint';
const CHECKPOINT_VERSION = 1;
const CHECKPOINT_FILE = 'checkpoint.json';

export interface HistoryData { epoch: number[]; history: Record<string, number[]> }

/** The training state a checkpoint carries besides weights and optimizer slots. */
export interface TrainingState {
  /** Epochs completed: the index of the epoch to run next (when progress is null). */
  nextEpoch: number;
  /** Set when the checkpoint was taken inside an epoch (after a Ctrl-C): where that epoch stands. */
  progress: EpochProgress | null;
  history: HistoryData;
  /** globalRandom's state at the moment of the checkpoint. */
  rng: number[];
  /** fit's samples and batch size, checked when continuing mid-epoch. */
  samples: number;
  batchSize: number;
  /** Small extra JSON a callback wants back (e.g. ModelCheckpoint's best value). */
  extra?: Record<string, unknown>;
}

interface FileRef { path: string; bytes: number; sha256: string }

/** rl.writeCheckpoint is public: a state built by hand is checked, naming the field, before anything is written. */
function checkTrainingState(state: unknown): void {
  if (typeof state !== 'object' || state === null) {
    throw new CheckpointError('writeCheckpoint: state must be an object {nextEpoch, progress, history, rng, samples, batchSize}');
  }
  const s = state as Record<string, unknown>;
  const bad = (field: string, want: string) => new CheckpointError(`writeCheckpoint: state.${field} must be ${want}, got ${JSON.stringify(s[field]) ?? 'undefined'}`);
  for (const k of ['nextEpoch', 'samples', 'batchSize']) {
    if (!(Number.isSafeInteger(s[k]) && (s[k] as number) >= 0)) throw bad(k, 'an integer >= 0');
  }
  if (typeof s.progress !== 'object') throw bad('progress', 'null or an epoch position');
  const h = s.history as { epoch?: unknown; history?: unknown } | null | undefined;
  if (typeof h !== 'object' || h === null || !Array.isArray(h.epoch) || typeof h.history !== 'object' || h.history === null) {
    throw bad('history', 'a History\'s {epoch: [...], history: {...}}');
  }
  if (!Array.isArray(s.rng) || s.rng.length !== 5) throw bad('rng', 'the random generator\'s state (five numbers)');
  if (s.extra !== undefined && (typeof s.extra !== 'object' || s.extra === null || Array.isArray(s.extra))) throw bad('extra', 'an object');
  if (s.extra !== undefined) checkExtraJSON(s.extra, 'writeCheckpoint');
}

/**
 * state.extra is the caller's own JSON, written with JSON.stringify, which turns NaN and the infinities into null,
 * drops undefined, functions and symbols (null in a list), turns a Map or a class instance into {} and throws on
 * a BigInt or a cycle: each such value would come back as something else after a resume, so it is refused, naming
 * where it is, before anything is written.
 */
function checkExtraJSON(extra: unknown, who: string): void {
  const problem = extraProblem(extra, 'state.extra', []);
  if (problem) throw new CheckpointError(`${who}: ${problem}; nothing was written`);
}

function extraProblem(v: unknown, path: string, enclosing: { value: object; path: string }[]): string | null {
  const cannot = (what: string, advice: string) => `${path} is ${what}, which JSON cannot hold; ${advice}`;
  switch (typeof v) {
    case 'string': case 'boolean': return null;
    case 'number':
      return Number.isFinite(v) ? null : cannot(String(v), "give a finite number, or a string such as 'nan', 'inf' or '-inf'");
    case 'bigint': return cannot(`the BigInt ${v}n`, 'give a number or a string');
    case 'undefined': return cannot('undefined', 'give null, or leave the key out');
    case 'function': case 'symbol': return cannot(`a ${typeof v}`, 'state.extra holds JSON data: numbers, strings, booleans, null, lists and plain objects');
  }
  if (v === null) return null;
  const o = v as object;
  const cycle = enclosing.find((e) => e.value === o);
  if (cycle) return `${path} refers back to ${cycle.path}, a cycle, which JSON cannot hold; state.extra must be a tree`;
  const inside = [...enclosing, { value: o, path }];
  if (Array.isArray(o)) {
    // Indexed, not iterated with forEach: a hole is written as null, so it is refused as undefined.
    for (let i = 0; i < o.length; i++) {
      const p = extraProblem(o[i], `${path}[${i}]`, inside);
      if (p) return p;
    }
    return null;
  }
  const proto = Object.getPrototypeOf(o) as object | null;
  if (proto !== Object.prototype && proto !== null) {
    const kind = (proto as { constructor?: { name?: unknown } }).constructor?.name;
    return cannot(`a ${typeof kind === 'string' && kind ? kind : 'class instance'}`, 'give a plain object or a list (a Map, a Date or a typed array is written as something else)');
  }
  if (Object.getOwnPropertySymbols(o).length) return `${path} has a symbol key, which JSON cannot hold; give string keys`;
  for (const [k, x] of Object.entries(o)) {
    const p = extraProblem(x, /^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`, inside);
    if (p) return p;
  }
  return null;
}

/** What a checkpoint holds besides the training state: the same in checkpoint.json and once read back. */
export interface CheckpointContents {
  generation: number;
  signature: string;
  architecture: unknown[];
  weights: { name: string; shape: number[] }[];
  files: { weights: FileRef; optimizer: FileRef | null };
  optimizer: { className: string; config: Record<string, unknown>; iterations: number; slots: { name: string; count: number; size: number }[] } | null;
}

interface CheckpointJSON extends CheckpointContents {
  format: string;
  version: number;
  generatedBy: string;
  savedAt: string;
  /** The training state in JSON-safe form (NaN as null, infinities as 'inf' and '-inf', the epoch order in base64). */
  state: Omit<TrainingState, 'progress' | 'rng' | 'history'> & {
    progress: (Omit<EpochProgress, 'order'> & { order: string | null }) | null;
    rng: (number | null)[];
    history: { epoch: number[]; history: Record<string, JSONNumber[]> };
  };
}

// ------------------------------------------------------------------------------------ architecture signature

function stripNames(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripNames);
  if (typeof v === 'object' && v !== null) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (k !== 'name') o[k] = stripNames(x);
    return o;
  }
  return v;
}

/** The model's layers as Keras configs without names (names differ between runs in one process), plus weight shapes. */
function architectureOf(model: TrainableModel): unknown[] {
  return model.layers.map((l, i) => ({
    ...(stripNames(layerToKeras(l, i === 0 ? firstShape(model.inputShape) : null)) as object),
    weights: l.weights.map((w) => w.shape),
  }));
}

function signatureOf(arch: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(arch)).digest('hex');
}

function describeLayer(a: unknown): string {
  const o = a as { class_name?: string; config?: Record<string, unknown> };
  const c = o.config ?? {};
  const keys = ['units', 'filters', 'input_dim', 'output_dim', 'kernel_size', 'rate', 'n', 'activation', 'return_sequences'];
  const parts = keys.filter((k) => c[k] !== undefined).map((k) => `${k}=${JSON.stringify(c[k])}`);
  return `${o.class_name ?? '?'}(${parts.join(', ')})`;
}

function firstDifference(saved: unknown[], current: unknown[]): string {
  if (saved.length !== current.length) return `the checkpoint's model has ${saved.length} layers, this one has ${current.length}`;
  for (let i = 0; i < saved.length; i++) {
    if (JSON.stringify(saved[i]) !== JSON.stringify(current[i])) {
      const a = saved[i] as { config?: Record<string, unknown>; weights?: unknown };
      const b = current[i] as { config?: Record<string, unknown>; weights?: unknown };
      const keys = new Set([...Object.keys(a.config ?? {}), ...Object.keys(b.config ?? {})]);
      const diffs = [...keys].filter((k) => JSON.stringify(a.config?.[k]) !== JSON.stringify(b.config?.[k]))
        .map((k) => `${k}: ${JSON.stringify(a.config?.[k])} there, ${JSON.stringify(b.config?.[k])} here`);
      if (!diffs.length && JSON.stringify(a.weights) !== JSON.stringify(b.weights)) diffs.push(`weight shapes ${JSON.stringify(a.weights)} there, ${JSON.stringify(b.weights)} here`);
      return `layer ${i} is ${describeLayer(saved[i])} in the checkpoint but ${describeLayer(current[i])} here (${diffs.slice(0, 3).join('; ')})`;
    }
  }
  return 'their signatures differ';
}

// ------------------------------------------------------------------------------------ writing

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

function toB64(a: Int32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/**
 * A value of the History or the epoch's running sums as checkpoint.json holds it. JSON has no NaN or infinities: NaN
 * is null (what every checkpoint.json has held for it, so older files read as they did), and an infinity the
 * string 'inf' or '-inf' (the words modelCheckpoint's kept best uses), so an overflowed loss comes back infinite
 * rather than NaN, and callbacks comparing with it after a resume act as they would have in the uninterrupted run.
 */
type JSONNumber = number | null | 'inf' | '-inf';

function jsonNumber(v: number): JSONNumber {
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? null : v > 0 ? 'inf' : '-inf';
}

/**
 * checkpoint.json's text: JSON.stringify(ck, null, 1), except that -0 is written as -0, which JSON.parse reads back
 * as -0 (JSON.stringify writes 0): a caller's state.extra, a History value, comes back as it was given.
 */
function checkpointText(ck: CheckpointJSON): string {
  return `${jsonText(ck, '')}\n`;
}

function jsonText(value: unknown, indent: string): string {
  const toJSON = (value as { toJSON?: unknown } | null)?.toJSON;
  const v = typeof toJSON === 'function' ? (toJSON as () => unknown).call(value) : value;
  if (Object.is(v, -0)) return '-0';
  if (typeof v !== 'object' || v === null) return JSON.stringify(v);
  const inner = `${indent} `;
  // As JSON.stringify: an undefined, function or symbol value is null in a list and left out of an object.
  const dropped = (x: unknown) => x === undefined || typeof x === 'function' || typeof x === 'symbol';
  if (Array.isArray(v)) {
    return v.length ? `[\n${v.map((x) => inner + (dropped(x) ? 'null' : jsonText(x, inner))).join(',\n')}\n${indent}]` : '[]';
  }
  const entries = Object.entries(v).filter(([, x]) => !dropped(x));
  return entries.length ? `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${jsonText(x, inner)}`).join(',\n')}\n${indent}}` : '{}';
}

/** The generation checkpoint.json commits, or 0 when there is none (or it is damaged). */
function committedGeneration(dir: string): number {
  try {
    const j = JSON.parse(readFileSync(join(dir, CHECKPOINT_FILE), 'utf8')) as { generation?: unknown };
    if (typeof j.generation === 'number' && Number.isSafeInteger(j.generation)) return j.generation;
  } catch { /* none or damaged */ }
  return 0;
}

function currentGeneration(dir: string): number {
  let g = committedGeneration(dir);
  try {
    for (const n of readdirSync(dir)) {
      const m = /^(?:weights|optimizer)-(\d+)\.bin$/.exec(n);
      if (m) g = Math.max(g, Number(m[1]));
    }
  } catch { /* no folder yet */ }
  return g;
}

/** A History as checkpoint.json holds it: NaN as null, infinities as 'inf' and '-inf' (jsonNumber). */
function historyJSON(h: HistoryData): CheckpointJSON['state']['history'] {
  return { epoch: [...h.epoch], history: Object.fromEntries(Object.entries(h.history).map(([k, v]) => [k, v.map(jsonNumber)])) };
}

/**
 * Brings dir's checkpoint, written at the epoch's end, up to the epoch's settled state: the History (keys callbacks
 * listed after the checkpointing one added) and the optimizer's fixed learning rate (one such callback changed);
 * the rest is kept. checkpoint.json is replaced atomically.
 */
export function settleCheckpoint(dir: string, history: HistoryData, learningRate: number | undefined): void {
  rewriteCheckpointJSON(dir, (ck) => {
    ck.state.history = historyJSON(history);
    if (learningRate !== undefined && ck.optimizer && typeof ck.optimizer.config.learning_rate === 'number') ck.optimizer.config.learning_rate = learningRate;
  });
}

/**
 * Replaces state.extra of dir's checkpoint, written in this epoch's onEpochEnd, keeping the rest: backupAndRestore's
 * record of the bests modelCheckpoints listed after it saved once it had written the epoch.
 */
export function replaceCheckpointExtra(dir: string, extra: Record<string, unknown> | undefined): void {
  if (extra) checkExtraJSON(extra, 'replaceCheckpointExtra');
  rewriteCheckpointJSON(dir, (ck) => {
    if (extra) ck.state.extra = extra;
    else delete ck.state.extra;
  });
}

function rewriteCheckpointJSON(dir: string, change: (ck: CheckpointJSON) => void): void {
  dir = resolve(dir);
  // The checkpoint.json writeCheckpoint wrote in this epoch's onEpochEnd: read as it is, not checked a second time.
  const path = join(dir, CHECKPOINT_FILE);
  const ck = JSON.parse(readFileSync(path, 'utf8')) as CheckpointJSON;
  change(ck);
  try {
    writeFileAtomic(path, checkpointText(ck));
  } catch (e) {
    throw inWords(e, dir);
  }
  fsyncDir(dir);
}

/**
 * A system's failure to write dir (ENOSPC, EACCES...) in words, naming the folder and the checkpoint still there, as
 * the run folder's writer words its own. Node's ERR_* codes (bugs) and errors without a code pass through unchanged.
 */
function inWords(e: unknown, dir: string): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === undefined || code.startsWith('ERR_')) return e;
  const why = folderWriteWords(e);
  const kept = committedGeneration(dir);
  const what = kept ? `the last good checkpoint (generation ${kept}) was kept` : 'it held no earlier checkpoint to keep';
  return new Error(`cannot write the checkpoint folder ${dir}: ${why}; ${what}`, { cause: e });
}

/**
 * After a failed write of generation `gen`: removes the files it had put in place (none of them is committed: checkpoint.json
 * still names the previous generation) and puts the previous model.json back, which names that generation's weights
 * (so loadModel(dir) keeps working). Best effort: the error that got here is the one to report.
 */
function undoUncommitted(dir: string, placed: string[], previousModelJson: string | null): void {
  // model.json first: while it names this generation's weights they stay, so loadModel(dir) never meets a missing file.
  let restored = !placed.includes('model.json');
  if (!restored) {
    try {
      if (previousModelJson !== null) writeFileAtomic(join(dir, 'model.json'), previousModelJson);
      else unlinkSync(join(dir, 'model.json'));
      restored = true;
    } catch { /* the model.json written stays, and with it the weights it names (the next good write removes them) */ }
  }
  for (const n of placed) {
    if (n === 'model.json' || (!restored && n.startsWith('weights-'))) continue;
    try { unlinkSync(join(dir, n)); } catch { /* gone */ }
  }
  fsyncDir(dir);
}

/** Writes a checkpoint of model (weights, optimizer state) and state into dir. */
export function writeCheckpoint(dir: string, model: TrainableModel, state: TrainingState): void {
  checkTrainingState(state);
  dir = resolve(dir);
  if (!model.built) throw new CheckpointError(`${model.name}: cannot checkpoint a model that is not built`);
  const gen = currentGeneration(dir) + 1;
  const tag = String(gen).padStart(6, '0');
  const weightsName = `weights-${tag}.bin`, optName = `optimizer-${tag}.bin`;

  const { json: modelJson, files } = modelToArtifacts(model, { weightsFileName: weightsName });
  const weightBytes = files[0].data;

  let optimizer: CheckpointContents['optimizer'] = null;
  let optRef: FileRef | null = null;
  let optBytes: Uint8Array | null = null;
  if (model.optimizer) {
    const names = new Map<Variable, string>();
    const all = layerOrderWeights(model.layers);
    namedWeights(model).forEach((w, i) => names.set(all[i], w.name));
    const vars = model.trainableWeights;
    const slots = model.optimizer.getSlots(vars);
    const flat: { name: string; shape: number[]; data: ArrayLike<number> }[] = [];
    const meta = vars.map((v, i) => {
      slots[i].forEach((s, k) => flat.push({ name: `${names.get(v)}/slot${k}`, shape: [s.length], data: s }));
      return { name: names.get(v) ?? v.name, count: slots[i].length, size: v.size };
    });
    optBytes = encodeWeights(flat).data;
    optRef = { path: optName, bytes: optBytes.length, sha256: sha256(optBytes) };
    const { class_name, config } = optimizerToKeras(model.optimizer);
    optimizer = { className: class_name, config, iterations: model.optimizer.iterations, slots: meta };
  }

  const arch = architectureOf(model);
  const p = state.progress;
  const ck: CheckpointJSON = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    generatedBy: `rnnlab ${RNNLAB_VERSION}`,
    generation: gen,
    savedAt: new Date().toISOString(),
    signature: signatureOf(arch),
    architecture: arch,
    weights: modelJson.weightsManifest[0].weights.map((w) => ({ name: w.name, shape: w.shape })),
    files: { weights: { path: weightsName, bytes: weightBytes.length, sha256: sha256(weightBytes) }, optimizer: optRef },
    optimizer,
    state: {
      nextEpoch: state.nextEpoch,
      progress: p ? { epoch: p.epoch, batch: p.batch, order: p.order ? toB64(p.order) : null, lossSum: p.lossSum, seen: p.seen, correct: p.correct, total: p.total,
        // Non-finite sums as the History's values (jsonNumber), as lossSum: an infinite sum stays infinite.
        ...(p.meters ? { meters: { lossSums: p.meters.lossSums.map(jsonNumber), lossSeen: p.meters.lossSeen, metrics: p.meters.metrics.map((m) => m && m.map((a) => a.map(jsonNumber))) } as unknown as MeterSums } : {}) } : null,
      history: historyJSON(state.history),
      rng: state.rng.map(finiteOrNull),
      samples: state.samples,
      batchSize: state.batchSize,
      ...(state.extra ? { extra: state.extra } : {}),
    },
  };
  if (p && !Number.isFinite(p.lossSum)) ck.state.progress!.lossSum = jsonNumber(p.lossSum) as unknown as number;

  let previousModelJson: string | null = null;
  try { previousModelJson = readFileSync(join(dir, 'model.json'), 'utf8'); } catch { /* the first checkpoint */ }
  const placed: string[] = [];
  const put = (name: string, data: string | Uint8Array) => { writeFileAtomic(join(dir, name), data); placed.push(name); };
  try {
    put(weightsName, weightBytes);
    if (optBytes) put(optName, optBytes);
    put('model.json', `${JSON.stringify(modelJson, null, 1)}\n`);
    // The commit: its rename is the last step that can throw, so a throw means it did not happen.
    writeFileAtomic(join(dir, CHECKPOINT_FILE), checkpointText(ck));
  } catch (e) {
    undoUncommitted(dir, placed, previousModelJson);
    throw inWords(e, dir);
  }
  // The new generation is committed; drop the old ones and anything a crashed writer left behind.
  for (const n of readdirSync(dir)) {
    const m = /^(?:weights|optimizer)-(\d+)\.bin$/.exec(n);
    if (m && Number(m[1]) !== gen) { try { unlinkSync(join(dir, n)); } catch { /* gone */ } }
  }
  sweepTempFiles(dir);
  fsyncDir(dir);
}

/** Removes a checkpoint's own files (and the folder, if nothing else is left in it); other files stay. */
export function deleteCheckpoint(dir: string): void {
  dir = resolve(dir);
  let names: string[];
  try { names = readdirSync(dir); } catch { return; }
  for (const n of names) {
    if (n === CHECKPOINT_FILE || n === 'model.json' || /^(?:weights|optimizer)-\d+\.bin$/.test(n)) {
      try { unlinkSync(join(dir, n)); } catch { /* gone */ }
    }
  }
  sweepTempFiles(dir);
  try { rmdirSync(dir); } catch { /* not empty: it holds files that are not ours */ }
}

// ------------------------------------------------------------------------------------ reading

export function hasCheckpoint(dir: string): boolean {
  return existsSync(join(resolve(dir), CHECKPOINT_FILE));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** state.progress.meters: each output's loss sum, the samples they cover, each output's metric sums (null: none). */
function meterSums(v: CheckpointFields, raw: unknown): MeterSums {
  const o = v.obj(raw, 'state.progress.meters');
  const list = (x: unknown, what: string): unknown[] => { if (!Array.isArray(x)) throw v.fail(`${what} must be a list`); return x; };
  return {
    lossSums: list(o.lossSums, 'state.progress.meters.lossSums').map((x, i) => v.num(x, `state.progress.meters.lossSums[${i}]`)),
    lossSeen: v.int(o.lossSeen, 'state.progress.meters.lossSeen'),
    metrics: list(o.metrics, 'state.progress.meters.metrics').map((m, i) => m === null ? null
      : list(m, `state.progress.meters.metrics[${i}]`).map((a, j) => list(a, `state.progress.meters.metrics[${i}][${j}]`).map((x, k) => v.num(x, `state.progress.meters.metrics[${i}][${j}][${k}]`)))),
  };
}

/** Typed reads of checkpoint.json fields; every failure names the file and the field. */
class CheckpointFields {
  constructor(readonly where: string) {}
  fail(m: string): CheckpointError { return new CheckpointError(`${this.where}: ${m}`); }
  obj(v: unknown, what: string): Record<string, unknown> { if (!isObject(v)) throw this.fail(`${what} must be an object`); return v; }
  int(v: unknown, what: string, min = 0): number {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw this.fail(`${what} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
    return v;
  }
  /** A jsonNumber read back: null is NaN, 'inf' and '-inf' the infinities. */
  num(v: unknown, what: string): number {
    if (v === null) return NaN;
    if (v === 'inf') return Infinity;
    if (v === '-inf') return -Infinity;
    if (typeof v !== 'number') throw this.fail(`${what} must be a number (null for NaN, 'inf' or '-inf' for an infinity), got ${JSON.stringify(v)}`);
    return v;
  }
  str(v: unknown, what: string): string { if (typeof v !== 'string') throw this.fail(`${what} must be a string`); return v; }
  file(v: unknown, what: string): FileRef {
    const o = this.obj(v, what);
    const path = this.str(o.path, `${what}.path`);
    if (!/^(weights|optimizer)-\d+\.bin$/.test(path)) throw this.fail(`${what}.path '${path}' is not a checkpoint file name`);
    const sha = this.str(o.sha256, `${what}.sha256`);
    if (!/^[0-9a-f]{64}$/.test(sha)) throw this.fail(`${what}.sha256 is not a SHA-256 digest`);
    return { path, bytes: this.int(o.bytes, `${what}.bytes`), sha256: sha };
  }
  shape(v: unknown, what: string): number[] {
    if (!Array.isArray(v) || !v.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) throw this.fail(`${what} must be a list of non-negative integers`);
    return v as number[];
  }
}

export interface CheckpointData extends CheckpointContents {
  dir: string;
  state: TrainingState;
}

/**
 * A resumed History continues this one, so it must be fit's: one entry per epoch trained, the run's last ones up to
 * nextEpoch (a run started at initialEpoch records only its own), and no key with more values than epochs (fewer is
 * fit's for an epoch that logged no value, as val_ keys with validationFreq; loss is logged every epoch).
 */
function checkHistoryEpochs(v: CheckpointFields, epochs: number[], history: Record<string, number[]>, nextEpoch: number): void {
  const n = epochs.length;
  const first = nextEpoch - n;
  if (first < 0 || epochs.some((e, i) => e !== first + i)) {
    const got = n > 6 ? `[${epochs.slice(0, 3).join(', ')}, ..., ${epochs.slice(-2).join(', ')}] (${n} epochs)` : JSON.stringify(epochs);
    throw v.fail(`state.history.epoch ${got} must be the epochs trained before state.nextEpoch ${nextEpoch}: consecutive, ending at epoch ${nextEpoch - 1}`);
  }
  for (const [k, list] of Object.entries(history)) {
    if (list.length > n) throw v.fail(`state.history.history.${k} holds ${list.length} values for the ${n} epochs of state.history.epoch`);
    if (k === 'loss' && list.length !== n) throw v.fail(`state.history.history.loss holds ${list.length} values for the ${n} epochs of state.history.epoch (the loss is logged every epoch)`);
  }
}

/** Reads and checks checkpoint.json (not the binary files). */
export function readCheckpointInfo(dir: string): CheckpointData {
  dir = resolve(dir);
  const path = join(dir, CHECKPOINT_FILE);
  if (!existsSync(dir)) throw new CheckpointError(`no checkpoint: the folder ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw new CheckpointError(`no checkpoint: ${dir} is not a folder`);
  if (!existsSync(path)) throw new CheckpointError(`no checkpoint in ${dir} (${CHECKPOINT_FILE} is missing)`);
  const raw = readJSONFile(path, 'checkpoint', CheckpointError);
  const v = new CheckpointFields(path);
  const j = v.obj(raw, 'the checkpoint');
  const show = (x: unknown) => (x === undefined ? 'missing' : JSON.stringify(x));
  if (j.format !== CHECKPOINT_FORMAT) throw v.fail(`not an rnnlab checkpoint (format ${show(j.format)})`);
  if (j.version !== CHECKPOINT_VERSION) throw v.fail(`checkpoint version ${show(j.version)} is not supported (this rnnlab reads version ${CHECKPOINT_VERSION})`);
  const generation = v.int(j.generation, 'generation', 1);
  const signature = v.str(j.signature, 'signature');
  if (!Array.isArray(j.architecture)) throw v.fail('architecture must be a list');
  if (!Array.isArray(j.weights)) throw v.fail('weights must be a list');
  const weights = j.weights.map((w, i) => {
    const o = v.obj(w, `weights[${i}]`);
    return { name: v.str(o.name, `weights[${i}].name`), shape: v.shape(o.shape, `weights[${i}].shape`) };
  });
  const files = v.obj(j.files, 'files');
  const wRef = v.file(files.weights, 'files.weights');
  const oRef = files.optimizer === null || files.optimizer === undefined ? null : v.file(files.optimizer, 'files.optimizer');
  let optimizer: CheckpointContents['optimizer'] = null;
  if (j.optimizer !== null && j.optimizer !== undefined) {
    const o = v.obj(j.optimizer, 'optimizer');
    if (!Array.isArray(o.slots)) throw v.fail('optimizer.slots must be a list');
    optimizer = {
      className: v.str(o.className, 'optimizer.className'),
      config: v.obj(o.config, 'optimizer.config'),
      iterations: v.int(o.iterations, 'optimizer.iterations'),
      slots: o.slots.map((s, i) => {
        const so = v.obj(s, `optimizer.slots[${i}]`);
        return { name: v.str(so.name, `optimizer.slots[${i}].name`), count: v.int(so.count, `optimizer.slots[${i}].count`), size: v.int(so.size, `optimizer.slots[${i}].size`) };
      }),
    };
    if (!oRef) throw v.fail('the optimizer state has no file');
    const lr = optimizer.config.learning_rate;
    if (typeof lr === 'number' && !(Number.isFinite(lr) && lr >= 0)) throw v.fail(`optimizer.config.learning_rate must be a finite number >= 0, got ${JSON.stringify(lr)}`);
    // Checked here, before anything is applied: the optimizer's setter refuses it only after the weights are restored.
    if (typeof lr === 'number' && !float32Holds(lr)) throw v.fail(`optimizer.config.learning_rate is ${lr}, ${BEYOND_FLOAT32}, in which the optimizer holds its rate`);
  }
  const s = v.obj(j.state, 'state');
  const samples = v.int(s.samples, 'state.samples');
  const batchSize = v.int(s.batchSize, 'state.batchSize', 1);
  const nextEpoch = v.int(s.nextEpoch, 'state.nextEpoch');
  if (!Array.isArray(s.rng) || s.rng.length !== 5 || !s.rng.slice(0, 4).every((x) => Number.isSafeInteger(x) && (x as number) >= 0 && (x as number) < 2 ** 32)
    || !(s.rng[4] === null || typeof s.rng[4] === 'number')) {
    throw v.fail('state.rng must hold four 32-bit words and the spare normal (a number or null)');
  }
  if ((s.rng as number[]).slice(0, 4).every((x) => x === 0)) throw v.fail('state.rng is all zeros, which no generator reaches');
  const rng = (s.rng as (number | null)[]).map((x) => (x === null ? NaN : x));
  const h = v.obj(s.history, 'state.history');
  // A History's logs written flat ({loss: [...]}) lack both keys: say what the object holds, not just that epoch is missing.
  const shape = 'state.history must be a History\'s {epoch: [...], history: {loss: [...], ...}}';
  const others = Object.keys(h).filter((k) => k !== 'epoch' && k !== 'history');
  if (others.length) throw v.fail(`${shape}; it has ${others.map((k) => JSON.stringify(k)).join(', ')}`);
  if (!Array.isArray(h.epoch)) throw v.fail(`state.history.epoch must be a list, got ${show(h.epoch)}`);
  const histEpoch = h.epoch.map((e, i) => v.int(e, `state.history.epoch[${i}]`));
  const hh = v.obj(h.history, 'state.history.history');
  const history: Record<string, number[]> = {};
  for (const [k, arr] of Object.entries(hh)) {
    if (!Array.isArray(arr)) throw v.fail(`state.history.history.${k} must be a list`);
    history[k] = arr.map((x, i) => v.num(x, `state.history.history.${k}[${i}]`));
  }
  checkHistoryEpochs(v, histEpoch, history, nextEpoch);
  let progress: EpochProgress | null = null;
  if (s.progress !== null && s.progress !== undefined) {
    const p = v.obj(s.progress, 'state.progress');
    const epoch = v.int(p.epoch, 'state.progress.epoch');
    if (epoch !== nextEpoch) throw v.fail(`state.progress.epoch (${epoch}) must equal state.nextEpoch (${nextEpoch})`);
    const batch = v.int(p.batch, 'state.progress.batch');
    if (batch > Math.ceil(samples / batchSize)) throw v.fail(`state.progress.batch ${batch} is past the epoch's ${Math.ceil(samples / batchSize)} batches`);
    let order: Int32Array | null = null;
    if (p.order !== null && p.order !== undefined) {
      const b = Buffer.from(v.str(p.order, 'state.progress.order'), 'base64');
      if (b.length !== samples * 4) throw v.fail(`state.progress.order holds ${Math.floor(b.length / 4)} indices for ${samples} samples`);
      order = new Int32Array(samples);
      for (let i = 0; i < samples; i++) order[i] = b.readInt32LE(4 * i);
      const seen = new Uint8Array(samples);
      for (const i of order) {
        if (i < 0 || i >= samples || seen[i]) throw v.fail('state.progress.order is not a permutation of the samples');
        seen[i] = 1;
      }
    }
    progress = { epoch, batch, order, lossSum: v.num(p.lossSum, 'state.progress.lossSum'), seen: v.int(p.seen, 'state.progress.seen'),
      correct: v.int(p.correct, 'state.progress.correct'), total: v.int(p.total, 'state.progress.total'),
      ...(p.meters === undefined ? {} : { meters: meterSums(v, p.meters) }) };
  }
  const extra = s.extra === undefined ? undefined : v.obj(s.extra, 'state.extra');
  return {
    dir, generation, signature, architecture: j.architecture, weights, files: { weights: wRef, optimizer: oRef }, optimizer,
    state: { nextEpoch, progress, history: { epoch: histEpoch, history }, rng, samples, batchSize, extra },
  };
}

/** The names a checkpoint's writes overwrite or delete in its folder (writeCheckpoint). */
const CHECKPOINT_ENTRY = /^(?:checkpoint\.json|model\.json|(?:weights|optimizer)-\d+\.bin)$/;

function isRnnlabCheckpoint(dir: string): boolean {
  try {
    readCheckpointInfo(dir);
    return true;
  } catch {
    return false;
  }
}

/**
 * What of <out>/checkpoint a run's checkpoints would overwrite that rnnlab did not write: the folder itself when it is
 * not a folder (or a link), else the files of checkpoint names, unless they are an rnnlab checkpoint's plain files.
 * Files of other names there are never touched; links are never followed. Names are relative to out.
 */
export function checkpointClashes(out: string): string[] {
  const dir = join(out, 'checkpoint');
  const c = lstatSync(dir, { throwIfNoEntry: false });
  if (!c) return [];
  if (!c.isDirectory()) return ['checkpoint'];
  const own = isRnnlabCheckpoint(dir);
  return readdirSync(dir).filter((n) => CHECKPOINT_ENTRY.test(n)).sort()
    .filter((n) => !own || !lstatSync(join(dir, n), { throwIfNoEntry: false })?.isFile())
    .map((n) => `checkpoint/${n}`);
}

function readVerified(dir: string, ref: FileRef, what: string): Uint8Array {
  const p = join(dir, ref.path);
  let b: Buffer;
  try { b = readFileSync(p); } catch (e) {
    throw new CheckpointError(`checkpoint in ${dir}: the ${what} file ${ref.path} is missing or unreadable (${(e as Error).message})`, { cause: e });
  }
  if (b.length !== ref.bytes) throw new CheckpointError(`checkpoint in ${dir}: the ${what} file ${ref.path} has ${b.length} bytes, expected ${ref.bytes} (truncated or replaced)`);
  if (sha256(b) !== ref.sha256) throw new CheckpointError(`checkpoint in ${dir}: the ${what} file ${ref.path} is corrupt (SHA-256 mismatch)`);
  return b;
}

function floats(b: Uint8Array): Float32Array {
  const out = new Float32Array(b.length / 4);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

/**
 * A checkpoint's binary files as read, verified and decoded, kept under their folder, name, size and SHA-256, so that
 * a restore following its own check (backupAndRestore) reads and hashes them once. A checkpoint rewritten in between
 * names another generation's files (or other checksums): those are not here, so they are read and verified afresh.
 * What is kept matches the checksum checkpoint.json commits now, so it is never stale.
 */
export class VerifiedFiles {
  private readonly kept = new Map<string, Float32Array>();

  values(dir: string, ref: FileRef, what: string): Float32Array {
    const key = JSON.stringify([dir, ref.path, ref.bytes, ref.sha256]);
    let v = this.kept.get(key);
    if (!v) {
      v = floats(readVerified(dir, ref, what));
      this.kept.set(key, v);
    }
    return v;
  }
}

/** Why the checkpoint cannot be restored into the model (its layers, or its optimizer's kind), or null when it fits. */
function modelDifference(ck: CheckpointData, model: TrainableModel): string | null {
  const arch = architectureOf(model);
  if (signatureOf(arch) !== ck.signature) return `was written for a different model: ${firstDifference(ck.architecture, arch)}`;
  const mine = model.optimizer?.kerasName;
  if (ck.optimizer && mine !== undefined && mine !== ck.optimizer.className) return `holds ${ck.optimizer.className} state, but the model is compiled with ${mine}`;
  return null;
}

/**
 * Why the checkpoint in dir cannot continue training this built model, or null: the checks restoreCheckpoint makes
 * of the model before reading any weights, for a caller that can make them before loading its data. ck: dir's
 * checkpoint.json as the caller already read it.
 */
export function checkpointMismatch(dir: string, model: TrainableModel, ck: CheckpointData = readCheckpointInfo(dir)): string | null {
  const other = modelDifference(ck, model);
  return other && `the checkpoint in ${ck.dir} ${other}`;
}

/**
 * The model's weight for each saved one: by name where the two lists hold the same unique names in another order (a
 * checkpoint written before a layer listed its trainable weights first, as tfjs does, with a non-trainable one made
 * before a trainable one of the same shape), else by position (names differ between processes that number their
 * layers differently).
 */
function savedWeightTargets<V extends { name: string }>(saved: readonly { name: string }[], vars: V[]): V[] {
  const byName = new Map(vars.map((v) => [v.name, v]));
  const names = new Set(saved.map((w) => w.name));
  if (byName.size !== vars.length || names.size !== saved.length || saved.length !== vars.length || !saved.every((w) => byName.has(w.name))) return vars;
  return saved.map((w) => byName.get(w.name)!);
}

export interface RestoreOptions {
  /** Called with the training state after everything else checked out and before anything is applied; may throw. */
  check?: (state: TrainingState) => void;
  /** false only reads and checks (the binary files' sizes and checksums too), for a caller that must refuse before anything acts. */
  apply?: boolean;
}

/**
 * Loads a checkpoint into model: weights, optimizer slots, iterations and learning rate, and globalRandom's state. Everything
 * is read and checked first, so a bad checkpoint leaves the model as it was. Returns the training state.
 */
export function restoreCheckpoint(dir: string, model: TrainableModel, opts?: RestoreOptions): TrainingState {
  const o = checkOptionKeys('restoreCheckpoint', opts, ['check', 'apply'], { error: CheckpointError }) as RestoreOptions;
  if (o.check !== undefined && typeof o.check !== 'function') throw new CheckpointError(`restoreCheckpoint: check must be a function (state) => void, got ${describe(o.check)}`);
  if (o.apply !== undefined && typeof o.apply !== 'boolean') throw new CheckpointError(`restoreCheckpoint: apply must be true or false, got ${describe(o.apply)}`);
  return restoreWithFiles(dir, model, o, new VerifiedFiles());
}

/**
 * restoreCheckpoint for backupAndRestore (not public): given the VerifiedFiles its check (apply: false) filled, the
 * restore that follows takes the binary files that check read instead of reading and hashing them again; ck: dir's
 * checkpoint.json as that check already read it.
 */
export function restoreWithFiles(dir: string, model: TrainableModel, opts: RestoreOptions, files: VerifiedFiles, ck: CheckpointData = readCheckpointInfo(dir)): TrainingState {
  const where = `checkpoint in ${ck.dir}`;
  if (!model.built) throw new CheckpointError(`${where}: build the model (give its first layer an input shape) before restoring`);
  const other = modelDifference(ck, model);
  if (other) throw new CheckpointError(`${where} ${other}`);
  const vars = savedWeightTargets(ck.weights, layerOrderWeights(model.layers));
  if (ck.weights.length !== vars.length) throw new CheckpointError(`${where} holds ${ck.weights.length} weights, the model has ${vars.length}`);
  ck.weights.forEach((w, i) => {
    if (w.shape.join(',') !== vars[i].shape.join(',')) {
      throw new CheckpointError(`${where}: weight '${w.name}' has shape [${w.shape.join(', ')}], the model's ${vars[i].name} is [${vars[i].shape.join(', ')}]`);
    }
  });
  const total = ck.weights.reduce((s, w) => s + sizeOfShape(w.shape), 0);
  if (ck.files.weights.bytes !== total * 4) throw new CheckpointError(`${where}: the weights file should hold ${total * 4} bytes, checkpoint.json says ${ck.files.weights.bytes}`);
  const wvals = files.values(ck.dir, ck.files.weights, 'weights');

  let slots: Float32Array[][] | null = null;
  const trainable = model.trainableWeights;
  if (ck.optimizer) {
    const opt = model.optimizer;
    if (!opt) throw new CheckpointError(`${where}: compile the model before restoring (the checkpoint holds ${ck.optimizer.className} state)`);
    const mine = opt.kerasName;
    if (ck.optimizer.slots.length !== trainable.length) {
      throw new CheckpointError(`${where}: optimizer state covers ${ck.optimizer.slots.length} trainable weights, the model has ${trainable.length}`);
    }
    const slotCount = opt.slotCount;
    let need = 0;
    ck.optimizer.slots.forEach((s, i) => {
      if (s.size !== trainable[i].size) throw new CheckpointError(`${where}: optimizer state for '${s.name}' has ${s.size} values per slot, the weight has ${trainable[i].size}`);
      if (s.count !== 0 && s.count !== slotCount) throw new CheckpointError(`${where}: optimizer state for '${s.name}' has ${s.count} slots; ${mine} keeps ${slotCount}`);
      need += s.count * s.size;
    });
    if (ck.files.optimizer!.bytes !== need * 4) throw new CheckpointError(`${where}: the optimizer file should hold ${need * 4} bytes, checkpoint.json says ${ck.files.optimizer!.bytes}`);
    const ovals = files.values(ck.dir, ck.files.optimizer!, 'optimizer');
    let at = 0;
    slots = ck.optimizer.slots.map((s) => Array.from({ length: s.count }, () => { const a = ovals.subarray(at, at + s.size); at += s.size; return a; }));
  }

  opts.check?.(ck.state);
  if (opts.apply === false) return ck.state;
  // Everything checked: apply.
  let at = 0;
  for (const v of vars) { v.assign(wvals.subarray(at, at + v.size)); at += v.size; }
  if (slots && model.optimizer) {
    try {
      model.optimizer.setSlots(trainable, slots, ck.optimizer!.iterations);
    } catch (e) {
      throw new CheckpointError(`${where}: ${(e as Error).message}`, { cause: e });
    }
    // The rate the run had reached (a callback may have lowered it), as Keras 3 restores its learning_rate variable
    // with the optimizer's; a schedule's rate follows iterations instead. A checkpoint without one keeps the compiled rate.
    const rate = ck.optimizer!.config.learning_rate;
    if (typeof rate === 'number' && !model.optimizer.learningRateSchedule) model.optimizer.learningRate = rate;
  }
  globalRandom.setState(ck.state.rng);
  return ck.state;
}
