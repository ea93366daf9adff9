/** rl.data, and fitDataset/evaluateDataset attached to the models (as src/ops/methods.ts attaches tensor methods). */
import type { History } from '../models/callback.js';
import { Functional } from '../models/functional.js';
import { scalarResult } from '../models/scalars.js';
import { Sequential } from '../models/sequential.js';
import type { Tensor } from '../tensor.js';
import { Dataset } from './dataset.js';
import { evaluateDataset, fitDataset, type EvaluateDatasetArgs, type FitDatasetArgs } from './fit_dataset.js';
import { csv, CSVDataset } from './csv_dataset.js';
import { array, func, generator, zip } from './sources.js';

export { Dataset, evaluateDataset, fitDataset };
export type { EvaluateDatasetArgs, FitDatasetArgs };
export type { ColumnConfig, CsvConfig } from './csv_dataset.js';

export const data = { array, generator, func, zip, csv, Dataset, CSVDataset };

declare module '../models/sequential.js' {
  interface Sequential {
    fitDataset(dataset: Dataset<unknown>, args?: FitDatasetArgs): Promise<History>;
    /** tfjs's evaluateDataset: a Scalar, or [loss, ...metrics] as Scalars. */
    evaluateDataset(dataset: Dataset<unknown>, args?: EvaluateDatasetArgs): Promise<Tensor | Tensor[]>;
  }
}

declare module '../models/functional.js' {
  interface Functional {
    fitDataset(dataset: Dataset<unknown>, args?: FitDatasetArgs): Promise<History>;
    evaluateDataset(dataset: Dataset<unknown>, args?: EvaluateDatasetArgs): Promise<Tensor | Tensor[]>;
  }
}

for (const cls of [Sequential, Functional]) {
  cls.prototype.fitDataset = function (this: Sequential | Functional, dataset: Dataset<unknown>, args?: FitDatasetArgs) { return this.trainingRun('fitDataset', () => fitDataset(this, dataset, args)); };
  cls.prototype.evaluateDataset = async function (this: Sequential | Functional, dataset: Dataset<unknown>, args?: EvaluateDatasetArgs) {
    return scalarResult(await evaluateDataset(this, dataset, args));
  };
}
