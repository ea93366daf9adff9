/** rl.data, and fitDataset/evaluateDataset attached to Sequential (as src/ops/methods.ts attaches tensor methods). */
import type { History } from '../models/callback.js';
import { Sequential } from '../models/sequential.js';
import { Dataset } from './dataset.js';
import { evaluateDataset, fitDataset, type FitDatasetArgs } from './fit_dataset.js';
import { array, csv, generator, zip } from './sources.js';

export { Dataset, evaluateDataset, fitDataset };
export type { FitDatasetArgs };
export type { CsvConfig } from './sources.js';

export const data = { array, generator, zip, csv, Dataset };

declare module '../models/sequential.js' {
  interface Sequential {
    fitDataset(dataset: Dataset<unknown>, args?: FitDatasetArgs): Promise<History>;
    evaluateDataset(dataset: Dataset<unknown>, args?: { batches?: number }): Promise<number[]>;
  }
}

Sequential.prototype.fitDataset = function (this: Sequential, dataset: Dataset<unknown>, args?: FitDatasetArgs) { return fitDataset(this, dataset, args); };
Sequential.prototype.evaluateDataset = function (this: Sequential, dataset: Dataset<unknown>, args?: { batches?: number }) { return evaluateDataset(this, dataset, args); };
