/**
 * A Functional model's topology in the TensorFlow.js Layers / Keras 2 format: config.layers[] each with
 * inbound_nodes ([[layerName, nodeIndex, tensorIndex, kwargs], ...] per call), input_layers and output_layers.
 * Loading creates the layers unbuilt, replays their calls on symbolic tensors in dependency order (which plans
 * every weight shape without drawing values), and only then reads weights.
 */
import { heldLayers, snakeCase, tracksHeldLayers, withoutInitializers, type Layer } from '../layers/layer.js';
import { layerClass } from '../layers/registry.js';
import { InputLayer } from '../layers/input_layer.js';
import { Functional } from '../models/functional.js';
import { firstCall, NestedModel, nestedLayer } from '../models/nested.js';
import type { Node, SymbolicTensor } from '../layers/symbolic.js';
import type { SymbolicShape } from '../layers/layer.js';
import type { Variable } from '../variable.js';
import { globalRandom } from '../random.js';
import { ModelFormatError, ModelTooLargeError } from './errors.js';
import { checkBuildConfig, declaredBatchShape, layerFromKeras, layerToKeras, type KerasLayerJSON } from './keras_config.js';
import { describe } from '../describe.js';
import { layerDtypePolicy } from '../mixed_precision.js';
import { withoutMaskOps } from './keras3_mask_ops.js';

type TensorRef = [string, number, number];
/** A call's keyword arguments as tfjs and tf.keras 2 write them after each input reference: a fixed training mode. */
type CallArgs = { training?: boolean };

export interface FunctionalTopology {
  class_name: 'Functional';
  config: {
    name: string;
    trainable: boolean;
    layers: (KerasLayerJSON & { name: string; inbound_nodes: [string, number, number, CallArgs][][] })[];
    input_layers: TensorRef[];
    output_layers: TensorRef[];
  };
}

/** The nodes of each layer that belong to this model, in call order (a shared layer may have calls elsewhere). */
function modelNodes(model: Functional): Map<Layer, Node[]> {
  const inModel = new Set<Node>([...model.nodes, ...model.inputs.map((t) => t.node)]);
  const out = new Map<Layer, Node[]>();
  for (const l of [...model.layers, ...model.unusedInputLayers]) out.set(l, l.inboundNodes.filter((n) => inModel.has(n)));
  return out;
}

/** Only Functional models are nested (Functional.apply makes the stand-ins). */
const innerOf = (l: NestedModel): Functional => l.model as Functional;

export function functionalTopology(model: Functional): FunctionalTopology {
  refuseTiedHeldLayers(model);
  const nodes = modelNodes(model);
  const ref = (t: SymbolicTensor): TensorRef => [t.node.layer.name, nodes.get(t.node.layer)!.indexOf(t.node) + firstCall(t.node.layer), t.outputIndex];
  // An unused input is listed last, at depth 0 as Keras's map_graph places it.
  const layers = [...model.layers, ...model.unusedInputLayers].map((l) => {
    const { class_name, config } = l instanceof NestedModel ? { class_name: 'Model', config: functionalTopology(innerOf(l)).config }
      : layerToKeras(l, l instanceof InputLayer ? l.batchInputShape : null);
    // A call's fixed training mode goes with each of its inputs, as tfjs and tf.keras 2 write a node's kwargs.
    const inbound = l instanceof InputLayer ? [] : nodes.get(l)!.map((n) => {
      const kwargs: CallArgs = n.args.training === undefined ? {} : { training: n.args.training };
      return n.inputs.map((t) => [...ref(t), { ...kwargs }] as [string, number, number, CallArgs]);
    });
    return { class_name, config, name: l.name, inbound_nodes: inbound };
  });
  // trainable: the model's own flag, which a layer's may differ from (Keras 3's Functional.get_config writes it).
  return { class_name: 'Functional', config: { name: model.name, trainable: model.trainable, layers, input_layers: model.inputs.map(ref), output_layers: model.outputs.map(ref) } };
}

/**
 * A custom layer holding a layer that the graph applies too (tied embeddings) works in memory, but cannot load back:
 * loading makes the holder afresh, with a held layer of its own, untied from the graph's, and unbuilt where the
 * holder's call only reads its weights. Keras 3 saves such a model and fails at load (or loads the two untied);
 * saving refuses it here, before anything is written.
 */
function refuseTiedHeldLayers(model: Functional): void {
  const inGraph = new Set(allLayers(model));
  for (const holder of inGraph) {
    if (!tracksHeldLayers(holder)) continue;
    for (const [path, held] of heldLayers(holder)) {
      if (!inGraph.has(held)) continue;
      throw new Error(`${model.name}: layer ${holder.name} (${holder.className}) holds layer '${held.name}' (at ${path}), which the model also applies in its graph: ` +
        'a loaded copy would make the held layer afresh, untied from the graph\'s, so the file could not load back. Apply it only inside the custom layer ' +
        "(one layer that both embeds and projects, chosen by a call kwarg, as Keras Hub's ReversibleEmbedding), or let the graph alone apply it");
    }
  }
}

