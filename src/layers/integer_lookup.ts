import { describe } from '../describe.js';
import { Tensor } from '../tensor.js';
import { categoricalShape, checkCategoricalMode, checkNotSparse, encodeCategorical, flatNumbers, type CategoricalMode } from './categorical_output.js';
import { checkSalt, integerBucket } from './keras_hashes.js';
import { COMPUTE, BuiltInLayer, Layer, checkBool, type CallContext, type LayerArgs, type SymbolicShape } from './layer.js';
import { registerLayer } from './registry.js';
import { readVocabularyFile } from './vocabulary_file.js';

/**
 * A vocabulary as setVocabulary and the constructor take it (null only in a leading OOV slot when oovToken is null),
 * or the path of a text file of one integer token per line, as Keras's.
 */
export type VocabularyInput = readonly (number | null)[] | Tensor | string;

export interface IntegerLookupArgs extends LayerArgs {
  /** The vocabulary's largest size, mask and OOV indices included (> 1); default no cap. */
  maxTokens?: number | null;
  /** Default 1: indices for out-of-vocabulary tokens; 0 makes an unknown token an error; more spread them (see oovMethod). */
  numOovIndices?: number;
  /** A token sent to index 0 in 'int' mode and dropped in the other modes; default none. */
  maskToken?: number | null;
  /** Default -1: what invert gives back for an OOV index. */
  oovToken?: number | null;
  /**
   * The tokens, most important first (the mask and OOV tokens may lead, in Keras's order; null stands for a null
   * oovToken, as Keras's None); or a text file's path, one token per line (every line a token, as Keras reads a
   * file); or learn them with adapt().
   */
  vocabulary?: VocabularyInput | null;
  /** Keras's only vocabulary dtype, 'int64'. */
  vocabularyDtype?: 'int64';
  /** 'int' (the default), 'one_hot', 'multi_hot' or 'count' ('binary': Keras's deprecated name of 'multi_hot'); Keras's 'tf_idf' is refused. */
  outputMode?: CategoricalMode | 'oneHot' | 'multiHot' | 'binary';
  /** Outside 'int' mode: the output has maxTokens columns whatever the vocabulary's size (no effect in 'int' mode, as Keras). */
  padToMaxTokens?: boolean;
  /** 'int' mode: map indices back to tokens. */
  invert?: boolean;
  /** With several OOV indices: 'floormod' (token mod numOovIndices, the default) or 'farmhash' (Keras's hash of the token). */
  oovMethod?: 'floormod' | 'farmhash';
  /** With oovMethod 'farmhash': SipHash-2-4 under this key ([k0, k1] or one integer) instead of FarmHash. */
  salt?: number | [number, number] | null;
  /** Keras 3's sparse output: only false. */
  sparse?: boolean;
  /** Keras's tf_idf weights: refused with tf_idf. */
  idfWeights?: null;
  /** What Keras 3 writes back: the vocabulary's size with its special indices, checked against the vocabulary. */
  vocabularySize?: number | null;
}

/**
 * Keras 3's IntegerLookup: integer tokens to contiguous indices through a vocabulary (given, or learned by adapt()
 * by frequency as Keras orders it), with Keras's mask index, OOV indices and output modes; invert maps indices back.
 * Not trainable and not differentiable; the vocabulary is saved in the config, so a loaded model looks up the same.
 */
export class IntegerLookup extends BuiltInLayer {
  static override readonly className: string = 'IntegerLookup';
  readonly maxTokens: number | null;
  readonly numOovIndices: number;
  readonly maskToken: number | null;
  readonly oovToken: number | null;
  readonly outputMode: CategoricalMode;
  readonly padToMaxTokens: boolean;
  readonly invert: boolean;
  readonly oovMethod: 'floormod' | 'farmhash';
  readonly salt: [number, number] | null;
  /**
   * Whether the constructor got the vocabulary (Keras then refuses adapt()). Not for a layer built from a config
   * (fromConfig, model loading): rnnlab saves a learned vocabulary in the config, where Keras keeps it in the
   * archive's assets and lets the reloaded layer adapt again.
   */
  private givenVocabulary: boolean;
  /** The learned or given tokens, without the special ones. */
  private tokens: number[] | null = null;
  private index = new Map<number, number>();

