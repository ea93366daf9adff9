/** The lab's part 1 side by side: train several IMDb models on the same data and tabulate them. */
import { percent, seconds, type Table } from '../report/table.js';
import type { ChartSpec } from '../report/svg.js';
import { trainImdb, type ImdbArrays, type ImdbRun, type ImdbTrainOptions } from './imdb_task.js';
import { STACKABLE_MODELS, type ImdbModelName } from './lab_models.js';
import { imdbDataRecord, imdbModelRecord, imdbTestClassification } from './imdb_result.js';
import type { RecordBody } from '../report/record.js';

export const LAB_MODELS: ImdbModelName[] = ['ff_raw', 'ff_embed', 'cnn', 'simple_rnn', 'lstm', 'cnn_lstm'];

export interface CompareRow {
  model: ImdbModelName;
  params: number;
  /** Whole epochs trained (a stopped model's cut epoch is not one). */
  epochs: number;
  /** Only on the model a stop cut inside an epoch: secondsPerEpoch and trainAccuracy are of its whole epochs (NaN with none). */
  partialLastEpoch?: true;
  batchSize: number;
  secondsPerEpoch: number;
  trainAccuracy: number;
  testAccuracy: number;
  testLoss: number;
  totalSeconds: number;
}

export interface CompareResult {
  rows: CompareRow[];
  runs: Omit<ImdbRun, 'model'>[];
  table: Table;
  charts: ChartSpec[];
  finding: string;
  /** The classes and each model's confusion[true][predicted] on the test reviews (one prediction pass per model). */
  classes: string[];
  confusionByModel: Record<string, number[][]>;
}

export async function compareModels(data: ImdbArrays, models: ImdbModelName[], o: ImdbTrainOptions = {},
  onRun?: (name: ImdbModelName, i: number) => void): Promise<CompareResult> {
  const runs: ImdbRun[] = [];
  // Whether the stop cut the run's last epoch short: batches done in it against the epoch's steps.
  const cut: boolean[] = [];
  let steps = 0, batchesDone = 0;
  const counted: ImdbTrainOptions = !o.signal ? o : {
    ...o,
    onTrainBegin: (info) => { steps = info.steps; batchesDone = 0; o.onTrainBegin?.(info); },
    onBatchEnd: (epoch, batch, logs) => { batchesDone = batch + 1; return o.onBatchEnd?.(epoch, batch, logs); },
  };
  const confusionByModel: Record<string, number[][]> = {};
  let classes: string[] = [];
  for (let i = 0; i < models.length; i++) {
    // Stopped: the models not started yet are not built or trained.
    if (o.signal?.aborted) break;
    onRun?.(models[i], i);
    // --layers stacks the recurrent models' layers; the others have none to stack and keep their one hidden layer.
    const run = await trainImdb(models[i], data, STACKABLE_MODELS.includes(models[i]) ? counted : { ...counted, layers: undefined });
    runs.push(run);
    cut.push(run.cancelled && batchesDone < steps);
    if (run.cancelled) continue;
    const cls = imdbTestClassification(run.model, data);
    classes = cls.classes;
    confusionByModel[run.name] = cls.confusion;
  }
  const rows: CompareRow[] = runs.map((r, i) => ({
    model: r.name, params: r.params, ...wholeEpochs(r, cut[i]), batchSize: r.config.batchSize as number,
    testAccuracy: r.testAccuracy, testLoss: r.testLoss, totalSeconds: r.totalSeconds,
  }));
  const table: Table = {
    caption: `IMDb sentiment, ${data.nTrain} training and ${data.nTest} test reviews (vocab ${data.vocab}, maxlen ${data.maxlen})`,
    columns: ['model', 'params', 'epochs', 'batch', 's/epoch', 'train acc', 'test acc'],
    rows: rows.map((r) => [r.model, r.params, r.partialLastEpoch ? `${r.epochs} + partial` : r.epochs, r.batchSize, seconds(r.secondsPerEpoch), percent(r.trainAccuracy), percent(r.testAccuracy)]),
  };
  // A cancelled run has no test numbers (NaN) and maybe no epoch: it cannot be the best or the fastest.
  const best = rows.filter((r) => Number.isFinite(r.testAccuracy)).sort((a, b) => b.testAccuracy - a.testAccuracy)[0];
  // A stopped run's last epoch was timed short.
  const fastest = rows.filter((r, i) => !runs[i].cancelled && Number.isFinite(r.secondsPerEpoch)).sort((a, b) => a.secondsPerEpoch - b.secondsPerEpoch)[0];
  const ffRaw = rows.find((r) => r.model === 'ff_raw');
  // Models equal to the printed digit share the best place: naming only the first of them would rank a tie.
  const tied = best ? rows.filter((r) => percent(r.testAccuracy) === percent(best.testAccuracy)) : [];
  const bestPart = tied.length > 1
    ? `${tied.map((r) => r.model).join(', ')} tie for the best test accuracy (${percent(best!.testAccuracy)})`
    : best ? `${best.model} reaches the best test accuracy (${percent(best.testAccuracy)}, ${best.params.toLocaleString('en-US')} parameters)` : '';
  const allNearChance = best !== undefined && best.testAccuracy < 0.6 && rows.length > 1;
  const stoppedIn = runs.find((r) => r.cancelled);
  const notTrained = models.slice(runs.length);
  const stopPart = stoppedIn
    ? ` Stopped while training ${stoppedIn.name} (in epoch ${stoppedIn.history.loss?.length ?? 0} of ${String(stoppedIn.config.epochs)})${notTrained.length ? `; not trained: ${notTrained.join(', ')}` : ''}.`
    : notTrained.length ? ` Stopped before training ${notTrained.join(', ')}.` : '';
  const finding = (best && fastest
    ? `${bestPart}; ` +
      `${fastest.model} is the fastest at ${seconds(fastest.secondsPerEpoch)} s per epoch.` +
      (allNearChance ? ' Every model is still near chance (below 60%): train longer or on more reviews before ranking them.'
        : ffRaw && ffRaw.testAccuracy < 0.6 ? ` The feed-forward net on raw ids stays near chance (${percent(ffRaw.testAccuracy)}): word ids are labels, not quantities.` : '')
    : rows.length ? `No model was evaluated (${rows.map((r) => r.model).join(', ')} started).` : 'No model was trained.') + stopPart;
  // ff_raw's loss on raw ids is in the hundreds; a log axis keeps the others readable.
  const losses = runs.flatMap((r) => r.history.loss ?? []).filter((v) => Number.isFinite(v) && v > 0);
  const wideLoss = losses.length > 0 && Math.max(...losses) / Math.min(...losses) > 50;
  const charts: ChartSpec[] = [
    { title: 'Training accuracy per epoch', xLabel: 'epoch', yLabel: 'accuracy', series: runs.map((r) => ({ name: r.name, y: r.history.accuracy ?? [] })) },
    { title: `Training loss per epoch${wideLoss ? ' (log scale)' : ''}`, xLabel: 'epoch', yLabel: 'binary cross-entropy', logY: wideLoss,
      series: runs.map((r) => ({ name: r.name, y: r.history.loss ?? [] })) },
    { kind: 'bar', title: 'Accuracy', yLabel: 'accuracy', yMin: 0, yMax: 1, categories: rows.map((r) => r.model),
      series: [{ name: 'train', y: rows.map((r) => r.trainAccuracy) }, { name: 'test', y: rows.map((r) => r.testAccuracy) }] },
    { kind: 'bar', title: 'Seconds per epoch', yLabel: 'seconds', categories: rows.map((r) => r.model), series: [{ name: 's/epoch', y: rows.map((r) => r.secondsPerEpoch) }] },
  ];
  return { rows, runs: runs.map(({ model: _m, ...rest }) => rest), table, charts, finding, classes, confusionByModel };
}

