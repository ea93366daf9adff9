/**
 * tfjs's InputSpec and its check (Keras's input_spec): what a layer requires of each input's rank, dtype and sizes,
 * checked by apply on symbolic and real tensors alike, before the layer builds.
 */
import { describe } from '../describe.js';
import { checkOptionKeys } from '../near_name.js';

const SPEC_KEYS = ['dtype', 'shape', 'ndim', 'maxNDim', 'minNDim', 'axes'] as const;
const DTYPES = ['float32', 'int32', 'bool', 'complex64', 'string'];

/** tfjs's InputSpecArgs: every field optional; shape includes the batch axis (null: any size). */
export interface InputSpecArgs {
  dtype?: string | null;
  shape?: (number | null)[] | null;
  ndim?: number | null;
  maxNDim?: number | null;
  minNDim?: number | null;
  /** Required sizes by axis (negative axes count from the end); a null size requires nothing. */
  axes?: Record<number, number | null> | null;
}

/** tfjs's tf.InputSpec: a given shape also fixes ndim, as tfjs's constructor sets it. */
export class InputSpec {
  dtype?: string;
  shape?: (number | null)[];
  ndim?: number;
  maxNDim?: number;
  minNDim?: number;
  axes?: Record<number, number | null>;

  constructor(args: InputSpecArgs = {}) {
    checkOptionKeys('rl.InputSpec', args, SPEC_KEYS);
    checkSpecFields('rl.InputSpec', args);
    const { dtype, shape, ndim, maxNDim, minNDim, axes } = args;
    // tfjs lets shape's length win over a different ndim; one would be ignored, so the pair is refused.
    if (shape && ndim !== undefined && ndim !== null && ndim !== shape.length) {
      throw new Error(`rl.InputSpec: ndim ${ndim} disagrees with shape ${shownShape(shape)} (which fixes ndim ${shape.length}); give one of them`);
    }
    this.dtype = dtype ?? undefined;
    this.shape = shape ? [...shape] : undefined;
    this.ndim = shape ? shape.length : ndim ?? undefined;
    this.maxNDim = maxNDim ?? undefined;
    this.minNDim = minNDim ?? undefined;
    this.axes = axes ? { ...axes } : {};
  }
}

function isSize(v: unknown): boolean {
  return Number.isInteger(v) && (v as number) >= 0;
}

function checkSpecFields(where: string, s: InputSpecArgs): void {
  for (const k of ['ndim', 'maxNDim', 'minNDim'] as const) {
    if (s[k] !== undefined && s[k] !== null && !isSize(s[k])) throw new Error(`${where}: ${k} must be a non-negative integer, got ${describe(s[k])}`);
  }
  if (s.dtype !== undefined && s.dtype !== null && !DTYPES.includes(s.dtype)) throw new Error(`${where}: dtype must be one of ${DTYPES.join(', ')}, got ${describe(s.dtype)}`);
  if (s.shape !== undefined && s.shape !== null && (!Array.isArray(s.shape) || !s.shape.every((d) => d === null || isSize(d)))) {
    throw new Error(`${where}: shape must be a list of sizes (null for any), got ${describe(s.shape)}`);
  }
  if (s.axes !== undefined && s.axes !== null) {
    if (typeof s.axes !== 'object' || Array.isArray(s.axes)) throw new Error(`${where}: axes must be an object {axis: size}, got ${describe(s.axes)}`);
    for (const [axis, size] of Object.entries(s.axes)) {
      if (!/^-?\d+$/.test(axis)) throw new Error(`${where}: axes keys must be integer axes, got ${JSON.stringify(axis)}`);
      if (size !== null && !isSize(size)) throw new Error(`${where}: axes[${axis}] must be a size or null, got ${describe(size)}`);
    }
  }
}

/**
 * A value given as a layer's inputSpec, as the list the check reads: a list of specs (InputSpec or tfjs's plain
 * objects, null entries checking nothing), or one spec (Keras's `self.input_spec = InputSpec(...)`); null: none.
 */
export function checkedInputSpecs(where: string, value: unknown): (InputSpec | null)[] | null {
  if (value === undefined || value === null) return null;
  const list = Array.isArray(value) ? value : [value];
  list.forEach((s, i) => {
    const at = `${where}: inputSpec[${i}]`;
    if (s === null || s === undefined) return;
    if (typeof s !== 'object' || Array.isArray(s)) throw new Error(`${at} must be an rl.InputSpec or an object such as {ndim: 2}, got ${describe(s)}`);
    checkOptionKeys(at, s, SPEC_KEYS);
    checkSpecFields(at, s as InputSpecArgs);
  });
  return Array.isArray(value) ? value : list;
}

/** What the check reads of an input: a real tensor's or a symbolic tensor's rank, dtype and shape. */
export interface SpecInput { readonly shape: readonly (number | null)[]; readonly dtype: string }

function shownShape(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? 'null' : String(d))).join(', ')}]`;
}

/** tfjs's assertInputCompatibility: each input against its spec, with tfjs's wording; layer is '<name> (<Class>)'. */
export function assertInputCompatibility(layer: string, specs: readonly (InputSpec | null)[], inputs: readonly SpecInput[]): void {
  if (specs.length === 0) return;
  if (inputs.length !== specs.length) throw new Error(`Layer ${layer} expects ${specs.length} input(s) (its inputSpec), but it received ${inputs.length} input tensor(s)`);
  inputs.forEach((x, i) => {
    const spec = specs[i];
    if (!spec) return;
    const fail = (what: string) => { throw new Error(`Input ${i} is incompatible with layer ${layer}: ${what}`); };
    const ndim = x.shape.length;
    if (spec.ndim !== undefined && spec.ndim !== null && ndim !== spec.ndim) fail(`expected ndim=${spec.ndim}, found ndim=${ndim}`);
    if (spec.maxNDim !== undefined && spec.maxNDim !== null && ndim > spec.maxNDim) fail(`expected max_ndim=${spec.maxNDim}, found ndim=${ndim}`);
    if (spec.minNDim !== undefined && spec.minNDim !== null && ndim < spec.minNDim) fail(`expected min_ndim=${spec.minNDim}, found ndim=${ndim}`);
    if (spec.dtype !== undefined && spec.dtype !== null && x.dtype !== spec.dtype) fail(`expected dtype=${spec.dtype}, found dtype=${x.dtype}`);
    for (const [key, size] of Object.entries(spec.axes ?? {})) {
      const axis = Number(key);
      const got = axis >= 0 ? x.shape[axis] : x.shape[ndim + axis];
      // An axis past the input's rank has no size, which no required size matches (tfjs's rule).
      if (size !== null && got !== size && got !== null) fail(`expected axis ${axis} of input shape to have value ${size} but got shape ${shownShape(x.shape)}`);
    }
    // tfjs compares only the axes both have: the rank is ndim's to check (an InputSpec's shape sets it).
    (spec.shape ?? []).forEach((d, k) => {
      const got = x.shape[k];
      if (d !== null && got !== null && got !== undefined && d !== got) fail(`expected shape=${shownShape(spec.shape!)}, found shape=${shownShape(x.shape)}`);
    });
  });
}