  constructor(args: IntegerLookupArgs = {}) {
    super(args, 'integer_lookup');
    const where = this.where;
    this.maxTokens = optionalInt(where, 'maxTokens', args.maxTokens);
    if (this.maxTokens !== null && this.maxTokens <= 1) throw new Error(`${where}: maxTokens must be greater than 1 (it counts the mask and OOV indices), got ${this.maxTokens}`);
    this.numOovIndices = optionalInt(where, 'numOovIndices', args.numOovIndices) ?? 1;
    if (this.numOovIndices < 0) throw new Error(`${where}: numOovIndices must be >= 0, got ${this.numOovIndices}`);
    this.maskToken = optionalInt(where, 'maskToken', args.maskToken);
    this.oovToken = args.oovToken === null ? null : optionalInt(where, 'oovToken', args.oovToken) ?? -1;
    if (args.vocabularyDtype !== undefined && args.vocabularyDtype !== null && args.vocabularyDtype !== 'int64') {
      throw new Error(`${where}: vocabularyDtype must be 'int64' (Keras's only one), got ${describe(args.vocabularyDtype)}`);
    }
    const noIdf = 'TF-IDF weighting is not implemented; use \'count\'';
    // Keras's IndexLookup reads its deprecated name 'binary' as 'multi_hot' (and saves 'multi_hot').
    this.outputMode = checkCategoricalMode(where, args.outputMode === 'binary' ? 'multi_hot' : args.outputMode, { tf_idf: noIdf, 'tf-idf': noIdf });
    if (args.idfWeights !== undefined && args.idfWeights !== null) throw new Error(`${where}: idfWeights is only for outputMode 'tf_idf', which is not supported`);
    checkNotSparse(where, args.sparse);
    this.padToMaxTokens = checkBool(where, 'padToMaxTokens', args.padToMaxTokens, false);
    if (this.padToMaxTokens && this.maxTokens === null) throw new Error(`${where}: padToMaxTokens needs maxTokens`);
    this.invert = checkBool(where, 'invert', args.invert, false);
    if (this.invert && this.outputMode !== 'int') throw new Error(`${where}: invert needs outputMode 'int', got '${this.outputMode}'`);
    if (this.invert && this.oovToken === null) throw new Error(`${where}: invert needs an oovToken (what unknown indices give back), got null`);
    const method: unknown = args.oovMethod ?? 'floormod';
    if (method !== 'floormod' && method !== 'farmhash') throw new Error(`${where}: oovMethod must be 'floormod' or 'farmhash', got ${describe(method)}`);
    this.oovMethod = method;
    this.salt = checkSalt(where, args.salt);
    if (this.salt && this.oovMethod !== 'farmhash') throw new Error(`${where}: salt can only be used with oovMethod 'farmhash'`);
    this.givenVocabulary = args.vocabulary !== undefined && args.vocabulary !== null;
    if (this.givenVocabulary) this.setVocabulary(args.vocabulary as VocabularyInput);
    const size: unknown = args.vocabularySize ?? null;
    if (size !== null && !this.tokens) {
      throw new Error(`${where}: vocabularySize ${typeof size === 'number' ? size : describe(size)} without a vocabulary: Keras keeps an adapted vocabulary in the .keras archive's assets, not in the config; give the vocabulary (layer.get_vocabulary() in Keras)`);
    }
    // Keras checks vocabulary_size only where it fixes the output width: not in 'int' mode, nor with padToMaxTokens.
    if (size !== null && this.tokens && size !== this.vocabularySize() && this.outputMode !== 'int' && !this.padToMaxTokens) {
      throw new Error(`${where}: vocabularySize ${typeof size === 'number' ? size : describe(size)} disagrees with the vocabulary's ${this.vocabularySize()} (mask and OOV indices included)`);
    }
  }

