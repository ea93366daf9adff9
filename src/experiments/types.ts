/** What every experiment hands back: the CLI prints it, the report renders it, the dashboard can reuse it. */
import type { ProgressWriter } from '../models/progress.js';
import type { ModelRecord } from '../report/record.js';
import type { ChartSpec } from '../report/svg.js';
import type { Table } from '../report/table.js';

export interface ExperimentResult {
  name: string;
  title: string;
  /** The finding, in one sentence. */
  finding: string;
  /** Headline numbers (fractions for accuracies). */
  numbers: Record<string, number>;
  tables: Table[];
  charts: ChartSpec[];
  /** Lines the experiment prints before its tables (e.g. the lab's shape printouts). */
  lines?: string[];
  /** The options it ran with. */
  config: Record<string, unknown>;
  /** Raw measurements for results.json. */
  details?: Record<string, unknown>;
  /** The models it trained, with their histories (loss, accuracy, ... per epoch) and epoch times. */
  models?: ModelRecord[];
  /** What it read (IMDb: reviews, vocab, maxlen, limit; results.json's data); none for generated data. */
  data?: Record<string, unknown>;
}

/** Where training progress goes (Keras-style), and how much of it. */
export interface RunIo {
  out?: ProgressWriter;
  /** 0 silent, 1 Keras bar/epoch lines, 2 one line per epoch. */
  verbose?: 0 | 1 | 2;
  /** Status lines ("Training the reversed model..."). */
  log?: (line: string) => void;
  /**
   * Each model's record, as the experiment's result will list it, once the experiment has finished that model: a run
   * that fails later still records the models finished before it.
   */
  onModelDone?: (m: ModelRecord) => void;
}
