/**
 * Train a text classifier on the user's own labelled data: read it (CSV/TSV/JSONL/folder), split it (stratified,
 * seeded) or read a validation file, fit a TextVectorizer on the training texts, build and fit the model, measure
 * it on the validation part and save model + vectorizer + class names. Returns data; prints nothing.
 */
import { DataError } from '../data/errors.js';
import { detectFormat, loadTextDataset, type TextDataset, type TextDatasetOptions } from '../data/text_dataset.js';
import { encodeLabels } from '../data/text_labels.js';
import { optionName } from '../data/text_options.js';
import { stratifiedSample, stratifiedSplit } from '../data/text_split.js';
import { TextVectorizer } from '../data/text_vectorizer.js';
import { EarlyStopping } from '../callbacks/index.js';
import { IMDB_DEFAULTS, type ImdbModelName } from '../experiments/lab_models.js';
import { EpochTimer } from '../experiments/train_hooks.js';
import { bucketBlocker } from '../models/buckets.js';
import type { Callback } from '../models/callback.js';
import type { ProgressWriter } from '../models/progress.js';
import type { Sequential } from '../models/sequential.js';
import { offsetSeed, setSeed } from '../random.js';
import { Tensor } from '../tensor.js';
import { balancedClassWeights, withClassWeights } from './text_class_weight.js';
import type { TextClassifierSpec } from './text_classifier_file.js';
import { buildTextModel, checkTextModelOptions, leastMaxlen, TextOptionError, type TextModelOptions } from './text_model.js';
import { classificationMetrics, toClassProbabilities, type ClassificationMetrics } from './text_metrics.js';
import { saveTextClassifier } from './text_output.js';

export interface TextTrainOptions extends Omit<TextDatasetOptions, 'labelsOptional'> {
  /** A dataset path (file or folder) or rows already read. */
  data: string | TextDataset;
  /** A separate validation set; else validationSplit of data is held out. */
  validation?: string | TextDataset | null;
  /** Fraction held out (stratified) when there is no validation set; default 0.1. */
  validationSplit?: number;
  /** Use only this many training examples (a seeded stratified sample), e.g. for a quick run. */
  limit?: number | null;
  model?: string;
  layers?: number;
  units?: number;
  embeddingDim?: number;
  dropout?: number;
  recurrentDropout?: number;
  maskZero?: boolean;
  /** Length-bucketed batches trimmed to their longest text (fit's bucket): needs maskZero and a recurrent model. */
  bucket?: boolean;
  /** Words per text after padding / cutting; 'auto': the 95th percentile of the training lengths. */
  maxlen?: number | 'auto';
  /** Vocabulary size, padding and '[UNK]' included (Keras's max_tokens). */
  vocab?: number;
  lowercase?: boolean;
  padding?: 'pre' | 'post';
  truncating?: 'pre' | 'post';
  /** Stop when val_loss has not improved for this many epochs (true: 2) and keep the best weights. */
  earlyStopping?: boolean | number;
  /** 'balanced': each class weighs n / (classes * count), as scikit-learn and Keras's class_weight. */
  classWeight?: 'balanced' | null;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  seed?: number;
  /** Where to save the model folder (model.json, weights.bin, rnnlab-text.json); nothing saved when absent. */
  saveTo?: string | null;
  /** Awaited just before the model is saved: where a caller that guards its run folder's writes (the CLI) starts guarding them. */
  beforeSave?: () => Promise<void>;
  verbose?: 0 | 1 | 2;
  progress?: ProgressWriter;
  callbacks?: Callback[];
}

export interface TextTrainResult {
  model: Sequential;
  vectorizer: TextVectorizer;
  classes: string[];
  /** Every setting as used (defaults filled in). */
  config: Record<string, unknown>;
  counts: { train: number; validation: number; skipped: number; perClassTrain: Record<string, number> };
  /** The split's own counts, before limit cut the training part; null when a validation set was given. */
  split: { train: number; validation: number } | null;
  classWeights: Record<string, number> | null;
  params: number;
  history: Record<string, number[]>;
  /** Wall time of each epoch's training batches (validation excluded), one per epoch run. */
  secondsPerEpoch: number[];
  epochsRun: number;
  stoppedEarly: boolean;
  validation: ClassificationMetrics;
  modelDir: string | null;
  seconds: number;
}

function subset(ds: TextDataset, idx: Int32Array): TextDataset {
  const pick = <T>(a: T[]) => Array.from(idx, (i) => a[i]);
  return { ...ds, texts: pick(ds.texts), labels: pick(ds.labels), where: pick(ds.where) };
}