  /**
   * Keras's from_config: the layer the config describes. Its vocabulary, if any, counts as learned (adapt() may
   * replace it), since rnnlab's config holds an adapted vocabulary too (Keras: the archive's assets).
   */
  static override fromConfig(this: new (config: never) => Layer, first: Record<string, unknown> | (new (config: never) => Layer), second?: Record<string, unknown>): Layer {
    const config = typeof first === 'function' ? second : first;
    // Keras's safe mode refuses it too: a saved model is not trusted to make the loader read a file elsewhere.
    if (typeof config?.vocabulary === 'string') {
      throw new Error(`IntegerLookup.fromConfig: the config's vocabulary is a file path, ${JSON.stringify(config.vocabulary)}, which a loaded config may not make rnnlab read; give the tokens in the config (as layer.getConfig() writes them)`);
    }
    const layer = Layer.fromConfig.call(this, first, second);
    if (layer instanceof IntegerLookup) layer.givenVocabulary = false;
    return layer;
  }

  private get where(): string { return `${this.name} (IntegerLookup)`; }

  /** Keras's index of the first OOV bucket: after the mask's index 0 in 'int' mode. */
  private get oovStart(): number { return this.maskToken !== null && this.outputMode === 'int' ? 1 : 0; }
  private get tokenStart(): number { return this.oovStart + this.numOovIndices; }

  /** The vocabulary's size, mask and OOV indices included (Keras's vocabulary_size()). */
  vocabularySize(): number { return this.tokenStart + (this.tokens?.length ?? 0); }

  /** Keras's mask and OOV tokens in their slots; a null oovToken stays null (Keras's None), never a real token. */
  private specialTokens(): (number | null)[] {
    return [...(this.oovStart ? [this.maskToken as number] : []), ...Array<number | null>(this.numOovIndices).fill(this.oovToken)];
  }

  /**
   * Keras's get_vocabulary: index i of the result is the token that looks up to i (special tokens first unless left
   * out). With oovToken null the OOV slots read null, as Keras's None, so they cannot be mistaken for a token -1.
   */
  getVocabulary(includeSpecialTokens: false): number[];
  getVocabulary(includeSpecialTokens?: boolean): (number | null)[];
  getVocabulary(includeSpecialTokens = true): (number | null)[] {
    const tokens = [...(this.tokens ?? [])];
    return includeSpecialTokens ? [...this.specialTokens(), ...tokens] : tokens;
  }

