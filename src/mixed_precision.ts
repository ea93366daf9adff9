/**
 * Keras's mixed precision policies (`keras.mixed_precision.set_global_policy`): 'float32', the default, and
 * 'mixed_bfloat16', under which the products of Dense, Conv1D, the recurrent layers' input projections and the LSTM's
 * recurrent products (predict's too: it takes the training forward) run with bf16 operands (rounded to nearest even from
 * the fp32 values) and fp32 sums, while the variables (the master weights), the optimizer, the losses and every other
 * op stay float32 — Keras's split of compute and variable dtypes. tfjs has no equivalent. As in Keras, the policy is
 * the layers': plain tensor ops (rl.matMul, rl.dot, rl.conv1d, ...) compute in float32 under it.
 *
 * Unlike Keras, the policy is one switch read when the kernels run, not a per-layer policy fixed when a layer is
 * made: the autograd tape picks its kernels at backward time, so one layer's products cannot keep another precision.
 * Layers made before setGlobalPolicy follow it too, and a layer's `dtype` (layerDtypePolicy) only says the layer's
 * variables are float32.
 *
 * The native bf16 kernels need AVX512-BF16 and the avx512 kernels in force. Where they are missing (an older CPU,
 * RNNLAB_ISA=avx2 or portable), setGlobalPolicy('mixed_bfloat16') falls back to float32 and says so once on
 * stderr: emulating bf16 in software would be slower than the fp32 it replaces, so it would only cost time. The
 * reference backend (RNNLAB_BACKEND=reference) does emulate it on any CPU — it is the oracle the tests compare with.
 */
import { bf16Support, getPrecision, setBf16Products } from './backend/index.js';
import { describe } from './describe.js';
import { nearName } from './near_name.js';

// Frozen: checkPolicyName reads it, so a caller's push would make an unimplemented policy pass the check.
export const POLICY_NAMES = Object.freeze(['float32', 'mixed_bfloat16'] as const);
export type PolicyName = (typeof POLICY_NAMES)[number];

/** Policies Keras 3 accepts that rnnlab does not run, with what to use instead (refused by name, never as unknown). */
const KERAS_ONLY: Readonly<Record<string, string>> = {
  mixed_float16: 'float16 products are not implemented (and Keras pairs them with loss scaling); use mixed_bfloat16, which needs no loss scaling',
  float16: 'it keeps the variables in float16; rnnlab keeps weights in float32: use mixed_bfloat16',
  bfloat16: 'it keeps the variables in bfloat16; rnnlab keeps weights in float32: use mixed_bfloat16 (bf16 products, float32 weights)',
  float64: 'use rl.setPrecision(64) for float64 tensors',
};
/** Keras's quantized policies: '<mode>_from_<policy>' (e.g. int8_from_mixed_bfloat16). */
const QUANTIZED = /^(int8|int4|float8|gptq)_from_/;

/**
 * A dtype policy, as Keras 3's `DTypePolicy` (alias `Policy`): the dtype computations run in and the dtype variables
 * are kept in, with Keras's snake_case names as getters. `new DTypePolicy()` without a name is the global policy's, as
 * Keras's `DTypePolicy(None)`. Frozen.
 */
export class DTypePolicy {
  readonly name: PolicyName;
  readonly computeDtype: 'float32' | 'bfloat16';
  readonly variableDtype: 'float32';
  constructor(name?: PolicyName) {
    const checked = name === undefined ? current.name : checkPolicyName(name);
    this.name = checked;
    this.computeDtype = checked === 'mixed_bfloat16' ? 'bfloat16' : 'float32';
    this.variableDtype = 'float32';
    Object.freeze(this);
  }
  /** Keras's `compute_dtype`. */
  get compute_dtype(): 'float32' | 'bfloat16' { return this.computeDtype; }
  /** Keras's `variable_dtype`. */
  get variable_dtype(): 'float32' { return this.variableDtype; }
}
/** Keras's `keras.mixed_precision.Policy`, the same class. */
export { DTypePolicy as Policy };

/**
 * The policy of a name, as Keras's `DTypePolicy(name)` (checked: see checkPolicyName); without a name, the global
 * policy, as Keras 3's `keras.mixed_precision.dtype_policy()`.
 */
export function dtypePolicy(name?: PolicyName): DTypePolicy {
  return name === undefined ? current : new DTypePolicy(name);
}

let current: DTypePolicy = new DTypePolicy('float32');
let warned = false;