async function dataset(d: string | TextDataset, o: TextTrainOptions, validation = false): Promise<TextDataset> {
  if (typeof d !== 'string') return d;
  if (!validation) return loadTextDataset(d, o);
  // The validation set's format comes from its own name, so its errors may not advise the format option (that reads
  // only the training data); classes picks subfolders only if it is a folder too.
  return loadTextDataset(d, { ...o, format: undefined, optionNames: { ...o.optionNames, format: null }, classes: detectFormat(d) === 'folder' ? o.classes : undefined });
}

function check(name: string, v: unknown, ok: boolean, want: string): void {
  if (v !== undefined && v !== null && !ok) throw new TextOptionError(name, `must be ${want}, got ${JSON.stringify(v)}`);
}

function checkOptions(o: TextTrainOptions): void {
  const posInt = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
  check('epochs', o.epochs, posInt(o.epochs), 'a positive integer');
  check('batchSize', o.batchSize, posInt(o.batchSize), 'a positive integer');
  check('units', o.units, posInt(o.units), 'a positive integer');
  check('embeddingDim', o.embeddingDim, posInt(o.embeddingDim), 'a positive integer');
  check('limit', o.limit, posInt(o.limit), 'a positive integer');
  check('vocab', o.vocab, Number.isInteger(o.vocab) && (o.vocab as number) >= 3, 'an integer >= 3');
  check('maxlen', o.maxlen, o.maxlen === 'auto' || posInt(o.maxlen), "a positive integer or 'auto'");
  check('validationSplit', o.validationSplit, typeof o.validationSplit === 'number' && o.validationSplit > 0 && o.validationSplit < 1, 'in (0, 1)');
  check('seed', o.seed, Number.isSafeInteger(o.seed), 'an integer');
  check('learningRate', o.learningRate, typeof o.learningRate === 'number' && o.learningRate > 0, 'a positive number');
  check('classWeight', o.classWeight, o.classWeight === 'balanced', "'balanced'");
  check('earlyStopping', o.earlyStopping, typeof o.earlyStopping === 'boolean' || Number.isInteger(o.earlyStopping) && (o.earlyStopping as number) >= 0,
    'true/false or a patience (epochs)');
  if (o.validation && o.validationSplit !== undefined) {
    const name = (k: 'validation' | 'validationSplit') => optionName(o.optionNames, k) ?? k;
    throw new TextOptionError('validationSplit', `give either ${name('validation')} (a file) or ${name('validationSplit')}, not both`);
  }
}

interface Splits {
  classes: string[]; train: TextDataset; trainIds: Int32Array; val: TextDataset; valIds: Int32Array; skipped: number;
  split: TextTrainResult['split'];
}

/**
 * A label column holding a different value on every row of many (over 20) is no label column (a text column given as
 * the label, an id): an error saying so, or null where the rows are few or have no label column (a folder).
 */
function notALabelColumn(o: TextTrainOptions, all: TextDataset, numClasses: number): DataError | null {
  const n = all.texts.length;
  if (n <= 20 || !all.labelColumn) return null;
  const labelOption = optionName(o.optionNames, 'labelColumn');
  return new DataError(`${all.source}: the label column '${all.labelColumn}' holds a different value on every row (${numClasses} labels for ${n} examples): ` +
    `is it the label? Each class needs two examples or more${labelOption ? `; name the label column with ${labelOption}` : ''}`);
}

/** Why a stratified split of `all` would hold out nothing (every label occurs once), named with the caller's options. */
function noValidationPart(o: TextTrainOptions, all: TextDataset, numClasses: number): DataError {
  const names = o.optionNames;
  const n = all.texts.length;
  const notLabel = notALabelColumn(o, all, numClasses);
  if (notLabel) return notLabel;
  const split = optionName(names, 'validationSplit') ?? 'validationSplit', validation = optionName(names, 'validation');
  return new DataError(`${all.source}: ${split} ${o.validationSplit ?? 0.1} holds out no example: each of the ${n} labels occurs once, and a class needs ` +
    `two examples to give one to validation; add examples${validation ? ` or give a validation set with ${validation}` : ''}`);
}

/**
 * Folder data read with `classes` takes the classes in that order, as Keras's class_names does (class i is the
 * i-th name; for two classes the sigmoid gives the probability of the second); else undefined: sorted from the labels.
 */
