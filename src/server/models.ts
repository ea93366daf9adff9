/**
 * The trained models "Try it" and "Inside the network" can use: those saved in run folders, the dashboard's
 * jobs' included (each job's process saves its model there: job_child.ts), and the text classifiers of
 * `rnnlab train` runs, loaded on first use; and untrained reference networks for the vanishing-gradient plot.
 */
import type { Sequential } from '../models/sequential.js';
import { globalRandom, setSeed } from '../random.js';
import { imdbLayers, imdbModel, type ImdbModelName } from '../experiments/lab_models.js';
import { withNamesGivenBack } from '../layers/layer.js';
import { planStack } from '../models/param_plan.js';
import type { TextClassifier } from '../tasks/text_classifier_file.js';
import { badRequest, HttpError, notFound } from './http.js';
import { loadSavedTextClassifier, type ModelInfo, type ModelMeta, type ServedModelMeta, type TextModelMeta } from './model_io.js';
import { labelFor, modelLoadError, notCompleted, type RunStore } from './runs.js';

export type { ModelInfo, ModelMeta, ServedModelMeta, TextModelMeta } from './model_io.js';

export interface ModelEntry extends ModelInfo {
  model: Sequential;
  /** A run model's files as loaded (RunStore.modelVersion); undefined for the untrained ones. */
  version?: string | null;
  /** A text model's vectorizer and classes with its network, as `rnnlab predict` loads them. */
  classifier?: TextClassifier;
}

export type ModelTask = ServedModelMeta['task'];

const TASK_NAMES: Record<ModelTask, string> = { imdb: 'an IMDb sentiment model', addition: 'an addition model', text: 'a text classifier (rnnlab train)' };
const PREDICT_ROUTES: Record<ModelTask, string> = { imdb: 'POST /api/predict/sentiment', addition: 'POST /api/predict/sum', text: 'POST /api/predict/text' };

/** Untrained IMDb networks with the lab's sizes, built with a fixed seed. */
export const FRESH_MODELS = ['simple_rnn', 'lstm', 'gru'] as const;

/** Loaded run models kept for the next request. */
export const MAX_LOADED = 6;

export class ModelRegistry {
  private loaded = new Map<string, ModelEntry>();
  private fresh = new Map<string, ModelEntry>();
  /** Loads under way, by id: requests for a model not yet loaded share one load instead of each reading it. */
  private loading = new Map<string, Promise<ModelEntry | null>>();
  /** The tail of the load queue: one model is read at a time, so many requests for many models hold one in the making. */
  private lastLoad: Promise<unknown> = Promise.resolve();

  constructor(private readonly runs: RunStore) {}

  /** Every model that can be used now, newest first, then the untrained ones. */
  async list(): Promise<ModelInfo[]> {
    const out: ModelInfo[] = await this.runs.modelRuns();
    out.sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
    for (const kind of this.freshKinds()) out.push(freshInfo(kind));
    return out;
  }

  /** The untrained models this dashboard serves (`fresh:lstm`, ...): those within --max-model-params. */
  freshIds(): string[] {
    return this.freshKinds().map((k) => `fresh:${k}`);
  }

  private freshKinds(): string[] {
    return FRESH_MODELS.filter((k) => this.freshTooLarge(k) === null);
  }

  /**
   * Why an untrained model is over --max-model-params, or null. They are as large as the lab's trained ones (a
   * million parameters with their 10,000-word embedding), so a cap set to keep the server's memory small holds them
   * too: counted from their layers, without building them.
   */
  private freshTooLarge(kind: string): HttpError | null {
    const limit = this.runs.maxModelParams;
    if (limit === undefined) return null;
    const params = freshParams(kind);
    if (params <= limit) return null;
    return new HttpError(422, `the untrained model 'fresh:${kind}' has ${params.toLocaleString('en-US')} parameters, over this dashboard's limit of ${limit.toLocaleString('en-US')} (rnnlab serve --max-model-params)`);
  }

  async get(id: string, task?: ModelTask): Promise<ModelEntry> {
    let entry = this.loaded.get(id);
    // A run folder rewritten (the same --out trained again), moved away or removed since its model was loaded: the
    // weights held are no longer what the folder says, so they are dropped (and read again if the folder has a model).
    if (entry && (entry.version === null || entry.version !== this.runs.modelVersion(id))) {
      this.loaded.delete(id);
      entry = undefined;
    }
    if (!entry && id.startsWith('fresh:')) entry = this.freshModel(id.slice(6));
    if (!entry) {
      entry = (await this.load(id)) ?? undefined;
      if (!entry) throw notFound(`no trained model '${id}': pick one from GET /api/models`);
    }
    const has = entry.meta.task;
    if (task && has !== task) {
      // A text classifier is only ever predicted with, and a predict route asked with the wrong model has a right one.
      const hint = has === 'text' || task === 'text' ? `: predict with it through ${PREDICT_ROUTES[has]}` : '';
      throw badRequest(`model '${id}' is ${TASK_NAMES[has]}; this needs ${TASK_NAMES[task]}${hint}`);
    }
    return entry;
  }

