/**
 * tfjs's LayersModel.getTrainingConfig(): compile's settings as the trainingConfig of a model.json. The names are
 * those model.save writes (src/io reads both spellings back); the optimizer's config is its getConfig(), camelCase,
 * as tfjs puts it there.
 */
import { lossSavedName } from '../losses.js';
import { metricsConfigOf, type MetricsConfig } from '../metrics/registry.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import type { TrainableModel } from './trainable.js';

export interface TrainingConfigDict {
  loss: string | string[];
  metrics: MetricsConfig;
  optimizer_config: { class_name: string; config: Record<string, unknown> };
  /** Keras's loss_weights, in output order, when compile was given them (tfjs 4.22 has no such field). */
  loss_weights?: number[];
}

type OptimizerConfig = TrainingConfigDict['optimizer_config'];

/**
 * optimizerConfig: how the optimizer is written; tfjs's getTrainingConfig gives its getConfig() as it is (camelCase),
 * model.save Keras's snake_case (src/io's optimizerToKeras).
 */
export function trainingConfigOf(model: TrainableModel, optimizerConfig: (o: Optimizer) => OptimizerConfig = camelCaseConfig): TrainingConfigDict {
  if (!model.loss || !model.optimizer) {
    throw new Error(`${model.name}.getTrainingConfig: the model is not compiled, so it has no training config; call compile({optimizer, loss}) first`);
  }
  // A user loss function goes by its name, as Keras saves it; loading it then needs {compile: false}.
  const names = (model.compiledLosses ?? []).map((c) => (c.fn ? c.name : lossSavedName(c.kind)));
  const heads = model.outputHeads().map((h) => h.name);
  const tc: TrainingConfigDict = {
    loss: names.length > 1 ? names : names[0] ?? lossSavedName(model.loss),
    metrics: metricsConfigOf(model.outputMetrics ?? heads.map(() => model.metrics), heads),
    optimizer_config: optimizerConfig(model.optimizer),
  };
  // A list in output order, as the loss list: two outputs may share a name (an LSTM's returnState), which a dict could not hold.
  if (model.lossWeights) tc.loss_weights = [...model.lossWeights];
  return tc;
}

function camelCaseConfig(o: Optimizer): OptimizerConfig {
  return { class_name: o.kerasName, config: o.getConfig() as Record<string, unknown> };
}