function givenClasses(all: TextDataset, o: TextTrainOptions): string[] | undefined {
  if (all.format !== 'folder' || !o.classes) return undefined;
  const names = [...new Set(o.classes)];
  if (names.length < 2) throw new DataError(`${all.source}: every example has the label '${names[0]}'; a classifier needs at least two classes`);
  return names;
}

/** The training and validation parts (a validation file, or a stratified seeded split), after limit. */
async function splitForTraining(o: TextTrainOptions, seed: number): Promise<Splits> {
  const all = await dataset(o.data, o);
  const { classNames: classes, ids: allIds } = encodeLabels(all.labels, all.where, all.source, givenClasses(all, o));
  let train = all, trainIds = allIds, val: TextDataset, valIds: Int32Array, split: Splits['split'] = null;
  if (o.validation) {
    // A few rows of one example per class may train with a validation file; many such rows are a wrong column.
    const notLabel = classes.length === allIds.length ? notALabelColumn(o, all, classes.length) : null;
    if (notLabel) throw notLabel;
    val = await dataset(o.validation, o, true);
    // Train has no label map: a validation label must be one of the training data's classes as written.
    valIds = encodeLabels(val.labels, val.where, val.source, classes, { classesOf: "the training data's classes", optionNames: { labelMap: null } }).ids;
  } else {
    if (classes.length === allIds.length) throw noValidationPart(o, all, classes.length);
    const parts = stratifiedSplit(allIds, classes.length, o.validationSplit ?? 0.1, seed);
    train = subset(all, parts.train); trainIds = parts.train.map((i) => allIds[i]);
    val = subset(all, parts.validation); valIds = parts.validation.map((i) => allIds[i]);
    split = { train: parts.train.length, validation: parts.validation.length };
  }
  // "Exactly N": a limit above what there is would train on fewer examples than asked, unsaid.
  if (o.limit && o.limit > train.texts.length) {
    const held = o.validation ? '' : ` (${val.texts.length} of ${all.texts.length} are held out by ${optionName(o.optionNames, 'validationSplit') ?? 'validationSplit'})`;
    throw new TextOptionError('limit', `${o.limit} is more than the ${train.texts.length} training examples there are${held}`);
  }
  if (o.limit && o.limit < train.texts.length) {
    if (o.limit < classes.length) {
      throw new TextOptionError('limit', `${o.limit} is below the ${classes.length} classes: the stratified sample takes at least one example of each`);
    }
    const keep = stratifiedSample(trainIds, classes.length, o.limit, offsetSeed(seed, 1));
    train = subset(train, keep); trainIds = keep.map((i) => trainIds[i]);
  }
  const present = new Set(trainIds);
  const absent = classes.filter((_, c) => !present.has(c));
  if (absent.length) throw new DataError(`${all.source}: the training part has no example of class ${absent.map((a) => `'${a}'`).join(', ')}`);
  return { classes, train, trainIds, val, valIds, skipped: all.skipped + (o.validation ? val.skipped : 0), split };
}

