/**
 * A stack of layers' parameter count, worked out from each layer's own weightSpecs and computeOutputShape without
 * building anything: what a Sequential of these layers would say from countParams() once built, known before
 * gigabytes are allocated (the dashboard refuses a job over --max-model-params this way).
 */
import { kerasShape, Layer, userBuilt, type SymbolicShape } from '../layers/layer.js';
import { InputLayer } from '../layers/input_layer.js';
import { isModelObject, nestedModelError } from './model_common.js';

/** One layer of a plan: the shapes it takes and gives, and the parameters its build would create. */
export interface LayerPlan {
  layer: Layer;
  inputShape: SymbolicShape;
  outputShape: SymbolicShape;
  params: number;
}

export interface StackPlan {
  layers: LayerPlan[];
  outputShape: SymbolicShape;
  /** The sum over the layers, trainable or not, as Keras's count_params. */
  params: number;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** What the layer's build creates (or, built, holds) for inputShape. */
function layerParams(layer: Layer, inputShape: SymbolicShape): number {
  // A Sequential does not build a built layer again: it holds what it has, which a user's build or a nested model's
  // layers made without weightSpecs.
  if (layer.built) return layer.countParams();
  return layer.weightSpecsFor([inputShape]).reduce((n, w) => n + size(w.shape), 0);
}

/** Whether a layer that takes `expected` (null: any size) refuses `given`. */
export function shapeClashes(expected: SymbolicShape, given: SymbolicShape): boolean {
  return expected.length !== given.length || expected.some((d, i) => d !== null && given[i] !== null && d !== given[i]);
}

/**
 * What Sequential.add refuses of a layer joining `held` (`what` starts the message): a model, a disposed layer, one
 * whose extra outputs a Sequential would drop (a nested model), a name already in the model, and an InputLayer
 * after another layer.
 */
export function checkSequentialLayer(what: string, layer: Layer, held: readonly Layer[]): void {
  if (isModelObject(layer)) throw nestedModelError(what, layer, 'a nested model is not supported in a Sequential model');
  if (!(layer instanceof Layer)) throw new Error(`${what}: expected a layer, got ${String(layer)}`);
  layer.assertNotDisposed();
  const extra = layer.extraOutputsOption();
  if (extra) throw new Error(`${what}: ${layer.name} (${layer.className}): ${extra} is not supported in a Sequential model (the extra outputs would be dropped); use a functional model (rl.model), which keeps them${typeof (layer as { run?: unknown }).run === 'function' ? ', or call layer.run directly' : ''}`);
  if (held.some((l) => l.name === layer.name)) throw new Error(`${what}: a layer named '${layer.name}' is already in the model`);
  // tfjs's add applies a later layer to the model's output, which an InputLayer refuses: it would take no input.
  if (layer instanceof InputLayer && held.length > 0) {
    throw new Error(`${what}: ${layer.name} (InputLayer) may only be the first layer of a Sequential model; ` +
      `it comes after ${held[held.length - 1].name} here (an InputLayer takes no input)`);
  }
}

/**
 * Plans `layers` as a Sequential model of them would be built: each one fed the previous one's output, the first
 * batchInputShape (default: the first layer's own input shape, from inputShape, inputDim or batchInputShape). Nothing
 * is built or allocated (a layer already built stays as it is, and counts the weights it holds); a layer that
 * cannot take its input, or that Sequential.add refuses, throws as the Sequential would.
 */
export function planStack(layers: readonly Layer[], batchInputShape?: SymbolicShape): StackPlan {
  if (layers.length === 0) throw new Error('planStack: no layers to plan');
  const first = layers[0], declared = first instanceof Layer ? first.batchInputShape : null;
  let shape = batchInputShape ?? declared;
  if (!shape) {
    throw new Error(`planStack: the first layer, ${first.name} (${first.className}), has no input shape; give it inputShape (or inputDim), or pass the batch input shape`);
  }
  // A Sequential builds its first layer for the layer's own input shape as soon as it is added.
  if (declared && !first.built && shapeClashes(declared, shape)) {
    throw new Error(`planStack: cannot connect ${first.name} (${first.className}) to input ${kerasShape(shape)}: it takes input ${kerasShape(declared)} (its inputShape, inputDim or batchInputShape), which a Sequential model builds it for`);
  }
  const planned: LayerPlan[] = [];
  for (const layer of layers) {
    const earlier = planned.map((p) => p.layer);
    if (earlier.includes(layer)) throw new Error(`planStack: ${layer.name} (${layer.className}) appears twice; a Sequential model takes each layer once`);
    checkSequentialLayer('planStack', layer, earlier);
    // Running a user's build to learn its weights would allocate them, which is what a plan avoids.
    const custom = layer.built ? null : userBuilt(layer);
    if (custom) {
      throw new Error(`planStack: ${custom.name} (${custom.className}) creates its weights in its own build() or by calling the layers it holds, so they cannot be counted without building it; build the model and call countParams()`);
    }
    const inputShape = shape;
    let outs: SymbolicShape[], params: number;
    try {
      const spec = layer.built ? layer.builtInputShape : null;
      if (spec && shapeClashes(spec, inputShape) && !layer.takesShape(spec, inputShape)) {
        throw new Error(`it was built for input ${kerasShape(spec)}`);
      }
      params = layerParams(layer, inputShape);
      outs = layer.computeOutputShapes([inputShape], 1);
    } catch (e) {
      throw new Error(`planStack: cannot connect ${layer.name} (${layer.className}) to input ${kerasShape(inputShape)}: ${(e as Error).message}`);
    }
    if (outs.length !== 1) throw new Error(`planStack: ${layer.name} (${layer.className}) has ${outs.length} outputs, but every layer of a Sequential model must have one`);
    shape = outs[0];
    planned.push({ layer, inputShape, outputShape: shape, params });
  }
  return { layers: planned, outputShape: shape, params: planned.reduce((n, p) => n + p.params, 0) };
}
