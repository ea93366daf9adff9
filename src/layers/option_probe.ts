/** The one construction behind rl.layers factories and `new rl.layerClasses.X`: options checked, then named. */
import { refuseExtraArguments } from '../factory.js';
import { nearName } from '../near_name.js';
import { Layer, checkKnownArgs, takeAutomaticName, withNamesGivenBack } from './layer.js';

type LayerConstructor = new (...args: never[]) => Layer;

/**
 * Builds target once, under a stand-in name (the options' name, else `where`), and checks that it read every option
 * key (checkKnownArgs); only then does a layer without a given name take its automatic one. So a refused call, by the
 * key check or by the constructor, takes no automatic name (the next layers' dense_N names stay put) and its error
 * names `where`. A wrapper renames the layer it wraps (Bidirectional's forward_<name>): a refused call gives that name
 * back. Options that are not an object are built as given and refused by the check.
 *
 * The key check needs a built layer, so a constructor that refuses a missing required option (dense({unit: 3})) would
 * hide the misspelt key that meant it; then misspeltKeyError looks for that key, and the error names it instead.
 */
export function checkThenConstruct<C extends LayerConstructor>(target: C, args: readonly unknown[], where: string, newTarget: LayerConstructor = target): InstanceType<C> {
  const options = args[0];
  // Refused before building, so the refused call takes no automatic name and its error says what to write.
  const positional = positionalFormError((target as unknown as typeof Layer).className, args, where);
  if (positional) throw positional;
  refuseExtraOptions(where, args);
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    const layer = Reflect.construct(target, args, newTarget) as InstanceType<C>;
    checkKnownArgs(layer, options, where);
    return layer;
  }
  const given = options as { name?: unknown; layer?: unknown };
  const inner = given.layer;
  const innerName = inner instanceof Object && 'name' in inner ? (inner as Layer).name : undefined;
  const giveBackInnerName = () => { if (innerName !== undefined) (inner as Layer).name = innerName; };
  let layer: InstanceType<C>;
  let built = false;
  try {
    layer = Reflect.construct(target, [{ ...options, name: given.name ?? where }, ...args.slice(1)], newTarget) as InstanceType<C>;
    built = true;
    checkKnownArgs(layer, options, where);
  } catch (e) {
    giveBackInnerName();
    if (!built) {
      // The layers among the options (under a misspelt key too, which misspeltKeys may hand to the constructor) keep their names.
      const wrapped = Object.values(Object.getOwnPropertyDescriptors(options)).map((d) => d.value as unknown)
        .filter((v): v is Layer => v instanceof Layer).map((l) => [l, l.name] as const);
      const found = misspeltKeys(target, options as Record<string, unknown>, args.slice(1), given.name ?? where, where, newTarget);
      for (const [l, n] of wrapped) l.name = n;
      if (found instanceof Error) throw found;
      // Renamed, the options still fail (hashing({num_bins: -1})): the constructor's error, with the near names. A key
      // the error itself names is one the constructor read (activityRegularization({l1: -1})): its value is what is
      // wrong, not its name.
      const hints = e instanceof Error ? found.filter(([k]) => !namesKey(e.message, k)) : [];
      if (hints.length > 0 && e instanceof Error) e.message += ` (given ${hints.map(([k, near]) => `'${k}': did you mean '${near}'?`).join('; ')})`;
    }
    throw e;
  }
  if (given.name === undefined || given.name === null) takeAutomaticName(layer);
  return layer;
}

/** Whether message names key as a word (not inside a longer name). */
function namesKey(message: string, key: string): boolean {
  const at = (i: number) => i < 0 || i >= message.length || !/[A-Za-z0-9_]/.test(message[i]);
  for (let i = message.indexOf(key); i >= 0; i = message.indexOf(key, i + 1)) if (at(i - 1) && at(i + key.length)) return true;
  return false;
}

/**
 * After the constructor refused options: the key check's error for them when a given key is an unknown near name of
 * an option the constructor looked for and did not find (unit for units, num_bins for numBins, binBoundries). Such
 * keys are renamed to the option they resemble, a round at a time (a constructor stops at its first missing option),
 * until the options build; the built layer's key check then judges the options as given, so only a key the layer
 * does not read is named, with the nearest name it does. When the renamed options still fail (a bad value under the
 * misspelt key), the renames ([given key, near name]); [] when none. Built under names given back, so nothing is named.
 */
function misspeltKeys(target: LayerConstructor, options: Record<string, unknown>, rest: readonly unknown[], name: unknown, where: string, newTarget: LayerConstructor): Error | [string, string][] {
  const repaired: Record<string, unknown> = { ...options };
  const introduced = new Set<string>();
  const renames: [string, string][] = [];
  for (let round = 0; round <= Object.keys(options).length; round++) {
    const missing = new Set<string>();
    const probe = new Proxy({ ...repaired, name }, {
      get(t, k, receiver) {
        if (typeof k === 'string' && !Object.hasOwn(t, k) && !(k in Object.prototype)) missing.add(k);
        return Reflect.get(t, k, receiver) as unknown;
      },
    });
    let layer: Layer;
    try {
      layer = withNamesGivenBack(() => Reflect.construct(target, [probe, ...rest], newTarget) as Layer);
    } catch {
      let renamed = false;
      for (const [k, v] of Object.entries(repaired)) {
        if (v === undefined || introduced.has(k)) continue;
        const near = nearName(k, missing);
        if (near === undefined || near === k || Object.hasOwn(repaired, near)) continue;
        delete repaired[k];
        repaired[near] = v;
        introduced.add(near);
        renames.push([k, near]);
        renamed = true;
      }
      if (!renamed) return renames;
      continue;
    }
    try {
      checkKnownArgs(layer, options, where);
    } catch (e) {
      if (e instanceof Error) return e;
    }
    return [];
  }
  return renames;
}

