/**
 * Keras 3 builds a functional model's padding masks with ops while it traces the model (Embedding(mask_zero)'s
 * compute_mask is ops.not_equal(x, 0), Masking's ops.any(ops.not_equal(x, mask_value), axis=-1)), so its get_config
 * lists those ops as entries of their own (module keras.src.ops.numpy, class 'NotEqual' / 'Any') whose outputs the
 * next layers' calls take as the keyword arguments mask, query_mask, value_mask or key_mask. rnnlab carries a padding
 * mask on the tensor instead. An op entry is dropped when it is exactly the mask rnnlab propagates to that argument
 * (same op, same value, same source tensor as the Embedding or Masking the argument's input comes from); any other
 * use of an op is refused, naming the op, the layer and the argument, since loading it would compute something else.
 */
import { ModelFormatError } from './errors.js';

type Ref = [string, number, number];
type Entry = Record<string, unknown>;

/** A mask as the ops Keras 3 writes it; by names the layer whose mask it is, where rnnlab computes it. */
type Mask = ({ op: 'NotEqual'; source: Ref; value: number } | { op: 'Any'; of: Mask } | { op: 'LogicalOr'; a: Mask; b: Mask }) & { by?: string };

const OP_MODULE = /^keras(\.src)?\.ops(\.|$)/;
/** Classes of the ops Keras's built-in compute_mask methods write, for files that drop the module key. */
const MASK_OP_CLASSES = new Set(['NotEqual', 'Any', 'LogicalAnd', 'LogicalOr', 'ExpandDims', 'ZerosLike', 'OnesLike']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const classOf = (e: Entry): string => String(e.class_name ?? e.className);
const isKerasTensor = (v: unknown): v is { config: { keras_history: unknown } } => isObject(v) && v.class_name === '__keras_tensor__' && isObject(v.config);
const historyOf = (v: { config: { keras_history: unknown } }): Ref | null => {
  const h = v.config.keras_history;
  return Array.isArray(h) && typeof h[0] === 'string' && Number.isInteger(h[1]) && Number.isInteger(h[2]) ? [h[0], h[1], h[2]] : null;
};
const sameRef = (a: Ref | null, b: Ref | null): boolean => !!a && !!b && a[0] === b[0] && a[1] === b[1] && a[2] === b[2];

export function isKerasOpEntry(e: unknown): boolean {
  if (!isObject(e)) return false;
  if (typeof e.module === 'string') return OP_MODULE.test(e.module);
  return MASK_OP_CLASSES.has(classOf(e)) && isObject(e.config) && e.inbound_nodes !== undefined;
}

/** The tensors a Keras 3 call passes by position, in order (a merge layer's list flattened). */
function positionalRefs(call: unknown): Ref[] {
  const out: Ref[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isKerasTensor(v)) { const r = historyOf(v); if (r) out.push(r); }
  };
  if (isObject(call) && 'args' in call) walk(call.args);
  else if (Array.isArray(call)) (typeof call[0] === 'string' ? [call] : call).forEach((r) => { if (Array.isArray(r) && typeof r[0] === 'string') out.push([r[0], r[1], r[2]] as Ref); });
  return out;
}

/** An op entry read as a mask expression, or why it is not one rnnlab computes. */
function readOp(e: Entry, ops: Map<string, Entry>, depth = 0): Mask | { why: string } {
  const cls = classOf(e);
  const calls = Array.isArray(e.inbound_nodes) ? e.inbound_nodes : [];
  const call = calls[0];
  const unsupported = { why: `${cls} with arguments ${JSON.stringify(isObject(call) ? call.args : call)?.slice(0, 80)} is not a mask rnnlab computes (it computes Embedding(mask_zero)'s NotEqual(x, 0), Masking's Any(NotEqual(x, mask_value), axis=-1) and the elementwise merges' LogicalOr of their inputs' masks)` };
  if (calls.length !== 1 || !isObject(call) || !Array.isArray(call.args) || (isObject(call.kwargs) && Object.keys(call.kwargs).length > 0) || depth > 1000) return unsupported;
  const args = call.args;
  const inner = (v: unknown): Mask | { why: string } | null => {
    const r = isKerasTensor(v) ? historyOf(v) : null;
    const o = r && r[2] === 0 ? ops.get(r[0]) : undefined;
    return o ? readOp(o, ops, depth + 1) : null;
  };
  if (cls === 'NotEqual' && args.length === 2) {
    const k = isKerasTensor(args[0]) ? 0 : isKerasTensor(args[1]) ? 1 : -1;
    const value = args[1 - k];
    const source = k >= 0 ? historyOf(args[k] as never) : null;
    if (source && typeof value === 'number' && !ops.has(source[0])) return { op: 'NotEqual', source, value };
  }
  const cfg = isObject(e.config) ? e.config : {};
  const lastAxis = cfg.axis === -1 || (Array.isArray(cfg.axis) && cfg.axis.length === 1 && cfg.axis[0] === -1);
  if (cls === 'Any' && args.length === 1 && lastAxis && !cfg.keepdims) {
    const of = inner(args[0]);
    if (of && 'op' in of && of.op === 'NotEqual') return { op: 'Any', of };
  }
  if (cls === 'LogicalOr' && args.length === 2) {
    const [a, b] = args.map(inner);
    if (a && b && 'op' in a && 'op' in b) return { op: 'LogicalOr', a, b };
  }
  return unsupported;
}