/** Keras 3's serialized float policies: DTypePolicy, its alias FloatDTypePolicy (Keras 3.3-3.5 files) and Keras 2's Policy. */
const FLOAT_POLICY_CLASSES = ['DTypePolicy', 'FloatDTypePolicy', 'Policy'];
/** Keras 3's quantized policies, serialized as {mode, source_name} (QuantizedFloat8DTypePolicy adds amax_history_length). */
const QUANTIZED_POLICY_CLASSES = ['QuantizedDTypePolicy', 'QuantizedFloat8DTypePolicy'];

/**
 * The name a policy value gives: a name, a Policy, or Keras's serialized DTypePolicy ({class_name: 'DTypePolicy',
 * config: {name}}, camelCase as rnnlab reads configs); a quantized one ({class_name: 'QuantizedDTypePolicy', config:
 * {mode, source_name}}) gives Keras's name for it, '<mode>_from_<source>', which checkPolicyName refuses by name.
 */
function policyNameOf(p: unknown, what: string): unknown {
  if (typeof p !== 'object' || p === null) return p;
  if (p instanceof DTypePolicy) return p.name;
  const o = p as Record<string, unknown>;
  const cls = o.className ?? o.class_name;
  const config = (typeof o.config === 'object' && o.config !== null ? o.config : {}) as Record<string, unknown>;
  refuseUnreadKeys(o, config, cls, what);
  if (typeof cls === 'string' && QUANTIZED_POLICY_CLASSES.includes(cls)) {
    const mode = config.mode, source = config.sourceName ?? config.source_name;
    const name = config.name ?? (typeof mode === 'string' ? `${mode}_from_${typeof source === 'string' ? source : 'float32'}` : undefined);
    throw new Error(`${what} ${typeof name === 'string' ? `'${name}' ` : ''}(Keras 3's ${cls}) is not supported: quantized policies (Keras's int8/float8 kernels with scales) are not implemented; rnnlab runs ${POLICY_NAMES.join(' and ')}`);
  }
  if (cls !== undefined && !(typeof cls === 'string' && FLOAT_POLICY_CLASSES.includes(cls))) throw new Error(`${what}: class ${describe(cls)} is not a DTypePolicy`);
  const name = cls === undefined ? o.name : config.name;
  if (name === undefined) throw new Error(`${what}: an object without a name: give a name or {className: 'DTypePolicy', config: {name}}`);
  // A policy object's dtypes come from its name: one that says otherwise would be silently ignored.
  if (cls === undefined && typeof name === 'string' && (POLICY_NAMES as readonly string[]).includes(name)) {
    const made = new DTypePolicy(name as PolicyName);
    for (const [key, want] of [['computeDtype', made.computeDtype], ['compute_dtype', made.computeDtype], ['variableDtype', made.variableDtype], ['variable_dtype', made.variableDtype]]) {
      if (o[key] !== undefined && o[key] !== want) throw new Error(`${what} '${name}': ${key} ${describe(o[key])} contradicts the name, whose ${key} is '${want}' (a policy's dtypes follow from its name)`);
    }
  }
  return name;
}

/** The keys Keras writes in a serialized policy (Keras 3's serialize() adds module and registered_name). */
const SERIALIZED_KEYS = ['className', 'class_name', 'config', 'module', 'registered_name', 'registeredName'];
/** A plain policy object's: its name and the dtypes, which must agree with the name. */
const PLAIN_KEYS = ['name', 'computeDtype', 'compute_dtype', 'variableDtype', 'variable_dtype'];
/** The config keys of a quantized policy (refused anyway, by name, after this check). */
const QUANTIZED_CONFIG_KEYS = ['name', 'mode', 'sourceName', 'source_name', 'amaxHistoryLength', 'amax_history_length'];

/** A key rnnlab does not read would be ignored (a quantization_mode, a second name): an error naming it. */
function refuseUnreadKeys(o: Record<string, unknown>, config: Record<string, unknown>, cls: unknown, what: string): void {
  const outer = Object.keys(o).filter((k) => !(cls === undefined ? PLAIN_KEYS : SERIALIZED_KEYS).includes(k));
  const configKeys = cls === undefined ? [] : typeof cls === 'string' && QUANTIZED_POLICY_CLASSES.includes(cls) ? QUANTIZED_CONFIG_KEYS : ['name'];
  const inner = Object.keys(config).filter((k) => !configKeys.includes(k)).map((k) => `config.${k}`);
  const unread = [...outer, ...inner];
  if (unread.length === 0) return;
  const form = cls === undefined ? `a policy object has ${PLAIN_KEYS.join(', ')}` : `a serialized policy has ${SERIALIZED_KEYS.join(', ')}, and config has name`;
  throw new Error(`${what}: ${unread.map((k) => `'${k}'`).join(', ')} ${unread.length === 1 ? 'is' : 'are'} not read by rnnlab (${form})`);
}

