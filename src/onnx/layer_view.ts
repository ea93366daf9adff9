/**
 * What the exporter reads from a layer: its class, config and weights through the public API only
 * (className, getConfig(), getWeightValues()), so internal refactors of the layers do not touch ONNX export; and from
 * a functional model, its graph of such layers. The public API's types (toOnnx's) come from here: this module names
 * no ONNX protobuf type, so the published declarations need neither onnx-proto's nor Long's.
 */
import { builtInMethod } from '../layers/built_in_classes.js';
import { heldLayers, Layer } from '../layers/layer.js';

export interface LayerView {
  name: string;
  className: string;
  config: Record<string, unknown>;
  weights: Float32Array[];
}

export interface MaskInfo {
  /** float32 [B, T]: 1 for a real step, 0 for padding. */
  m: string;
  parts?: MaskParts;
}

/** What mask_export.ts derives from a mask once, for the RNNs that run under it. */
export interface MaskParts {
  /** int64 [B, T]: original positions of the real steps first, then the padding. */
  order: string;
  /** int32 [B]: real steps per row, at least 1 (ONNX Runtime rejects 0); rows with none are zeroed by hasAny. */
  lens: string;
  /** float32 [B, 1]: 1 where the row has a real step. */
  hasAny: string;
  /** int64 [B, T]: real steps at or before t (forward) and strictly before t (for the reverse direction). */
  upTo: string;
  before: string;
  /** int64 [B, 1]: real steps per row (may be 0). */
  count: string;
}

/** The tensor flowing between layers: its ONNX name, its rank, and the padding mask Keras would propagate. */
export interface Flow { x: string; rank: number; mask: MaskInfo | null }

export class OnnxExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxExportError';
  }
}

export function refuse(view: LayerView, why: string): never {
  throw new OnnxExportError(`ONNX export: layer '${view.name}' (${view.className}) ${why}`);
}

export interface LayerLike { name: string; className: string; getConfig(): Record<string, unknown>; getWeightValues(): Float32Array[] }

/** A tensor of a functional model (rl.model), as the exporter reads it. */
export interface GraphTensor { dtype: string; shape: (number | null)[]; sourceLayer: { name: string } }

/** A functional model (rl.model), as the exporter reads it (functional_export.ts). */
export interface ExportableGraph {
  name: string;
  inputs: GraphTensor[];
  outputs: GraphTensor[];
  nodes: { layer: LayerLike; inputs: GraphTensor[]; outputs: GraphTensor[]; inputCount: number; args?: { training?: boolean } }[];
}

/** Config keys in camelCase whichever spelling getConfig uses (rnnlab's camelCase or Keras's snake_case). */
function camelKeys(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    const nested = k === 'layer' && v && typeof v === 'object' ? v as { className?: string; class_name?: string; config?: Record<string, unknown> } : null;
    out[k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())] = nested
      ? { className: nested.className ?? nested.class_name, config: nested.config ? camelKeys(nested.config) : undefined } : v;
  }
  return out;
}

/** The methods through which a layer computes its output and mask: one a user's subclass overrides, the exporter cannot follow. */
const COMPUTING_METHODS = ['call', 'apply', 'computeMask'] as const;

/**
 * Whether the layer's className is one of rnnlab's classes' (inherited by a user's subclass): the class that sets it
 * is rnnlab's. A class's prototype owns `constructor`, so builtInMethod on an object just below that prototype says
 * whether the class itself is rnnlab's.
 */
function namedByBuiltIn(layer: object): boolean {
  let cls = (layer as { constructor?: object }).constructor;
  while (cls && !Object.prototype.hasOwnProperty.call(cls, 'className')) cls = Object.getPrototypeOf(cls) as object;
  const proto = (cls as { prototype?: object } | undefined)?.prototype;
  return proto !== undefined && builtInMethod(Object.create(proto) as object, 'constructor');
}