export async function trainTextClassifier(o: TextTrainOptions): Promise<TextTrainResult> {
  const t0 = performance.now();
  checkOptions(o);
  const name = o.model ?? 'lstm';
  const seed = o.seed ?? 1;
  // Option mistakes surface before the data is read; maxlen 'auto' is checked again once known.
  const early: TextModelOptions = { vocab: 3, maxlen: typeof o.maxlen === 'number' ? o.maxlen : 2, numClasses: 2, layers: o.layers, dropout: o.dropout,
    recurrentDropout: o.recurrentDropout, maskZero: o.maskZero };
  checkTextModelOptions(name, early);
  if (o.bucket) {
    const why = bucketBlocker(buildTextModel(name, { ...early, maskZero: o.maskZero, freeLength: true }));
    if (why) throw new TextOptionError('bucket', `cannot apply to model ${name}: ${why}`);
  }

  const { classes, train, trainIds, val, valIds, skipped, split } = await splitForTraining(o, seed);
  const vectorizer = new TextVectorizer({ maxTokens: o.vocab ?? 10000, standardize: o.lowercase === false ? 'strip_punctuation' : 'lower_and_strip_punctuation',
    maxlen: o.maxlen === 'auto' || o.maxlen === undefined ? null : o.maxlen, padding: o.padding, truncating: o.truncating });
  vectorizer.adapt(train.texts);
  // 'auto' on texts of one word gives 1, which a CNN cannot pool: it takes the least the model can.
  if (o.maxlen === 'auto' || o.maxlen === undefined) vectorizer.maxlen = Math.max(vectorizer.maxlen!, leastMaxlen(name));
  const maxlen = vectorizer.maxlen!;
  const toX = (texts: string[]) => new Tensor(vectorizer.encode(texts).data, [texts.length, maxlen], 'int32');
  const binary = classes.length === 2;
  const toY = (ids: Int32Array) => (binary ? new Tensor(Float32Array.from(ids), [ids.length, 1], 'float32') : new Tensor(ids, [ids.length], 'int32'));

  setSeed(seed);
  const modelOptions: TextModelOptions = { vocab: vectorizer.vocabularySize, maxlen, numClasses: classes.length, embeddingDim: o.embeddingDim, units: o.units,
    layers: o.layers, dropout: o.dropout, recurrentDropout: o.recurrentDropout, maskZero: o.maskZero, learningRate: o.learningRate, freeLength: o.bucket };
  const model = buildTextModel(name, modelOptions);
  const lab = IMDB_DEFAULTS[name as ImdbModelName];
  const epochs = o.epochs ?? lab?.epochs ?? 3;
  const batchSize = o.batchSize ?? lab?.batchSize ?? 64;
  const patience = o.earlyStopping === true ? 2 : typeof o.earlyStopping === 'number' ? o.earlyStopping : null;
  const stopper = patience === null ? null : new EarlyStopping({ monitor: 'val_loss', patience, restoreBestWeights: true });
  const weights = o.classWeight === 'balanced' ? balancedClassWeights(trainIds, classes.length) : null;
  const xVal = toX(val.texts), yVal = toY(valIds);
  // The record's secondsPerEpoch: the training batches only, as the lab's runs time them.
  const timer = new EpochTimer();
  const fit = () => model.fit(toX(train.texts), toY(trainIds), {
    epochs, batchSize, verbose: o.verbose ?? (o.progress ? 1 : 0), out: o.progress, validationData: [xVal, yVal], bucket: o.bucket,
    callbacks: [timer, ...(stopper ? [stopper] : []), ...(o.callbacks ?? [])],
  });
  const history = weights ? await withClassWeights(model, weights, fit) : await fit();

  const probs = toClassProbabilities(model.predict(xVal, { batchSize: 512 }).values, classes.length);
  const validation = classificationMetrics(valIds, probs, classes);
  const perClassTrain: Record<string, number> = Object.fromEntries(classes.map((c) => [c, 0]));
  for (const c of trainIds) perClassTrain[classes[c]]++;
  const config = {
    data: typeof o.data === 'string' ? o.data : o.data.source, validation: o.validation ? (typeof o.validation === 'string' ? o.validation : o.validation.source) : null,
    validationSplit: o.validation ? null : o.validationSplit ?? 0.1, limit: o.limit ?? null, model: name, layers: o.layers ?? 1,
    units: o.units ?? (name === 'cnn' || name === 'ff_embed' ? 250 : 100), embeddingDim: o.embeddingDim ?? 100, dropout: o.dropout ?? 0,
    recurrentDropout: o.recurrentDropout ?? 0, maskZero: o.maskZero ?? false, bucket: o.bucket ?? false, maxlen, maxlenSetting: o.maxlen ?? 'auto', vocab: vectorizer.vocabularySize,
    maxTokens: o.vocab ?? 10000, lowercase: o.lowercase !== false, padding: vectorizer.padding, truncating: vectorizer.truncating,
    earlyStopping: patience, classWeight: o.classWeight ?? null, epochs, batchSize, learningRate: model.optimizer!.learningRate, seed,
  };
  let modelDir: string | null = null;
  if (o.saveTo) {
    const spec: TextClassifierSpec = { format: 'rnnlab-text-classifier', version: 1, classes, vectorizer: vectorizer.toJSON(),
      model: { name, options: config }, metrics: { validationAccuracy: validation.accuracy, validationLoss: validation.loss } };
    await o.beforeSave?.();
    await saveTextClassifier(o.saveTo, model, spec);
    modelDir = o.saveTo;
  }
  const h = history.history;
  return {
    model, vectorizer, classes, config,
    counts: { train: train.texts.length, validation: val.texts.length, skipped, perClassTrain }, split,
    classWeights: weights ? Object.fromEntries(classes.map((c, i) => [c, weights[i]])) : null,
    params: model.countParams(), history: h, secondsPerEpoch: timer.seconds, epochsRun: h.loss?.length ?? 0, stoppedEarly: (h.loss?.length ?? 0) < epochs,
    validation, modelDir, seconds: (performance.now() - t0) / 1000,
  };
}