/**
 * The model's weights with tfjs names ('<layer>/<leaf>'), layer by layer (layerOrderWeights). A layer reached twice
 * (inside a nested model and directly) is one set of variables, saved once, as Keras 3 deduplicates them; loading
 * shares it again (replay's `shared`).
 */
export function functionalWeights(model: Functional): { name: string; shape: number[]; data: ArrayLike<number> }[] {
  return weightsOf(model, new Set(), model.name, new Map(), new Map(), new Set());
}

type NamedWeight = { name: string; shape: number[]; data: ArrayLike<number> };

function weightsOf(model: Functional, done: Set<Layer>, path: string, owner: Map<string, string>, wrappers: Map<unknown, string>, listed: Set<Variable>): NamedWeight[] {
  return model.layers.flatMap((l) => {
    if (done.has(l)) return [];
    done.add(l);
    if (l instanceof NestedModel) return weightsOf(innerOf(l), done, `${path} > ${l.name}`, owner, wrappers, listed);
    refuseModelWrappedTwice(l, wrappers, path);
    // A variable listed already (a custom layer's held layer that the graph applies too: tied embeddings) is saved once.
    if (l.weights.every((w) => listed.has(w))) return [];
    const first = l.inboundNodes.find((n) => model.nodes.includes(n))!;
    const specs = l.weightSpecsFor(first.inputs.map((t) => t.shape));
    // A custom layer creates its weights in its own build (weightSpecs stays empty): its variables carry the names.
    const named = specs.length === 0 ? l.weights.filter((w) => !listed.has(w)).map((w) => ({ name: w.name, shape: [...w.shape], data: w.values })) : (() => {
      if (specs.length !== l.weights.length) throw new Error(`${model.name}: layer '${l.name}' has ${l.weights.length} weights but its config implies ${specs.length}`);
      return specs.map((s, i) => ({ name: `${l.name}/${s.name}`, shape: [...l.weights[i].shape], data: l.weights[i].values }));
    })();
    // Files name weights '<layer>/<leaf>' whatever the nesting (tfjs): two layers with one name would collide.
    // A wrapped model's weights are named in it, so the message names the wrapper.
    const here = (l as { layer?: { model?: unknown } }).layer?.model ? `${path} > ${l.name}` : path;
    for (const w of named) {
      const other = owner.get(w.name);
      if (other) {
        throw new Error(`${path}: two different layers would save their weights as '${w.name}' (one in ${other}, one in ${here}); `
          + 'layer names need only be unique within one model, but tfjs files name weights by layer name alone: rename one of the layers');
      }
      owner.set(w.name, here);
    }
    for (const w of l.weights) listed.add(w);
    return named;
  });
}

/**
 * A model wrapped by two TimeDistributed layers of one saved model is one set of variables that the file would
 * list under both: refused, naming the model and both wrappers (`wrappers`: each wrapped model's first wrapper).
 */
export function refuseModelWrappedTwice(l: Layer, wrappers: Map<unknown, string>, path: string): void {
  const wrapped = (l as { layer?: { model?: unknown } }).layer?.model;
  if (l.className !== 'TimeDistributed' || typeof wrapped !== 'object' || wrapped === null) return;
  const first = wrappers.get(wrapped);
  if (first !== undefined) {
    throw new Error(`${path}: the same model '${(wrapped as { name?: string }).name}' is wrapped twice (by '${first}' and '${l.name}'), `
      + 'whose weights a file would list twice; save a model that wraps it once, or wrap a copy');
  }
  wrappers.set(wrapped, l.name);
}

/** Every layer of the model and of the models nested in it. */
export function allLayers(model: Functional): Layer[] {
  return model.layers.flatMap((l) => (l instanceof NestedModel ? [l, ...allLayers(innerOf(l))] : [l]));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The keys Keras 3, tf.keras 2 and tfjs write in a model's config (Keras 3 adds trainable, and dtype to a Sequential's). */
const FUNCTIONAL_KEYS = ['name', 'trainable', 'layers', 'input_layers', 'output_layers'];
const SEQUENTIAL_KEYS = ['name', 'trainable', 'dtype', 'layers', 'build_input_shape'];

/**
 * A model config's name and own trainable flag, its keys checked as a layer config's are: an unknown key is an error
 * naming it rather than dropped. null stands for the default, as tfjs writes it.
 */
export function modelConfigFields(cfg: Record<string, unknown>, kind: 'Functional' | 'Sequential', where: string): { name?: string; trainable?: boolean } {
  const known = kind === 'Functional' ? FUNCTIONAL_KEYS : SEQUENTIAL_KEYS;
  const unknown = Object.keys(cfg).find((k) => !known.includes(k));
  if (unknown !== undefined) throw new ModelFormatError(`${where}: the ${kind} model config has key '${unknown}', which rnnlab does not read (it reads ${known.join(', ')})`);
  const { name, trainable } = cfg;
  if (name !== undefined && name !== null && (typeof name !== 'string' || name === '')) throw new ModelFormatError(`${where}: the model's name must be a non-empty string, got ${describe(name)}`);
  if (trainable !== undefined && trainable !== null && typeof trainable !== 'boolean') throw new ModelFormatError(`${where}: the model's trainable must be true or false, got ${describe(trainable)}`);
  // Keras 3 writes a Sequential's policy and its from_config reads only its layers' own, so a policy rnnlab runs
  // changes nothing and needs no warning (the layers give theirs); any other value is a broken file.
  try { layerDtypePolicy(`the ${kind} model's dtype`, cfg.dtype, () => {}); } catch (e) { throw new ModelFormatError(`${where}: ${(e as Error).message}`); }
  return { name: name ?? undefined, trainable: trainable ?? undefined } as { name?: string; trainable?: boolean };
}