/**
 * A user's subclass of one of rnnlab's layers that overrides how it computes (TwiceDense extends Dense, with its own
 * call()) keeps the parent's className and config: exported by them, the file would compute the parent's output
 * where predict computes the subclass's. Refused, naming the class and what it overrides; one that overrides nothing
 * computational (a constructor, getConfig) computes as its parent and is exported. The layers it wraps (a
 * TimeDistributed's, a Bidirectional's, an RNN's cells) are checked too, as the export writes theirs as well. A
 * class with a className of its own cannot pass for rnnlab's: it is refused by that name ("has no ONNX export").
 */
function refuseOverriddenCompute(top: LayerLike, layer: object, seen: Set<object>): void {
  if (seen.has(layer)) return;
  seen.add(layer);
  const overridden = COMPUTING_METHODS.filter((m) => !builtInMethod(layer, m));
  if (overridden.length > 0 && namedByBuiltIn(layer)) {
    const held = layer as Partial<LayerLike>;
    const which = layer === top ? 'its class' : `its layer '${String(held.name)}' (${String(held.className)}) is of class`;
    const className = (layer as { constructor?: { name?: string } }).constructor?.name || '(anonymous)';
    throw new OnnxExportError(`ONNX export: layer '${top.name}' (${top.className}) has no ONNX export: ${which} ${className}, which overrides ` +
      `${overridden.map((m) => `${m}()`).join(' and ')}; the file would compute ${layer === top ? top.className : String(held.className)}'s own output, not the class's`);
  }
  if (layer instanceof Layer) for (const [, inner] of heldLayers(layer)) refuseOverriddenCompute(top, inner, seen);
}

export function viewOf(layer: LayerLike): LayerView {
  if (layer instanceof Layer) refuseOverriddenCompute(layer, layer, new Set());
  return { name: layer.name, className: layer.className, config: camelKeys(layer.getConfig()), weights: layer.getWeightValues() };
}

/** The recurrent layer each of rnnlab's cells runs as. */
export const LAYER_OF_CELL: Record<string, string> = { SimpleRNNCell: 'SimpleRNN', LSTMCell: 'LSTM', GRUCell: 'GRU' };

/**
 * The layer wrapped by TimeDistributed or Bidirectional, with the given share of the wrapper's weights. An RNN over
 * one of rnnlab's cells is the SimpleRNN, LSTM or GRU it equals (the same weights, in the same order).
 */
export function innerView(owner: LayerView, weights: Float32Array[], suffix: string): LayerView {
  const inner = owner.config.layer as { className?: string; config?: Record<string, unknown> } | undefined;
  if (!inner || typeof inner.className !== 'string' || !inner.config) refuse(owner, 'has no wrapped layer in its config');
  const view = { name: `${owner.name}/${suffix}`, className: inner.className, config: inner.config, weights };
  if (view.className !== 'RNN') return view;
  return cellAsLayer(view) ?? refuse(owner, `wraps an RNN over ${cellWords(view)}, which is not exported (wrap one SimpleRNN, LSTM or GRU layer, or a single one of their cells)`);
}

/** An RNN over one of rnnlab's cells as the SimpleRNN, LSTM or GRU layer it equals; null for a stack or another cell. */
export function cellAsLayer(view: LayerView): LayerView | null {
  const cell = view.config.cell as { className?: string; config?: Record<string, unknown> } | undefined;
  const className = LAYER_OF_CELL[cell?.className ?? ''];
  if (!className || !cell?.config) return null;
  const { returnSequences, returnState, goBackwards, stateful, zeroOutputForMask } = view.config;
  return { ...view, className, config: { ...cell.config, returnSequences, returnState, goBackwards, stateful, zeroOutputForMask } };
}

/** What an RNN runs over, in messages: 'a stack of cells', 'a cell of class MyCell'. */
export function cellWords(view: LayerView): string {
  const cell = view.config.cell as { className?: string } | undefined;
  return cell?.className === 'StackedRNNCells' ? 'a stack of cells' : `a cell of class ${String(cell?.className)}`;
}