  /**
   * Keras's set_vocabulary: the tokens (special ones may lead in Keras's order), each once; too many for maxTokens is
   * an error. A string is a text file's path: each line one token, all of them tokens (Keras gives a file's first line
   * the first index after the special ones, whatever it holds). Keras's second argument, idf_weights, is only for
   * tf_idf, which rnnlab does not support.
   */
  setVocabulary(vocabulary: VocabularyInput, ...rest: unknown[]): void {
    const where = this.where;
    if (rest.length > 0 && rest[0] !== undefined && rest[0] !== null) {
      throw new Error(`${where}: setVocabulary's second argument, idfWeights, is only for outputMode 'tf_idf', which is not supported (Keras also refuses it in outputMode '${this.outputMode}')`);
    }
    if (rest.length > 1) throw new Error(`${where}: setVocabulary takes the vocabulary (and Keras's idfWeights, null only), got ${rest.length + 1} arguments`);
    const tokens = typeof vocabulary === 'string' ? readVocabularyFile(where, vocabulary) : this.arrayTokens(vocabulary);
    const special = this.specialTokens();
    // A file's tokens are its lines one for one (readVocabularyFile refuses blank lines), so token i is line i + 1; a
    // leading run of special tokens is dropped from an array only, so a file's advice is to leave them out.
    const refuse = (token: number, role: string, array: string): never => {
      if (typeof vocabulary === 'string') {
        throw new Error(`${where}: vocabulary file ${JSON.stringify(vocabulary)} line ${tokens.indexOf(token) + 1} is the ${role}; every line of a file is a token, so leave it out of the file: the special tokens come from the layer's options (maskToken, oovToken), not from the file`);
      }
      throw new Error(`${where}: ${array}; leave it out, or put the special tokens first in this order: [${tokenList(special)}]`);
    };
    const seen = new Set(tokens);
    if (this.maskToken !== null && seen.has(this.maskToken)) {
      refuse(this.maskToken, `mask token ${this.maskToken}`, `the vocabulary holds the mask token ${this.maskToken} among its tokens`);
    }
    if (this.invert && this.oovToken !== null && seen.has(this.oovToken)) {
      refuse(this.oovToken, `OOV token ${this.oovToken}, which invert gives back for unknown indices`, `the vocabulary holds the OOV token ${this.oovToken}, which invert gives back for unknown indices`);
    }
    if (this.maxTokens !== null && this.tokenStart + tokens.length > this.maxTokens) {
      throw new Error(`${where}: the vocabulary has ${this.tokenStart + tokens.length} entries with its mask and OOV indices; maxTokens is ${this.maxTokens}`);
    }
    this.useTokens(tokens);
  }

  /** An array or tensor vocabulary's tokens, a leading run of the special tokens (in Keras's order) left out. */
  private arrayTokens(vocabulary: Exclude<VocabularyInput, string>): number[] {
    const where = this.where;
    const all = vocabularyEntries(where, vocabulary);
    if (all.length === 0) throw new Error(`${where}: the vocabulary is empty`);
    const special = this.specialTokens();
    const leadsWithSpecial = startsWith(all, special);
    const entries = leadsWithSpecial ? all.slice(special.length) : all;
    const tokens = entries.map((t, k) => {
      const i = k + (leadsWithSpecial ? special.length : 0);
      if (t === null) throw new Error(`${where}: vocabulary entry ${i} is null; null only stands for a null oovToken in the special tokens that may lead the vocabulary: [${tokenList(special)}]`);
      if (!Number.isSafeInteger(t)) throw new Error(`${where}: vocabulary entry ${i} must be an integer, got ${t}`);
      return t;
    });
    const seen = new Set<number>(), repeated = new Set<number>();
    for (const t of tokens) { if (seen.has(t)) repeated.add(t); seen.add(t); }
    if (repeated.size > 0) throw new Error(`${where}: the vocabulary repeats ${[...repeated].join(', ')}; each token must appear once`);
    return tokens;
  }

  private useTokens(tokens: number[]): void {
    // Keras: the output width is fixed once the layer has been called (or built); checked before anything changes,
    // so a refused vocabulary leaves the layer as it was.
    const depthBefore = this.tokens ? this.depth() : null;
    const depthAfter = this.padToMaxTokens ? this.maxTokens as number : this.tokenStart + tokens.length;
    if (this.built && this.outputMode !== 'int' && depthBefore !== null && depthBefore !== depthAfter) {
      throw new Error(`${this.where}: the vocabulary size cannot change once the layer is built in outputMode '${this.outputMode}' (was ${depthBefore} columns, now ${depthAfter}); set padToMaxTokens`);
    }
    this.tokens = tokens;
    this.index = new Map(tokens.map((t, i) => [t, this.tokenStart + i]));
  }