function tensorRef(v: unknown, where: string): TensorRef {
  if (!Array.isArray(v) || v.length < 3 || typeof v[0] !== 'string' || !Number.isInteger(v[1]) || !Number.isInteger(v[2])) {
    throw new ModelFormatError(`${where}: expected [layer_name, node_index, tensor_index], got ${JSON.stringify(v)?.slice(0, 80)}`);
  }
  // training (the call's fixed mode) is read with the call (callTraining); any other keyword argument is refused.
  if (v.length > 3 && v[3] !== null && !(isObject(v[3]) && Object.keys(v[3]).every((k) => k === 'training'))) {
    const { training: _training, ...rest } = v[3] as Record<string, unknown>;
    throw new ModelFormatError(`${where}: call arguments ${JSON.stringify(isObject(v[3]) ? rest : v[3]).slice(0, 80)} are not supported (rnnlab records only training)`);
  }
  return [v[0], v[1] as number, v[2] as number];
}

/**
 * Rebuilds the graph of a Functional/Model topology without drawing initial values (the saved weights overwrite
 * them; the global RNG is left as it was). Errors name the layer and the call.
 */
export function functionalFromTopology(topo: Record<string, unknown>, where: string, maxParams: number, kerasVersion?: unknown, shareByName = false, misfit?: MisfitCheck): Functional {
  const cfg = topo.config;
  if (!isObject(cfg)) throw new ModelFormatError(`${where}: modelTopology.config must be an object with layers, input_layers, output_layers`);
  const rawLayers = cfg.layers;
  if (!Array.isArray(rawLayers) || rawLayers.length === 0) throw new ModelFormatError(`${where}: the model has no layers (config.layers is empty or missing)`);
  if (!Array.isArray(cfg.input_layers) || !Array.isArray(cfg.output_layers)) throw new ModelFormatError(`${where}: config.input_layers and config.output_layers must be lists`);
  const rngState = globalRandom.getState();
  try {
    const budget: ReplayState = { left: maxParams, max: maxParams, defaultsWritten: writesTrainingDefaults(kerasVersion), shared: shareByName ? new Map() : null, file: where, planned: [], misfit };
    return withoutInitializers(() => replay(cfg, rawLayers, where, budget));
  } finally {
    globalRandom.setState(rngState);
  }
}

/**
 * The parameter budget left, and whether this file's Keras 3 calls carry training defaults Keras wrote itself.
 * shared: every layer made so far, at any nesting level, by name, with its entry's config as written.
 */
interface ReplayState {
  left: number; max: number; defaultsWritten: boolean; shared: Map<string, { layer: Layer; config: string }> | null;
  /** The file's own place (`where` of the outer model), which every message at any nesting level starts with. */
  file: string;
  /** The weights of each layer built so far, at any nesting level, in call order ('<layer>/<leaf>'). */
  planned: PlannedLayerWeight[];
  misfit?: MisfitCheck;
}

/** One weight a layer of the file creates for its first call, as the weights manifest names it. */
export interface PlannedLayerWeight { name: string; shape: number[]; layer: Layer }

/**
 * Given the weights planned so far (those of the layers built before a failing call, then the failing layer's own),
 * the first one whose manifest entry has another shape, in words; '' when none does.
 */
export type MisfitCheck = (planned: PlannedLayerWeight[]) => string;

/**
 * One layer reached at two levels (inside a nested model and directly) is written in both models' configs, its
 * weights once (functionalWeights). With the weights (shareByName), an entry with the name and config of a layer
 * already made is that layer again, so the loaded model shares it as the saved one did: the file names weights by
 * layer name alone, so two weighted layers of one name cannot both be in it. A config alone (fromConfig,
 * modelFromJSON) cannot tell one layer from two of the same name and config, so each entry is its own layer there,
 * as Keras's from_config makes them. An InputLayer is never shared (each model keeps its own).
 */
function sharedLayer(e: unknown, budget: ReplayState, make: () => Layer): Layer {
  if (!budget.shared || !isObject(e) || (e.class_name ?? e.className) === 'InputLayer') return make();
  const name = typeof e.name === 'string' ? e.name : isObject(e.config) && typeof e.config.name === 'string' ? e.config.name : undefined;
  const config = JSON.stringify({ cls: e.class_name ?? e.className, config: e.config });
  const seen = name === undefined ? undefined : budget.shared.get(name);
  if (seen && seen.config === config) return seen.layer;
  const layer = make();
  if (!budget.shared.has(layer.name)) budget.shared.set(layer.name, { layer, config });
  return layer;
}