const MERGES_BY_OR = new Set(['Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum']);

/**
 * The mask rnnlab propagates to a tensor, as the ops Keras 3 writes for it: an Embedding(mask_zero)'s or Masking's,
 * the LogicalOr of an elementwise merge's inputs' masks (none unless all have one), else the first input's (Keras's
 * previous_mask); null where there is none (an input, an Embedding without mask_zero); a string where rnnlab's
 * rule is not one these ops state (Concatenate, a nested model).
 */
function expectedMask(ref: Ref, layers: Map<string, Entry>, depth = 0): Mask | string | null {
  const e = layers.get(ref[0]);
  if (!e || depth > 1000) return `'${ref[0]}' is not a layer of this model`;
  const cls = classOf(e), name = String(e.name);
  const calls = Array.isArray(e.inbound_nodes) ? e.inbound_nodes : [];
  const ins = positionalRefs(calls[ref[1]]);
  const cfg = isObject(e.config) ? e.config : {};
  if (cls === 'InputLayer') return null;
  if (cls === 'Embedding') return cfg.mask_zero === true && ins[0] ? { op: 'NotEqual', source: ins[0], value: 0, by: name } : null;
  if (cls === 'Masking' && ins[0]) {
    const value = typeof cfg.mask_value === 'number' ? cfg.mask_value : 0;
    return { op: 'Any', of: { op: 'NotEqual', source: ins[0], value }, by: name };
  }
  if (Array.isArray(cfg.layers) || cls === 'Concatenate') return `rnnlab's mask after ${cls} '${name}' is not one of these ops`;
  if (MERGES_BY_OR.has(cls) && ins.length > 1) {
    const masks = ins.map((r) => expectedMask(r, layers, depth + 1));
    const bad = masks.find((m) => typeof m === 'string');
    if (bad !== undefined) return bad;
    if (masks.some((m) => m === null)) return null;
    return (masks as Mask[]).reduce((a, b) => ({ op: 'LogicalOr', a, b }));
  }
  return ins[0] ? expectedMask(ins[0], layers, depth + 1) : null;
}

const show = (m: Mask): string => (m.op === 'NotEqual' ? `NotEqual(${JSON.stringify(m.source)}, ${m.value})` : m.op === 'Any' ? `Any(${show(m.of)}, axis=-1)` : `LogicalOr(${show(m.a)}, ${show(m.b)})`);
const same = (a: Mask, b: Mask): boolean => a.op === b.op && (a.op === 'NotEqual' ? sameRef(a.source, (b as typeof a).source) && a.value === (b as typeof a).value
  : a.op === 'Any' ? same(a.of, (b as typeof a).of) 
  // OR commutes: Keras folds the inputs' masks left to right, a file may list them either way.
  : (same(a.a, (b as typeof a).a) && same(a.b, (b as typeof a).b)) || (same(a.a, (b as typeof a).b) && same(a.b, (b as typeof a).a)));

/** Why an op's mask is not the one rnnlab propagates to a call input, or null when it is. */
function mismatch(op: Mask | { why: string }, inputRef: Ref | undefined, layers: Map<string, Entry>): string | null {
  if ('why' in op) return op.why;
  const want = inputRef ? expectedMask(inputRef, layers) : null;
  if (typeof want === 'string') return want;
  if (!want) return 'the input it masks carries no mask in rnnlab (no Embedding(mask_zero) or Masking before it), so the mask comes from elsewhere';
  if (!same(op, want)) return `rnnlab's mask there is ${show(want)}${want.by ? ` (${classOf(layers.get(want.by)!)} '${want.by}')` : ''}, not ${show(op)}`;
  return null;
}

