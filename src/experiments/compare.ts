/** The lab's part 1 side by side: train several IMDb models on the same data and tabulate them. */
import { percent, seconds, type Table } from '../report/table.js';
import type { ChartSpec } from '../report/svg.js';
import { trainImdb, wholeEpochsOf, type ImdbArrays, type ImdbRun, type ImdbTrainOptions } from './imdb_task.js';
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
  /** A model whose training threw: its name and the error (thrown on by the caller once the others are recorded); its run, as far as it got, is the last of `runs`. */
  failure?: { model: ImdbModelName; error: unknown } | null;
}

export async function compareModels(data: ImdbArrays, models: ImdbModelName[], o: ImdbTrainOptions = {},
  onRun?: (name: ImdbModelName, i: number) => void): Promise<CompareResult> {
  const runs: ImdbRun[] = [];
  const confusionByModel: Record<string, number[][]> = {};
  let classes: string[] = [];
  let failure: CompareResult['failure'] = null;
  for (let i = 0; i < models.length; i++) {
    // Stopped: the models not started yet are not built or trained.
    if (o.signal?.aborted) break;
    onRun?.(models[i], i);
    // --layers stacks the recurrent models' layers; the others have none to stack and keep their one hidden layer.
    let partial: ImdbRun | null = null;
    const given: ImdbTrainOptions = { ...(STACKABLE_MODELS.includes(models[i]) ? o : { ...o, layers: undefined }), onFailed: (r, e) => { partial = r; o.onFailed?.(r, e); } };
    let run: ImdbRun;
    try {
      run = await trainImdb(models[i], data, given);
    } catch (e) {
      // The models trained before it keep their results; the ones after it are not started.
      failure = { model: models[i], error: e };
      if (partial) runs.push(partial);
      break;
    }
    runs.push(run);
    if (run.cancelled) continue;
    const cls = imdbTestClassification(run.model, data);
    classes = cls.classes;
    confusionByModel[run.name] = cls.confusion;
  }
  const rows: CompareRow[] = runs.map((r, i) => ({
    model: r.name, params: r.params, ...wholeEpochs(r), batchSize: r.config.batchSize as number,
    testAccuracy: r.testAccuracy, testLoss: r.testLoss, totalSeconds: r.totalSeconds,
  }));
  const table: Table = {
    caption: `IMDb sentiment, ${data.nTrain.toLocaleString('en-US')} training and ${data.nTest.toLocaleString('en-US')} test reviews (vocab ${data.vocab}, maxlen ${data.maxlen})`,
    columns: ['model', 'params', 'epochs', 'batch', 's/epoch', 'train acc', 'test acc'],
    rows: rows.map((r) => [r.model, r.params, r.partialLastEpoch ? `${r.epochs} + partial` : r.model === failure?.model ? `${r.epochs} (failed)` : r.epochs, r.batchSize, seconds(r.secondsPerEpoch), percent(r.trainAccuracy), percent(r.testAccuracy)]),
  };
  const notTrained = models.slice(runs.length + (failure && !runs.some((r) => r.name === failure!.model) ? 1 : 0));
  const finding = compareFinding(rows, runs, models.length === 1, failure?.model) + (failure ? failurePart(failure, runs, notTrained) : stopPart(runs, notTrained));
  // The curves, as the table, show whole epochs only: a cut epoch's numbers are of the batches it got.
  const perEpoch = (key: string) => runs.map((r, i) => ({ name: r.name, y: (r.history[key] ?? []).slice(0, rows[i].epochs) }));
  // ff_raw's loss on raw ids is in the hundreds; a log axis keeps the others readable.
  const losses = perEpoch('loss').flatMap((s) => s.y).filter((v) => Number.isFinite(v) && v > 0);
  const wideLoss = losses.length > 0 && Math.max(...losses) / Math.min(...losses) > 50;
  const charts: ChartSpec[] = [
    { title: 'Training accuracy per epoch', xLabel: 'epoch', yLabel: 'accuracy', series: perEpoch('accuracy') },
    { title: `Training loss per epoch${wideLoss ? ' (log scale)' : ''}`, xLabel: 'epoch', yLabel: 'binary cross-entropy', logY: wideLoss,
      series: perEpoch('loss') },
    { kind: 'bar', title: 'Accuracy', yLabel: 'accuracy', yMin: 0, yMax: 1, categories: rows.map((r) => r.model),
      series: [{ name: 'train', y: rows.map((r) => r.trainAccuracy) }, { name: 'test', y: rows.map((r) => r.testAccuracy) }] },
    { kind: 'bar', title: 'Seconds per epoch', yLabel: 'seconds', categories: rows.map((r) => r.model), series: [{ name: 's/epoch', y: rows.map((r) => r.secondsPerEpoch) }] },
  ];
  return { rows, runs: runs.map(({ model: _m, ...rest }) => rest), table, charts, finding, classes, confusionByModel, failure };
}

/**
 * A run's whole epochs, seconds per epoch and train accuracy (trainImdb's, over its whole epochs): an epoch a stop
 * cut short was timed short and its accuracy is of the batches it got, so it would make the model look faster, and
 * trained, than it was.
 */
function wholeEpochs(r: ImdbRun): Pick<CompareRow, 'epochs' | 'partialLastEpoch' | 'secondsPerEpoch' | 'trainAccuracy'> {
  return { epochs: wholeEpochsOf(r), ...(r.partialLastEpoch ? { partialLastEpoch: true as const } : {}), secondsPerEpoch: r.meanSecondsPerEpoch, trainAccuracy: r.trainAccuracy };
}