function replay(cfg: Record<string, unknown>, fileLayers: unknown[], where: string, budget: ReplayState): Functional {
  const rawLayers = withoutMaskOps(cfg, fileLayers, where, (e) => callSpecOf(e)?.inputNames ?? []);
  const byName = new Map<string, Layer>();
  const pending: { layer: Layer; calls: unknown[]; at: string; entry: unknown }[] = [];
  rawLayers.forEach((e, i) => {
    const at = `${where}: layer ${i}`;
    const calls = isObject(e) ? e.inbound_nodes ?? [] : [];
    const named = isObject(e) && typeof e.name === 'string' ? `${at} ('${e.name}')` : at;
    if (!Array.isArray(calls)) throw new ModelFormatError(`${named}: inbound_nodes must be a list, got ${describe(calls)}`);
    const nested = isNestedModelEntry(e);
    const layer = sharedLayer(e, budget, () => (nested ? nestedFromEntry(e, at, budget) : layerFromKeras(withCallOptions(withEntryName(e), calls, named), at)));
    if (!nested && isObject(e) && typeof e.name === 'string' && layer.name !== e.name) userClassDroppedName(e, e.name, layer, named);
    if (byName.has(layer.name)) throw new ModelFormatError(`${where}: two layers are named '${layer.name}'`);
    byName.set(layer.name, layer);
    if (!(layer instanceof InputLayer)) pending.push({ layer, calls: [...calls], at: `${at} ('${layer.name}')`, entry: e });
  });
  const fromZero = keras3Sequentials(cfg, rawLayers);
  const first = (l: Layer): number => (fromZero.has(l.name) ? 0 : firstCall(l));
  // A file numbers a layer's calls within this model; a shared layer also has calls in the other models.
  const callsHere = new Map<Layer, Node[]>();
  const nodesOf = (l: Layer): Node[] => (l instanceof InputLayer ? l.inboundNodes : callsHere.get(l) ?? []);
  const tensorAt = (r: TensorRef, at: string): SymbolicTensor | null => {
    const l = byName.get(r[0]);
    if (!l) throw new ModelFormatError(`${at}: refers to layer '${r[0]}', which the model does not have`);
    if (r[1] < first(l)) throw new ModelFormatError(`${at}: refers to call ${r[1]} of nested model '${r[0]}', but files number a nested model's calls from 1 (Keras and tfjs)`);
    const node = nodesOf(l)[r[1] - first(l)];
    if (!node) return null;
    const t = node.outputs[r[2]];
    if (!t) throw new ModelFormatError(`${at}: layer '${r[0]}' call ${r[1]} has no output ${r[2]}`);
    return t;
  };
  // Keras's order: keep sweeping the layers, applying each next call whose inputs all exist.
  let progress = true;
  while (progress && pending.some((p) => p.calls.length > 0)) {
    progress = false;
    for (const p of pending) {
      while (p.calls.length > 0) {
        const call = p.calls[0];
        const at = `${p.at}, inbound node ${nodesOf(p.layer).length}`;
        const raw = callInputs(call, at, callSpecOf(p.entry));
        if (!Array.isArray(raw) || raw.length === 0) throw new ModelFormatError(`${at}: expected a list of input tensors, got ${describe(call)}`);
        const ins = raw.map((r, k) => tensorAt(tensorRef(r, `${at} input ${k}`), `${at} input ${k}`));
        if (ins.some((t) => t === null)) break;
        const training = callTraining(call, p.entry, at, budget.defaultsWritten);
        const building = !p.layer.built && !(p.layer instanceof NestedModel);
        const own = building ? ownPlannedWeights(p.layer, ins as SymbolicTensor[]) : [];
        try {
          const [x, ...states] = ins as SymbolicTensor[];
          checkParams(p.layer, ins as SymbolicTensor[], budget, at);
          // tfjs and Keras 2 list a recurrent call's initial states after its input: they go back as initialState.
          if (states.length && p.layer.takesInitialStateList) p.layer.apply(x, { initialState: states, training });
          else p.layer.apply(ins.length === 1 ? x : ins as SymbolicTensor[], { training });
        } catch (e) {
          if (e instanceof ModelTooLargeError) throw e;
          throw new ModelFormatError(misfitFirst(budget, own, at, (e as Error).message), { cause: e });
        }
        // A custom layer's weights are known only once its own build has made them.
        if (building) budget.planned.push(...(own.length > 0 ? own : p.layer.weights.map((w) => ({ name: w.name, shape: [...w.shape], layer: p.layer }))));
        callsHere.set(p.layer, [...nodesOf(p.layer), p.layer.inboundNodes[p.layer.inboundNodes.length - 1]]);
        // Keras 3's build_config records the first call's input shape: it must be the one this graph gives.
        if (p.layer.inboundNodes.length === firstCall(p.layer) + 1) checkBuildConfig(p.entry, ins.length === 1 ? ins[0]!.shape : ins.map((t) => t!.shape), at);
        p.calls.shift();
        progress = true;
      }
    }
  }
  const stuck = pending.find((p) => p.calls.length > 0);
  if (stuck) throw new ModelFormatError(`${stuck.at}: its inputs never become available (a missing or circular reference in inbound_nodes)`);
  const refs = (list: unknown[], what: string) => list.map((r, i) => {
    const t = tensorAt(tensorRef(r, `${where}: ${what}[${i}]`), `${where}: ${what}[${i}]`);
    if (!t) throw new ModelFormatError(`${where}: ${what}[${i}] refers to a call of '${(r as TensorRef)[0]}' that does not exist`);
    return t;
  });
  const { name, trainable } = modelConfigFields(cfg, 'Functional', where);
  try {
    const model = new Functional({ inputs: refs(refList(cfg.input_layers as unknown[]), 'input_layers'), outputs: refs(refList(cfg.output_layers as unknown[]), 'output_layers'), name });
    if (trainable !== undefined) model.restoreOwnTrainable(trainable);
    return model;
  } catch (e) {
    if (e instanceof ModelFormatError) throw e;
    throw new ModelFormatError(`${where}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * A layer entry whose config has no name (a custom getConfig that does not spread super.getConfig(), in a file written
 * by another program) takes the entry's own name, which is what the model's references use.
 */
function withEntryName(e: unknown): unknown {
  if (!isObject(e) || typeof e.name !== 'string' || !isObject(e.config) || e.config.name !== undefined) return e;
  return { ...e, config: { ...e.config, name: e.name } };
}

/** A user-registered class whose constructor dropped the config's name would only surface as a dangling reference. */
function userClassDroppedName(e: Record<string, unknown>, name: string, layer: Layer, at: string): void {
  const cls = e.class_name ?? e.className;
  if (typeof cls !== 'string' || typeof layerClass(cls) !== 'object') return;
  throw new ModelFormatError(`${at}: the ${cls} layer built from this config is named '${layer.name}', not '${name}'; its constructor must pass the config's name on to super (as fromConfig(config) does with new ${cls}(config))`);
}

/**
 * A model in a model's layer list: tfjs writes class 'Model', Keras 'Functional', config a Functional topology; a
 * Sequential model nested in a functional one (tfjs, Keras) is class 'Sequential' with its layer list.
 */
export function isNestedModelEntry(e: unknown): e is { class_name?: unknown; className?: unknown; config: Record<string, unknown> | unknown[] } {
  if (!isObject(e)) return false;
  const cls = e.class_name ?? e.className;
  if (cls === 'Sequential') return Array.isArray(e.config) || (isObject(e.config) && Array.isArray(e.config.layers));
  return (cls === 'Model' || cls === 'Functional') && isObject(e.config) && Array.isArray(e.config.layers);
}

/**
 * A nested Sequential's config as the chain of calls it stands for: its InputLayer (the one it lists first, or one
 * made from its first layer's batch_input_shape, named '<first layer>_input' as tfjs and Keras name it), then each
 * layer called on the one before. rnnlab then holds it as a nested functional model (saved back as tfjs's 'Model').
 */
export function sequentialAsFunctional(raw: Record<string, unknown> | unknown[], where: string): Record<string, unknown> {
  const layers = [...(Array.isArray(raw) ? raw : raw.layers as unknown[])];
  const { name, trainable } = Array.isArray(raw) ? {} : modelConfigFields(raw, 'Sequential', where);
  if (layers.length === 0) throw new ModelFormatError(`${where}: the Sequential model has no layers`);
  const first = layers[0];
  if (!isObject(first) || !isObject(first.config)) throw new ModelFormatError(`${where}: the Sequential model's layer 0 must be {class_name, config}`);
  let input: Record<string, unknown>;
  if ((first.class_name ?? first.className) === 'InputLayer') input = layers.shift() as Record<string, unknown>;
  else {
    const shape = firstBatchShape(first, `${where}: Sequential layer 0`);
    if (!shape) throw new ModelFormatError(`${where}: the Sequential model's first layer declares no batch_input_shape`);
    input = { class_name: 'InputLayer', config: { batch_input_shape: shape, dtype: 'float32', sparse: false, name: `${String(first.config.name)}_input` } };
  }
  const inputName = isObject(input.config) ? input.config.name : undefined;
  if (typeof inputName !== 'string') throw new ModelFormatError(`${where}: the Sequential model's InputLayer has no name`);
  // Files number a nested model's calls from 1 (its own node is call 0).
  let prev: TensorRef = [inputName, 0, 0];
  const chain = layers.map((l, i) => {
    if (!isObject(l) || !isObject(l.config) || typeof l.config.name !== 'string') throw new ModelFormatError(`${where}: Sequential layer ${i}: expected {class_name, config: {name, ...}}`);
    const entry = { ...l, name: l.config.name, inbound_nodes: [[[...prev, {}]]] };
    prev = [l.config.name, isNestedModelEntry(l) ? 1 : 0, 0];
    return entry;
  });
  return { name, trainable, layers: [{ ...input, name: inputName, inbound_nodes: [] }, ...chain], input_layers: [[inputName, 0, 0]], output_layers: [prev] };
}

/** The input shape a chain's first entry declares: its own, or (a nested model) that of the model's first input. */
function firstBatchShape(entry: Record<string, unknown>, where: string): SymbolicShape | null {
  const cfg = entry.config;
  if (!isNestedModelEntry(entry)) return isObject(cfg) ? declaredBatchShape(cfg, where) : null;
  const inner = Array.isArray(cfg) ? cfg : (cfg as Record<string, unknown>).layers as unknown[];
  const head = inner[0];
  if (!isObject(head)) return null;
  return (head.class_name ?? head.className) === 'InputLayer' || !isNestedModelEntry(head)
    ? (isObject(head.config) ? declaredBatchShape(head.config, where) : null) : firstBatchShape(head, where);
}

function nestedFromEntry(e: { class_name?: unknown; className?: unknown; config: Record<string, unknown> | unknown[] }, at: string, budget: ReplayState): Layer {
  const cfg = (e.class_name ?? e.className) === 'Sequential' ? sequentialAsFunctional(e.config, at) : e.config as Record<string, unknown>;
  const where = `${at} (nested model${typeof cfg.name === 'string' ? ` '${cfg.name}'` : ''})`;
  if (!Array.isArray(cfg.input_layers) || !Array.isArray(cfg.output_layers)) throw new ModelFormatError(`${where}: config.input_layers and config.output_layers must be lists`);
  return nestedLayer(replay(cfg, cfg.layers as unknown[], where, budget));
}

/**
 * The nested Sequential models whose calls the file numbers from 0. Keras 2 and tfjs count a nested model's own
 * construction as its call 0, so files refer to its first real call as 1; Keras 3 does so only for Functional models
 * (functional.py, get_config's kept_nodes) and numbers a nested Sequential's calls from 0. A reference to call 0 of a
 * nested Sequential is therefore Keras 3's numbering, which then holds for every reference to that model.
 */
function keras3Sequentials(cfg: Record<string, unknown>, rawLayers: unknown[]): Set<string> {
  const names = new Set<string>();
  for (const e of rawLayers) {
    if (isNestedModelEntry(e) && (e.class_name ?? e.className) === 'Sequential') {
      const name = (e as Record<string, unknown>).name;
      if (typeof name === 'string') names.add(name);
    }
  }
  const out = new Set<string>();
  if (names.size === 0) return out;
  const see = (r: unknown): void => {
    if (Array.isArray(r) && typeof r[0] === 'string' && r[1] === 0 && names.has(r[0])) out.add(r[0]);
  };
  for (const e of rawLayers) {
    const calls = isObject(e) && Array.isArray(e.inbound_nodes) ? e.inbound_nodes : [];
    for (const call of calls) {
      // Malformed calls are reported when they are replayed, with their place.
      try { callInputs(call, '', callSpecOf(e)).forEach(see); } catch { /* reported by replay */ }
    }
  }
  for (const key of ['input_layers', 'output_layers']) {
    if (Array.isArray(cfg[key])) refList(cfg[key] as unknown[]).forEach(see);
  }
  return out;
}

/** Keras 3 writes a model's single input or output as one flat [name, node, tensor] triple. */
function refList(v: unknown[]): unknown[] {
  return v.length > 0 && typeof v[0] === 'string' ? [v] : v;
}

/** What a layer class says of Keras's call arguments (MultiHeadAttention's statics); absent on most classes. */
interface CallSpec { className: string; optionArgs: readonly string[]; inputNames: readonly string[] }

function callSpecOf(e: unknown): CallSpec | null {
  if (!isObject(e) || isNestedModelEntry(e)) return null;
  const name = e.class_name ?? e.className;
  const cls = typeof name === 'string' ? layerClass(name) as { callOptionArgs?: readonly string[]; callInputNames?: readonly string[] } | undefined : undefined;
  if (!cls || (!cls.callOptionArgs && !cls.callInputNames)) return null;
  return { className: name as string, optionArgs: (cls.callOptionArgs ?? []).map(snakeCase), inputNames: cls.callInputNames ?? [] };
}

const isKeras3Call = (c: unknown): c is { args: unknown; kwargs?: unknown } => isObject(c) && 'args' in c;

/** A call's keyword arguments: Keras 3's kwargs, or those tf.keras 2 writes after a call's input references. */
function callKwargs(c: unknown): Record<string, unknown> {
  if (isKeras3Call(c)) return isObject(c.kwargs) ? c.kwargs : {};
  const refs = Array.isArray(c) && typeof c[0] === 'string' ? [c] : Array.isArray(c) ? c : [];
  return Object.assign({}, ...refs.map((r) => (Array.isArray(r) && isObject(r[3]) ? r[3] : {})));
}

/**
 * Keras 3's layers whose call() declares training=False. Released Keras 3 (3.0 to 3.15) writes that default into
 * every call of such a layer the user left alone (Layer.__call__ fills it in before recording the node; Keras 3.16
 * records only what the call gave), so there `training: false` on one of them cannot be told from a user's
 * layer(x, training=False). Those Keras versions let fit, evaluate and predict override a call's training anyway.
 */
const KERAS3_TRAINING_FALSE_DEFAULT = new Set(['Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'SpatialDropout3D', 'GaussianNoise',
  'GaussianDropout', 'AlphaDropout', 'SimpleRNN', 'LSTM', 'GRU', 'RNN', 'ConvLSTM1D', 'ConvLSTM2D', 'ConvLSTM3D', 'Attention',
  'AdditiveAttention', 'SpectralNormalization']);

/** Whether a Keras 3 file may hold training defaults Keras filled in: every writer but Keras 3.16 and later. */
function writesTrainingDefaults(kerasVersion: unknown): boolean {
  const m = typeof kerasVersion === 'string' ? /^(\d+)\.(\d+)/.exec(kerasVersion) : null;
  return !m || (Number(m[1]) === 3 && Number(m[2]) < 16) || Number(m[1]) < 3;
}

/**
 * A call's fixed training mode (Keras's layer(x, training=False), tfjs's apply(x, {training})): Keras 3's
 * kwargs.training, or the training tf.keras 2, tfjs and rnnlab write with each input reference. null or absent: the
 * model's mode. The call then runs in that mode in fit, evaluate and predict alike (Keras 3.16's rule; tf.keras 2's).
 * A Keras 3 `training: false` on a layer whose call defaults to it is read as the default Keras wrote (see above).
 */
function callTraining(call: unknown, entry: unknown, at: string, defaultsWritten: boolean): boolean | undefined {
  const v = callKwargs(call).training;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new ModelFormatError(`${at}: call argument training must be true, false or null, got ${JSON.stringify(v)?.slice(0, 60)}`);
  const cls = isObject(entry) ? entry.class_name ?? entry.className : undefined;
  if (!v && defaultsWritten && isKeras3Call(call) && typeof cls === 'string' && KERAS3_TRAINING_FALSE_DEFAULT.has(cls)) return undefined;
  return v;
}

/**
 * Keras 3 and tf.keras 2 record call arguments such as MultiHeadAttention's use_causal_mask with each call; rnnlab keeps them per
 * layer (its config). The value every call gives (a call that leaves one out has the config's, else Keras's default
 * false) goes into the config the layer is built from; calls that disagree are refused naming the layer.
 */
function withCallOptions(e: unknown, calls: unknown[], at: string): unknown {
  const spec = callSpecOf(e);
  if (!spec || spec.optionArgs.length === 0 || !isObject(e) || !isObject(e.config)) return e;
  const config = { ...e.config };
  for (const key of spec.optionArgs) {
    const own = config[key] ?? false;
    const given = calls.map((c) => callKwargs(c)[key] ?? undefined);
    if (given.every((v) => v === undefined)) continue;
    const bad = given.find((v) => v !== undefined && typeof v !== 'boolean');
    if (bad !== undefined) throw new ModelFormatError(`${at}: call argument ${key} must be true or false, got ${describe(bad)}`);
    const values = new Set(given.map((v) => v ?? own));
    if (values.size > 1) {
      throw new ModelFormatError(`${at}: the ${spec.className}'s calls give ${key} = ${given.map((v) => String(v ?? own)).join(', ')} in turn; rnnlab keeps ${key} per layer, so all calls of one layer must agree (use two layers)`);
    }
    config[key] = [...values][0];
  }
  return { ...e, config };
}

/**
 * One inbound node's input references: Keras 2 / tfjs write a list of [name, node, tensor, kwargs]; Keras 3 writes
 * {args, kwargs} holding {class_name: '__keras_tensor__', config: {keras_history}} (initial states in kwargs, and
 * inputs passed by keyword, as MultiHeadAttention's query/value/key, placed in the class's call order).
 */
function callInputs(call: unknown, at: string, spec: CallSpec | null = null): unknown[] {
  if (isKeras3Call(call)) {
    const refs: unknown[] = [];
    const walk = (v: unknown, into = refs): void => {
      if (Array.isArray(v)) v.forEach((x) => walk(x, into));
      else if (isKerasTensor(v)) into.push(v.config.keras_history);
    };
    walk(call.args);
    const kwargs = isObject(call.kwargs) ? call.kwargs : {};
    const byKeyword: unknown[] = [];
    const layerName = spec ? ` of ${spec.className}` : '';
    for (const [k, v] of Object.entries(kwargs)) {
      const slot = spec ? spec.inputNames.indexOf(k) : -1;
      if (k === 'initial_state') walk(v);
      else if (slot >= 0 && v !== null) {
        if (!isKerasTensor(v)) throw new ModelFormatError(`${at}: call argument ${k}${layerName} must be a tensor, got ${JSON.stringify(v)?.slice(0, 60)}`);
        if (slot < refs.length) throw new ModelFormatError(`${at}: call argument ${k}${layerName} is given both by position and by keyword`);
        const own: unknown[] = [];
        walk(v, own);
        byKeyword[slot] = own;
      } else if (spec?.optionArgs.includes(k)) {
        // Read into the layer's config by withCallOptions.
      } else if (spec && isKerasTensor(v) && (k === 'attention_mask' || spec.inputNames.some((n) => k === `${n}_mask`))) {
        throw new ModelFormatError(`${at}: call argument ${k}${layerName} is a tensor, which rnnlab's functional models do not take: a padding mask rides on its input tensor (embedding({maskZero}), masking), and a per-call attention_mask is taken only on real tensors (apply(..., {attentionMask}))`);
      } else if (k === 'mask' && JSON.stringify(v ?? null).includes('"__keras_tensor__"')) {
        // Keras 3's own mask ops were checked and dropped before (keras3_mask_ops); a layer's output as a mask is not read.
        throw new ModelFormatError(`${at}: call argument mask${layerName} is a layer's output tensor; rnnlab propagates padding masks itself (embedding({maskZero}), masking) and reads a mask only as the Keras 3 op entries those write`);
      } else if (k !== 'mask' && k !== 'training' && v !== null && v !== false) { // training: read by callTraining
        throw new ModelFormatError(`${at}: call argument ${k}${layerName} = ${JSON.stringify(v)?.slice(0, 60)} is not supported`);
      }
    }
    if (byKeyword.length > 0) {
      for (let i = refs.length; i < byKeyword.length; i++) {
        if (!byKeyword[i]) throw new ModelFormatError(`${at}: the call gives ${spec!.inputNames[byKeyword.length - 1]} but not ${spec!.inputNames[i]}`);
        refs.push(...(byKeyword[i] as unknown[]));
      }
    }
    return refs;
  }
  const list = Array.isArray(call) && call.length > 0 && typeof call[0] === 'string' ? [call] : (call as unknown[]);
  return spec && Array.isArray(list) ? list.flatMap((r) => legacyKeywordInputs(r, at, spec)) : list;
}

/**
 * tf.keras 2 writes a call as [first input's ref + kwargs], the other inputs among the kwargs (MultiHeadAttention:
 * [[query, 0, 0, {value: [name, node, tensor], key: ..., use_causal_mask: true}]]): the inputs in call order.
 */
function legacyKeywordInputs(ref: unknown, at: string, spec: CallSpec): unknown[] {
  if (!Array.isArray(ref) || ref.length < 4 || !isObject(ref[3])) return [ref];
  const slots: unknown[] = [ref.slice(0, 3)];
  for (const [k, v] of Object.entries(ref[3])) {
    const slot = spec.inputNames.indexOf(k);
    if (slot === 0) throw new ModelFormatError(`${at}: call argument ${k} of ${spec.className} is given both by position and by keyword`);
    if (slot > 0 && v !== null) slots[slot] = v;
    else if (Array.isArray(v) && k === 'attention_mask') {
      throw new ModelFormatError(`${at}: call argument ${k} of ${spec.className} is a tensor, which rnnlab's functional models do not take: a padding mask rides on its input tensor (embedding({maskZero}), masking), and a per-call attention_mask is taken only on real tensors (apply(..., {attentionMask}))`);
    } else if (!spec.optionArgs.includes(k) && k !== 'training' && v !== null && v !== false) {
      throw new ModelFormatError(`${at}: call argument ${k} of ${spec.className} = ${JSON.stringify(v)?.slice(0, 60)} is not supported`);
    }
  }
  for (let i = 1; i < slots.length; i++) {
    if (!slots[i]) throw new ModelFormatError(`${at}: the call gives ${spec.inputNames[slots.length - 1]} but not ${spec.inputNames[i]}`);
  }
  return slots;
}

function isKerasTensor(v: unknown): v is { config: { keras_history: unknown } } {
  return isObject(v) && v.class_name === '__keras_tensor__' && isObject(v.config);
}

/** The weights a layer about to be built for these inputs would create, named as files name them; [] when unknown. */
function ownPlannedWeights(layer: Layer, ins: SymbolicTensor[]): PlannedLayerWeight[] {
  try {
    return layer.weightSpecsFor(ins.map((t) => t.shape)).map((s) => ({ name: `${layer.name}/${s.name}`, shape: [...s.shape], layer }));
  } catch {
    // The layer cannot take these inputs at all: its call says why.
    return [];
  }
}

/**
 * A call that failed (`reason`) after a config edited away from its saved weights (a Dense's units changed) gives the
 * layers after it another input, so the failure is a symptom: the weight that does not fit its manifest entry, among
 * those built before it or the failing layer's own, is named first, as the Sequential reader does.
 */
function misfitFirst(budget: ReplayState, own: PlannedLayerWeight[], at: string, reason: string): string {
  const misfit = budget.misfit?.([...budget.planned, ...own]) ?? '';
  if (!misfit || !at.startsWith(`${budget.file}: `)) return `${at}: ${reason}`;
  return `${budget.file}: ${misfit}, so ${at.slice(budget.file.length + 2)} fails: ${reason}`;
}

/** Refuses a call whose new weights would take the model past maxParams, before they are allocated. */
function checkParams(layer: Layer, ins: SymbolicTensor[], budget: ReplayState, at: string): void {
  if (layer.built) return;
  const n = layer.weightSpecsFor(ins.map((t) => t.shape)).reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
  budget.left -= n;
  if (budget.left < 0) throw new ModelTooLargeError(`${at}: the model declares more than ${budget.max} parameters, over the limit (raise it with the maxParams load option)`, budget.max - budget.left, budget.max, true);
}