/**
 * The options Keras takes positionally, in its order (Dense(250), Embedding(1000, 64), Bidirectional(LSTM(8))), by
 * class name: the refusal of that form spells the options object tfjs's API takes instead.
 */
const POSITIONAL_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  Dense: ['units'], SimpleRNN: ['units'], LSTM: ['units'], GRU: ['units'],
  SimpleRNNCell: ['units'], LSTMCell: ['units'], GRUCell: ['units'],
  Embedding: ['inputDim', 'outputDim'], Conv1D: ['filters', 'kernelSize'],
  Dropout: ['rate'], SpatialDropout1D: ['rate'], GaussianDropout: ['rate'], AlphaDropout: ['rate'], GaussianNoise: ['stddev'],
  MaxPooling1D: ['poolSize', 'strides'], AveragePooling1D: ['poolSize', 'strides'], UpSampling1D: ['size'],
  ZeroPadding1D: ['padding'], Cropping1D: ['cropping'], RepeatVector: ['n'], Reshape: ['targetShape'], Permute: ['dims'],
  Activation: ['activation'], Masking: ['maskValue'],
  Bidirectional: ['layer'], TimeDistributed: ['layer'], RNN: ['cell'],
};

const LAYER_OPTIONS: ReadonlySet<string> = new Set(['layer', 'cell']);

/**
 * The error for Keras's positional call form (dense(250), bidirectional(lstm(...)), rnn(lstmCell(...))): a first
 * argument that is a number, string, boolean, list or layer where one options object belongs. Read as options, a
 * layer's own fields (implementation, id) were refused as options the user never wrote. undefined for an options object.
 */
export function positionalFormError(className: string, args: readonly unknown[], where: string): Error | undefined {
  const first = args[0];
  const isLayer = first instanceof Layer;
  if (first === undefined || first === null || (typeof first === 'object' && !Array.isArray(first) && !isLayer)) return undefined;
  if (typeof first === 'function') return undefined;
  const names = Object.hasOwn(POSITIONAL_OPTIONS, className) ? POSITIONAL_OPTIONS[className] : [];
  let message = `${where}: the options argument must be an object, got ${positionalShown(first)}`;
  // A wrapper's option holds a layer, a size option does not: dense(lstm(...)) or rnn(5) gets no hint.
  if (names.length > 0 && isLayer === LAYER_OPTIONS.has(names[0])) {
    const given = args.slice(0, names.length).map((v, i) => (v === undefined ? undefined : `${names[i]}: ${positionalValue(v)}`)).filter((v) => v !== undefined);
    const call = where.startsWith('rl.layerClasses.') ? `new ${where}` : where;
    message += `; write ${call}({${given.join(', ')}}) (tfjs takes one options object, not Keras's positional arguments)`;
  }
  return new Error(message);
}

/**
 * A layer factory and constructor take one options object (tfjs's); a second argument (Keras's keywords written as
 * an object, dense({units: 1}, {activation: 'relu'})) would be dropped, its options lost, so it is refused.
 */
export function refuseExtraOptions(where: string, args: readonly unknown[]): void {
  const [first, second] = args;
  // Keras's positional form (embedding(1000, 64), bidirectional(lstm(...), 'concat')) is the factory's to refuse: its
  // error spells the options object, which a count of arguments would not.
  if (first instanceof Layer || ['number', 'string', 'boolean'].includes(typeof first)) return;
  const plain = (v: unknown): v is object => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
  const hint = plain(first) && plain(second)
    ? `put every option in the one object: ${where.startsWith('rl.layerClasses.') ? `new ${where}` : where}({${[...new Set([...Object.keys(first), ...Object.keys(second)])].join(', ')}})`
    : undefined;
  refuseExtraArguments(where, ['options'], args, hint);
}

function positionalShown(v: unknown): string {
  if (v instanceof Layer) return `the ${v.className} layer '${v.name}'`;
  return Array.isArray(v) ? 'a list' : typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** rl.layers' factory names, by lower-case class name (PReLU -> prelu, LSTMCell -> lstmCell); set by src/layers/index.ts. */
const factoryByClass = new Map<string, string>();

export function knowFactoryNames(names: readonly string[]): void {
  for (const n of names) factoryByClass.set(n.toLowerCase(), n);
}

/** A positional argument as the options object would hold it: a layer as its factory call (rl.layers.lstm(...)). */
function positionalValue(v: unknown): string {
  if (v instanceof Layer) {
    const factory = factoryByClass.get(v.className.toLowerCase());
    // A custom layer, or a class without a factory, is named as the layer it is.
    return factory ? `rl.layers.${factory}(...)` : `your ${v.className} layer`;
  }
  let text: string | undefined;
  try { text = JSON.stringify(v); } catch { text = undefined; }
  return text ?? String(v);
}