/**
 * The layer entries with Keras 3's mask ops checked and taken out: each mask argument an op feeds is dropped (rnnlab
 * propagates the same mask); inputNames gives the call-input order of a class (MultiHeadAttention's query, value, key).
 */
export function withoutMaskOps(cfg: Record<string, unknown>, rawLayers: unknown[], where: string, inputNames: (e: unknown) => readonly string[]): unknown[] {
  const ops = new Map<string, Entry>();
  for (const e of rawLayers) if (isObject(e) && isKerasOpEntry(e)) ops.set(String(e.name ?? (isObject(e.config) ? e.config.name : '')), e);
  if (ops.size === 0) return rawLayers;
  const layers = new Map<string, Entry>();
  for (const e of rawLayers) if (isObject(e) && !isKerasOpEntry(e)) layers.set(String(e.name ?? (isObject(e.config) ? e.config.name : '')), e);
  const opName = (v: unknown): string | null => { const r = isKerasTensor(v) ? historyOf(v) : null; return r && ops.has(r[0]) ? r[0] : null; };
  const describeOp = (n: string) => `Keras op ${classOf(ops.get(n)!)} ('${n}')`;
  for (const key of ['input_layers', 'output_layers']) {
    const list = JSON.stringify(cfg[key] ?? []);
    for (const n of ops.keys()) if (list.includes(JSON.stringify(n))) throw new ModelFormatError(`${where}: ${key} names ${describeOp(n)}; rnnlab takes Keras's ops only as the padding masks its layers compute`);
  }
  return rawLayers.map((e, i) => {
    if (!isObject(e) || isKerasOpEntry(e) || !Array.isArray(e.inbound_nodes)) return e;
    const name = String(e.name);
    const names = inputNames(e);
    const nodes = e.inbound_nodes.map((call, n) => {
      const at = `${where}: layer ${i} ('${name}'), inbound node ${n}`;
      const refuse = (arg: string, op: string, why: string) => new ModelFormatError(`${at}: ${describeOp(op)} feeds argument ${arg} of layer '${name}' (${classOf(e)}); ${why}`);
      if (!isObject(call) || !('args' in call)) return call;
      const findOp = (v: unknown): string | null => (Array.isArray(v) ? v.map(findOp).find((x) => x) ?? null : isObject(v) && !isKerasTensor(v) ? Object.values(v).map(findOp).find((x) => x) ?? null : opName(v));
      const inArgs = findOp(call.args);
      if (inArgs) throw refuse('args', inArgs, 'rnnlab takes a Keras op only as a padding mask, never as data');
      const kwargs = isObject(call.kwargs) ? { ...call.kwargs } : {};
      const positional = positionalRefs(call);
      const slotRef = (slot: number): Ref | undefined => {
        if (slot < positional.length) return positional[slot];
        const v = kwargs[names[slot]];
        return isKerasTensor(v) ? historyOf(v) ?? undefined : undefined;
      };
      let changed = false;
      for (const [k, v] of Object.entries(kwargs)) {
        const op = findOp(v);
        if (!op) continue;
        const slot = k === 'mask' ? 0 : names.findIndex((n) => k === `${n}_mask`);
        if (slot < 0) throw refuse(k, op, 'rnnlab takes a Keras op only as a padding mask (mask, query_mask, value_mask, key_mask)');
        // A merge layer's mask is a list, one per input; others take one mask for their first input.
        const masks = k === 'mask' && Array.isArray(v) ? v : [v];
        masks.forEach((m, j) => {
          const o = opName(m);
          if (!o) { if (m !== null) throw refuse(k, op, `its entry ${j} is ${JSON.stringify(m).slice(0, 60)}, not an op rnnlab computes`); return; }
          const why = mismatch(readOp(ops.get(o)!, ops), slotRef(slot + j), layers);
          if (why) throw refuse(masks.length > 1 ? `${k}[${j}]` : k, o, `${why}; rnnlab cannot load this mask`);
        });
        delete kwargs[k];
        changed = true;
      }
      return changed ? { ...call, kwargs } : call;
    });
    return { ...e, inbound_nodes: nodes };
  }).filter((e) => !isKerasOpEntry(e));
}