  /**
   * Keras's adapt: counts the integers of data (a tensor or nested arrays), drops the mask and OOV tokens, and keeps
   * the most frequent first, ties broken by the larger token first, as many as maxTokens leaves room for. Empty data
   * changes nothing, as Keras's finalize_state returns before it learns from no counts.
   */
  adapt(data: Tensor | ArrayLike<unknown>, ...rest: unknown[]): void {
    const where = this.where;
    if (rest.length > 0 && rest[0] !== undefined) throw new Error(`${where}: adapt takes the data only (Keras's steps is for datasets)`);
    if (isDatasetLike(data)) {
      // Counts add up over batches, so one tensor of all the batches learns what Keras's adapt(dataset) learns.
      throw new Error(`${where}: adapt does not take a dataset (IntegerLookup.adapt is synchronous); pass all its batches as one tensor or nested array, e.g. concat(await dataset.toArray(), 0)`);
    }
    if (this.givenVocabulary) throw new Error(`${where}: cannot adapt a layer built with a vocabulary given to its constructor (Keras refuses it too); construct it without one to adapt it, or call setVocabulary(v)`);
    const values = flatNumbers(where, 'adapt data', data);
    if (values.length === 0) return;
    const counts = new Map<number, number>();
    values.forEach((v, i) => {
      if (!Number.isSafeInteger(v)) throw new Error(`${where}: adapt data must be integers, got ${v} at flat index ${i}`);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    });
    if (this.maskToken !== null) counts.delete(this.maskToken);
    if (this.oovToken !== null) counts.delete(this.oovToken);
    let tokens = [...counts.entries()].sort((p, q) => q[1] - p[1] || q[0] - p[0]).map(([t]) => t);
    if (this.maxTokens !== null) tokens = tokens.slice(0, Math.max(0, this.maxTokens - this.tokenStart));
    this.useTokens(tokens);
  }

  /** The encoded output's width: maxTokens when padded, else the vocabulary's size. */
  private depth(): number {
    if (this.padToMaxTokens) return this.maxTokens as number;
    return this.vocabularySize();
  }

  private requireVocabulary(): void {
    if (!this.tokens) throw new Error(`${this.where}: the layer has no vocabulary yet: give vocabulary, or call adapt(data) with some data before using it`);
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    if (this.outputMode === 'int') return categoricalShape(this.where, inputShape, 'int', 0);
    // padToMaxTokens fixes the width before adapt (Keras's compute_output_shape: max_tokens).
    if (!this.padToMaxTokens) this.requireVocabulary();
    return categoricalShape(this.where, inputShape, this.outputMode, this.depth());
  }