/**
 * A run's epochs, seconds per epoch and train accuracy over its whole epochs: an epoch a stop cut short was timed
 * short and its accuracy is of the batches it got, so it would make the model look faster, and trained, than it was.
 */
function wholeEpochs(r: ImdbRun, cut: boolean): Pick<CompareRow, 'epochs' | 'partialLastEpoch' | 'secondsPerEpoch' | 'trainAccuracy'> {
  const epochs = r.history.loss?.length ?? 0;
  if (!cut) return { epochs, secondsPerEpoch: r.meanSecondsPerEpoch, trainAccuracy: r.trainAccuracy };
  const whole = epochs - 1;
  const times = r.secondsPerEpoch.slice(0, whole);
  return {
    epochs: whole, partialLastEpoch: true,
    secondsPerEpoch: whole ? times.reduce((a, b) => a + b, 0) / whole : NaN,
    trainAccuracy: whole ? r.history.accuracy?.[whole - 1] ?? NaN : NaN,
  };
}

/** The record body of a comparison: one model record per model, metrics keyed by model. */
export function compareBody(res: CompareResult, data: ImdbArrays, config: Record<string, unknown>): RecordBody {
  return {
    config, data: imdbDataRecord(data, (config.limit as number | null) ?? null), models: res.runs.map(imdbModelRecord),
    metrics: Object.fromEntries(res.rows.map((r) => [r.model, { testAccuracy: r.testAccuracy, trainAccuracy: r.trainAccuracy, testLoss: r.testLoss }])),
    finding: res.finding, tables: [res.table],
    details: { comparison: res.rows, ...(res.classes.length ? { classes: res.classes, confusionByModel: res.confusionByModel } : {}) },
  };
}