/** The models whose value prints the same as the first's: naming only the first of them would rank a tie. */
function tiedAtPrinted(sorted: CompareRow[], print: (r: CompareRow) => string): CompareRow[] {
  return sorted.length ? sorted.filter((r) => print(r) === print(sorted[0])) : [];
}

/** The printed percentage as a number, so a margin is the difference of the numbers the table shows. */
const printedPercent = (v: number) => Number.parseFloat(percent(v));

/**
 * Which model wins on test accuracy, by how much over the next, and which is fastest; with one model, its numbers
 * alone. A stopped run has no test numbers (NaN) and its seconds are of a cut run: it is neither best nor fastest.
 */
export function compareFinding(rows: CompareRow[], runs: Pick<ImdbRun, 'cancelled'>[], oneModel: boolean, failed?: ImdbModelName): string {
  const byAccuracy = rows.filter((r) => Number.isFinite(r.testAccuracy)).sort((a, b) => b.testAccuracy - a.testAccuracy);
  const bySpeed = rows.filter((r, i) => !runs[i].cancelled && r.model !== failed && Number.isFinite(r.secondsPerEpoch)).sort((a, b) => a.secondsPerEpoch - b.secondsPerEpoch);
  const best = tiedAtPrinted(byAccuracy, (r) => percent(r.testAccuracy));
  const fastest = tiedAtPrinted(bySpeed, (r) => seconds(r.secondsPerEpoch));
  if (!best.length || !fastest.length) return rows.length ? `No model was evaluated (${rows.map((r) => r.model).join(', ')} started).` : 'No model was trained.';
  const top = best[0];
  const ffRaw = rows.find((r) => r.model === 'ff_raw');
  const ffRawNote = ffRaw && ffRaw.testAccuracy < 0.6 ? ` The feed-forward net on raw ids stays near chance (${percent(ffRaw.testAccuracy)}): word ids are labels, not quantities.` : '';
  if (oneModel) {
    return `${top.model} reaches ${percent(top.testAccuracy)} test accuracy (${top.params.toLocaleString('en-US')} parameters) at ${seconds(top.secondsPerEpoch)} s per epoch; ` +
      'with one model there is nothing to compare it with.' +
      (ffRawNote || (top.testAccuracy < 0.6 ? ' It is still near chance (below 60%): train longer or on more reviews.' : ''));
  }
  const next = byAccuracy.find((r) => percent(r.testAccuracy) !== percent(top.testAccuracy));
  const margin = next ? `, ${(printedPercent(top.testAccuracy) - printedPercent(next.testAccuracy)).toFixed(2)} percentage points above ${next.model} (${percent(next.testAccuracy)})` : '';
  const bestPart = best.length > 1
    ? `${best.map((r) => r.model).join(', ')} tie for the best test accuracy (${percent(top.testAccuracy)})${margin}`
    : `${top.model} reaches the best test accuracy (${percent(top.testAccuracy)}, ${top.params.toLocaleString('en-US')} parameters)${margin}`;
  const fastPart = fastest.length > 1
    ? `${fastest.map((r) => r.model).join(', ')} tie for the fastest at ${seconds(fastest[0].secondsPerEpoch)} s per epoch.`
    : `${fastest[0].model} is the fastest at ${seconds(fastest[0].secondsPerEpoch)} s per epoch.`;
  // One row of several asked for (a stop before the second) has no others to be near chance with.
  const allNearChance = top.testAccuracy < 0.6 && rows.length > 1;
  return `${bestPart}; ${fastPart}` +
    (allNearChance ? ' Every model is still near chance (below 60%): train longer or on more reviews before ranking them.' : ffRawNote);
}

/** Where a stop left the comparison: the model it cut and the models never started. */
function stopPart(runs: Pick<ImdbRun, 'name' | 'cancelled' | 'history' | 'config'>[], notTrained: ImdbModelName[]): string {
  const stoppedIn = runs.find((r) => r.cancelled);
  if (stoppedIn) {
    return ` Stopped while training ${stoppedIn.name} (in epoch ${stoppedIn.history.loss?.length ?? 0} of ${String(stoppedIn.config.epochs)})${notTrained.length ? `; not trained: ${notTrained.join(', ')}` : ''}.`;
  }
  return notTrained.length ? ` Stopped before training ${notTrained.join(', ')}.` : '';
}

/** Where a failure left the comparison: the model that failed, in which epoch, with its error, and the models never started. */
function failurePart(failure: NonNullable<CompareResult['failure']>, runs: Pick<ImdbRun, 'name' | 'history' | 'config'>[], notTrained: ImdbModelName[]): string {
  const r = runs.find((x) => x.name === failure.model);
  const where = r ? ` (after ${r.history.loss?.length ?? 0} of ${String(r.config.epochs)} epoch(s))` : '';
  const e = failure.error as Error | undefined;
  return ` ${failure.model} failed${where}: ${e?.message ?? String(failure.error)}${notTrained.length ? `; not trained: ${notTrained.join(', ')}` : ''}.`;
}

/** The record body of a comparison: one model record per model, metrics keyed by model. */
export function compareBody(res: CompareResult, data: ImdbArrays, config: Record<string, unknown>): RecordBody {
  return {
    config, data: imdbDataRecord(data, (config.limit as number | null) ?? null), models: res.runs.map((r, i) => imdbModelRecord(r, res.rows[i].epochs)),
    metrics: Object.fromEntries(res.rows.map((r) => [r.model, { testAccuracy: r.testAccuracy, trainAccuracy: r.trainAccuracy, testLoss: r.testLoss }])),
    finding: res.finding, tables: [res.table],
    details: { comparison: res.rows, ...(res.classes.length ? { classes: res.classes, confusionByModel: res.confusionByModel } : {}) },
  };
}