  /** Keras's lookup of each token (-1: a mask token outside 'int' mode, dropped). */
  lookup(values: ArrayLike<number>): Int32Array {
    this.requireVocabulary();
    const out = new Int32Array(values.length);
    const unknown: number[] = [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isInteger(v)) throw new Error(`${this.where}: inputs must be integers, got ${v} at flat index ${i}`);
      if (this.maskToken !== null && v === this.maskToken) { out[i] = this.outputMode === 'int' ? 0 : -1; continue; }
      const k = this.index.get(v);
      if (k !== undefined) { out[i] = k; continue; }
      if (this.numOovIndices === 0) { unknown.push(v); continue; }
      out[i] = this.oovStart + (this.numOovIndices === 1 ? 0 : this.oovBucket(v));
    }
    if (unknown.length > 0) {
      throw new Error(`${this.where}: with numOovIndices 0 every input must be in the vocabulary; found ${[...new Set(unknown)].slice(0, 10).join(', ')} (set numOovIndices to 1 or more)`);
    }
    return out;
  }

  private oovBucket(v: number): number {
    const n = this.numOovIndices;
    if (this.oovMethod === 'floormod') return ((v % n) + n) % n;
    return integerBucket(BigInt(v), n, this.salt ? [BigInt(this.salt[0]), BigInt(this.salt[1])] : null);
  }

  /** invert: index -> token; index 0 is the mask token when there is one, unknown indices give oovToken. */
  private inverse(values: ArrayLike<number>): Float32Array {
    this.requireVocabulary();
    const tokens = this.tokens as number[];
    const out = new Float32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isInteger(v)) throw new Error(`${this.where}: invert takes integer indices, got ${v} at flat index ${i}`);
      if (this.maskToken !== null && v === 0) out[i] = this.maskToken;
      else if (v >= this.tokenStart && v < this.tokenStart + tokens.length) out[i] = tokens[v - this.tokenStart];
      else out[i] = this.oovToken as number;
    }
    return out;
  }

  /** Keras upranks a scalar to one sample of one value: taken whatever rank the layer was built for, as it holds no weights. */
  protected override checkInput(x: Tensor): void {
    if (x.rank > 0) super.checkInput(x);
  }

  protected [COMPUTE](x: Tensor, ctx: CallContext): Tensor {
    ctx.mask = null;
    const values = x.dataSync() as ArrayLike<number>;
    const ids = this.invert ? this.inverse(values) : this.lookup(values);
    return encodeCategorical(this.where, ids, x.shape, this.outputMode, this.outputMode === 'int' ? 0 : this.depth());
  }

  /**
   * The tokens as the config saves them, led by the special tokens only when the tokens start like them (a token -1
   * with oovToken -1): reading the config back strips a leading special prefix, as Keras's set_vocabulary does.
   */
  private configVocabulary(tokens: number[]): number[] {
    const special = this.specialTokens();
    return startsWith(tokens, special) ? [...special as number[], ...tokens] : [...tokens];
  }

  getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), invert: this.invert, maxTokens: this.maxTokens, numOovIndices: this.numOovIndices, oovToken: this.oovToken,
      maskToken: this.maskToken, outputMode: this.outputMode, sparse: false, padToMaxTokens: this.padToMaxTokens, vocabularyDtype: 'int64',
      idfWeights: null, vocabulary: this.tokens ? this.configVocabulary(this.tokens) : null, vocabularySize: this.tokens ? this.vocabularySize() : null,
      oovMethod: this.oovMethod, salt: this.salt,
    };
  }
}

/** Keras's np.array_equal(special, vocabulary[:len(special)]) for a non-empty prefix; a null matches only a null. */
function startsWith(entries: readonly (number | null)[], prefix: readonly (number | null)[]): boolean {
  return prefix.length > 0 && entries.length >= prefix.length && prefix.every((t, i) => entries[i] === t);
}

function tokenList(tokens: readonly (number | null)[]): string {
  return tokens.map((t) => (t === null ? 'null' : String(t))).join(', ');
}

/** The vocabulary's entries: a tensor or (nested) arrays of numbers, or a flat list with nulls for a null oovToken. */
function vocabularyEntries(where: string, vocabulary: unknown): (number | null)[] {
  if (Array.isArray(vocabulary) && vocabulary.includes(null)) {
    return vocabulary.map((t: unknown, i) => {
      if (t === null || typeof t === 'number') return t;
      throw new Error(`${where}: vocabulary entry ${i} must be an integer (or null for a null oovToken), got ${describe(t)}; a vocabulary holding null must be a flat list`);
    });
  }
  return flatNumbers(where, 'vocabulary', vocabulary);
}

/** A data pipeline (rnnlab's Dataset or another iterable object) rather than a tensor or arrays. */
function isDatasetLike(data: unknown): boolean {
  if (typeof data !== 'object' || data === null || data instanceof Tensor || Array.isArray(data) || ArrayBuffer.isView(data)) return false;
  return Symbol.asyncIterator in data || Symbol.iterator in data || typeof (data as { toArray?: unknown }).toArray === 'function';
}

function optionalInt(where: string, what: string, v: unknown): number | null {
  if (v === undefined || v === null) return null;
  if (!Number.isSafeInteger(v)) throw new Error(`${where}: ${what} must be an integer, got ${typeof v === 'number' ? v : describe(v)}`);
  return v as number;
}

registerLayer(IntegerLookup);
