/**
 * A model standing in a graph as a layer (nested in an outer model, or wrapped by timeDistributed): the model stays
 * the user's object, and its trainable flag and weights are the stand-in's (one object in tfjs and Keras).
 */
import { BuiltInLayer } from '../layers/layer.js';
import type { Variable } from '../variable.js';

interface StandInModel {
  readonly name: string;
  trainable: boolean;
  readonly trainableWeights: Variable[];
  readonly nonTrainableWeights: Variable[];
}

export abstract class ModelStandIn<M extends StandInModel> extends BuiltInLayer {
  constructor(readonly model: M) {
    super({ name: model.name }, 'model');
  }

  /** Freezing the stand-in freezes the model's layers. The Layer constructor sets the flag before `model` exists. */
  override get trainable(): boolean { return this.model ? this.model.trainable : super.trainable; }
  override set trainable(value: boolean) {
    if (this.model) this.model.trainable = value;
    else super.trainable = value;
  }
  override get trainableWeights(): Variable[] { return this.model.trainableWeights; }
  override get nonTrainableWeights(): Variable[] { return this.model.nonTrainableWeights; }
}