/** Checks a policy name, throwing an error that names the value, why Keras's other policies do not run, or the nearest name. */
export function checkPolicyName(name: unknown, what = 'mixed precision policy'): PolicyName {
  if (typeof name === 'string' && (POLICY_NAMES as readonly string[]).includes(name)) return name as PolicyName;
  const accepted = `rnnlab runs ${POLICY_NAMES.join(' and ')}`;
  if (typeof name === 'string' && Object.hasOwn(KERAS_ONLY, name)) throw new Error(`${what} '${name}' is not supported: ${KERAS_ONLY[name]} (${accepted})`);
  if (typeof name === 'string' && QUANTIZED.test(name)) throw new Error(`${what} '${name}' is not supported: quantized policies (Keras's int8/float8 kernels with scales) are not implemented (${accepted})`);
  const near = typeof name === 'string' ? nearName(name, POLICY_NAMES) : undefined;
  const shown = typeof name === 'string' ? `'${name}'` : describe(name);
  throw new Error(`unknown ${what} ${shown}${near ? ` (did you mean '${near}'?)` : ''}: use ${POLICY_NAMES.join(' or ')}`);
}

/**
 * Sets the policy every later training step and prediction uses — of every layer, made before or after (see the
 * module comment); returns the policy in force, which is 'float32' when 'mixed_bfloat16' cannot run here. The
 * fallback's message goes to `warn` when given (each time), else once per process to stderr.
 */
export function setGlobalPolicy(p: PolicyName | DTypePolicy | { className: string; config: { name: string } }, options: { warn?: (message: string) => void } = {}): DTypePolicy {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new Error(`setGlobalPolicy: options must be an object {warn}, got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (key !== 'warn') throw new Error(`setGlobalPolicy: unknown option '${key}'${nearName(key, ['warn']) ? " (did you mean 'warn'?)" : ''}: the only option is warn`);
  }
  if (options.warn !== undefined && typeof options.warn !== 'function') throw new Error(`setGlobalPolicy: option warn must be a function, got ${describe(options.warn)}`);
  let name = checkPolicyName(policyNameOf(p, 'mixed precision policy'));
  if (name === 'mixed_bfloat16') {
    // The bf16 kernels replace fp32 ones only; under float64 tensors the policy would be named and not run.
    if (getPrecision() === 64) throw new Error(`mixed precision policy 'mixed_bfloat16' needs float32 tensors: call rl.setPrecision(32) first (float64 is in force)`);
    const support = bf16Support();
    if (!support.ok) {
      const message = `rnnlab: mixed_bfloat16 needs ${support.reason}; running in float32 instead.`;
      // Only stderr's line counts as said once: a message the caller's warn took may never have been shown.
      if (options.warn) options.warn(message);
      else if (!warned) { console.warn(message); warned = true; }
      name = 'float32';
    }
  }
  setBf16Products(name === 'mixed_bfloat16');
  current = new DTypePolicy(name);
  return current;
}

/** Keras 3's `keras.mixed_precision.set_dtype_policy`: setGlobalPolicy. */
export const setDtypePolicy = setGlobalPolicy;

/** The policy in force (Keras's `global_policy()`). */
export function getGlobalPolicy(): DTypePolicy {
  return current;
}

/** Keras's `keras.mixed_precision.global_policy()`: getGlobalPolicy. */
export const globalPolicy = getGlobalPolicy;

/**
 * A layer's `dtype` option (Keras's per-layer dtype policy: a name or a serialized DTypePolicy) checked: 'float32'
 * and 'mixed_bfloat16' keep float32 variables, so a model saved by Keras under either loads with its weights exact;
 * its products follow the global policy (see the module comment), and one that differs from it is said to `warn`
 * (default: once per process on stderr). Other policies throw naming the layer and the policy. Returns the name;
 * null (tfjs's "no dtype") gives 'float32'.
 */
export function layerDtypePolicy(layer: string, v: unknown, warn: (message: string) => void = warnOnce): PolicyName {
  if (v === null || v === undefined) return 'float32';
  let name: PolicyName;
  try {
    name = checkPolicyName(policyNameOf(v, 'dtype policy'), 'dtype policy');
  } catch (e) {
    throw new Error(`${layer}: ${(e as Error).message}`);
  }
  // 'float32' only says the weights are float32 (what rnnlab saves for every layer): never worth a warning.
  if (name !== current.name && name !== 'float32') {
    warn(`rnnlab: ${layer}: dtype policy '${name}' differs from the global policy '${current.name}', which rnnlab applies to every layer (rl.mixedPrecision.setGlobalPolicy).`);
  }
  return name;
}

let warnedLayer = false;
function warnOnce(message: string): void {
  if (!warnedLayer) console.warn(message);
  warnedLayer = true;
}