  /** The model of a run folder, read once however many requests ask for it meanwhile; null when it has none. */
  private load(id: string): Promise<ModelEntry | null> {
    let pending = this.loading.get(id);
    if (!pending) {
      pending = this.lastLoad.then(async () => {
        const found = (await this.runs.loadModel(id)) ?? (await this.loadText(id));
        if (!found) return null;
        const entry: ModelEntry = { ...found.info, model: found.model, version: found.version, classifier: 'classifier' in found ? found.classifier as TextClassifier : undefined };
        this.loaded.set(id, entry);
        // Keep a handful of loaded models; the oldest goes first.
        if (this.loaded.size > MAX_LOADED) this.loaded.delete(this.loaded.keys().next().value!);
        return entry;
      }).finally(() => this.loading.delete(id));
      this.loading.set(id, pending);
      this.lastLoad = pending.catch(() => undefined);
    }
    return pending;
  }

  /**
   * The text classifier of a completed `rnnlab train` run (RunStore.loadModel reads the lab's models only), or null
   * when the run is of another kind or holds no model. A seq2seq run's model is named as such: it decodes text into
   * text, which `rnnlab translate` does, not any route here.
   */
  private async loadText(id: string): Promise<{ info: ModelInfo; model: Sequential; version: string | null; classifier: TextClassifier } | null> {
    let dir: string;
    let detail;
    try {
      dir = this.runs.resolve(id);
      detail = this.runs.get(id);
    } catch (e) {
      if (e instanceof HttpError && e.status === 403) throw e;
      return null;
    }
    const { summary, results } = detail;
    if (!results || !summary.hasModel) return null;
    if (results.command === 'seq2seq') {
      throw new HttpError(422, `run '${id}' holds a sequence-to-sequence model (rnnlab seq2seq), which the dashboard does not serve: decode with it with rnnlab translate --model <the run folder> "text"`);
    }
    if (results.command !== 'train') return null;
    if (summary.status !== 'completed') throw notCompleted(id, summary.status);
    // Taken before reading, so a rewrite while the model loads makes the next request load again.
    const version = this.runs.modelVersion(id);
    let classifier: TextClassifier | null;
    try {
      classifier = await loadSavedTextClassifier(dir, this.runs.maxModelParams);
    } catch (e) {
      throw modelLoadError(id, e);
    }
    if (!classifier) return null;
    const meta: TextModelMeta = { task: 'text', kind: typeof results.config.model === 'string' ? results.config.model : classifier.model.name, classes: [...classifier.classes], maxlen: classifier.encoder.maxlen };
    const accuracy = results.metrics.validationAccuracy;
    const info: ModelInfo = { id, label: labelFor(id, meta), meta, source: 'disk', accuracy: typeof accuracy === 'number' && Number.isFinite(accuracy) ? accuracy : null, createdAt: results.startedAt };
    return { info, model: classifier.model, version, classifier };
  }

  private freshModel(kind: string): ModelEntry {
    const have = this.fresh.get(kind);
    if (have) return have;
    if (!(FRESH_MODELS as readonly string[]).includes(kind)) throw notFound(`no untrained model 'fresh:${kind}'; choose one of ${FRESH_MODELS.map((k) => `fresh:${k}`).join(', ')}`);
    const tooLarge = this.freshTooLarge(kind);
    if (tooLarge) throw tooLarge;
    const info = freshInfo(kind);
    const meta = info.meta as Extract<ModelMeta, { task: 'imdb' }>;
    // Build with a fixed seed without disturbing the stream a training job may be using.
    const state = globalRandom.getState();
    let model: Sequential;
    try {
      setSeed(1234);
      model = imdbModel(kind as ImdbModelName, { vocab: meta.vocab, maxlen: meta.maxlen });
      model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    } finally {
      globalRandom.setState(state);
    }
    const entry = { ...info, model };
    this.fresh.set(kind, entry);
    return entry;
  }
}

const freshCounts = new Map<string, number>();

/** The parameters of an untrained model, as its built model would count them. */
export function freshParams(kind: string): number {
  let n = freshCounts.get(kind);
  if (n === undefined) {
    const meta = freshInfo(kind).meta as Extract<ModelMeta, { task: 'imdb' }>;
    // Layers made only to be counted must not take the names (lstm, lstm_1, ...) of the models built after them.
    n = withNamesGivenBack(() => planStack(imdbLayers(kind as ImdbModelName, { vocab: meta.vocab, maxlen: meta.maxlen })).params);
    freshCounts.set(kind, n);
  }
  return n;
}

const CLASS_NAMES: Record<string, string> = { simple_rnn: 'SimpleRNN', lstm: 'LSTM', gru: 'GRU' };

function freshInfo(kind: string): ModelInfo {
  return {
    id: `fresh:${kind}`,
    label: `untrained ${CLASS_NAMES[kind] ?? kind} (lab sizes, random init)`,
    meta: { task: 'imdb', kind, vocab: 10000, maxlen: 200 },
    source: 'fresh',
    accuracy: null,
  };
}
