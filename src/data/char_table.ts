import { DataError } from './errors.js';
import { checkOptionKeys } from '../near_name.js';
import { describe } from '../describe.js';

export interface OneHot {
  data: Float32Array;
  shape: number[];
}

/** The lab's CharacterTable: one-hot rows over the sorted set of `chars`. */
export class CharacterTable {
  readonly chars: readonly string[];
  private readonly charIndices: ReadonlyMap<string, number>;

  constructor(chars: string | Iterable<string>) {
    // Sorted by code point, as Python's sorted() does (JS's default sort goes by UTF-16 unit).
    this.chars = [...new Set(charactersOf(chars))].sort((a, b) =>
      a.codePointAt(0)! - b.codePointAt(0)! || (a < b ? -1 : a > b ? 1 : 0),
    );
    this.charIndices = new Map(this.chars.map((c, i) => [c, i]));
  }

  get size(): number {
    return this.chars.length;
  }

  indexOf(char: string): number {
    const i = this.charIndices.get(char);
    if (i === undefined) throw new DataError(`character ${JSON.stringify(char)} is not in the table ${JSON.stringify(this.chars.join(''))}`);
    return i;
  }

  /** One-hot of `text` as [numRows, size]; rows past the text stay zero. */
  encode(text: string, numRows: number): OneHot {
    const out = new Float32Array(numRows * this.size);
    this.encodeInto(text, numRows, out, 0);
    return { data: out, shape: [numRows, this.size] };
  }

  /** One-hot of many texts as [texts.length, numRows, size]. */
  encodeBatch(texts: readonly string[], numRows: number): OneHot {
    const stride = numRows * this.size;
    const out = new Float32Array(texts.length * stride);
    texts.forEach((t, i) => this.encodeInto(t, numRows, out, i * stride));
    return { data: out, shape: [texts.length, numRows, this.size] };
  }

  /**
   * Back to text. With argmax (default) `x` holds rows of `size` scores and each row's largest wins;
   * without, `x` holds indices, as the lab's `decode(preds, calc_argmax=False)`.
   */
  decode(
    given: ArrayLike<number> | ReadonlyArray<ArrayLike<number>> | { dataSync(): ArrayLike<number> },
    options: { argmax?: boolean } = {},
  ): string {
    const o = checkOptionKeys('CharacterTable.decode', options, ['argmax'], { error: DataError });
    if (o.argmax !== undefined && typeof o.argmax !== 'boolean') throw new DataError(`CharacterTable.decode: argmax must be true or false, got ${describe(o.argmax)}`);
    const argmax = o.argmax ?? true;
    const x = decodable(given, argmax ? this.size : undefined);
    let out = '';
    if (!argmax) {
      for (let i = 0; i < x.length; i++) out += this.charAt(x[i]);
      return out;
    }
    const width = this.size;
    if (x.length % width !== 0) throw new DataError(`decode expects rows of ${width} scores, got ${x.length} values`);
    for (let row = 0; row < x.length; row += width) {
      let best = 0;
      for (let k = 1; k < width; k++) if (x[row + k] > x[row + best]) best = k;
      out += this.chars[best];
    }
    return out;
  }

  private charAt(index: number): string {
    const c = this.chars[index];
    if (!Number.isInteger(index) || c === undefined) throw new DataError(`index ${index} is outside the table of ${this.size} characters`);
    return c;
  }

  private encodeInto(text: string, numRows: number, out: Float32Array, offset: number): void {
    const chars = Array.from(text);
    if (chars.length > numRows) throw new DataError(`"${text}" has ${chars.length} characters, more than numRows=${numRows}`);
    chars.forEach((c, i) => (out[offset + i * this.size + this.indexOf(c)] = 1));
  }
}

/**
 * The table's characters: a string's code points, or an iterable's entries, each one character (encode splits
 * texts by code point, so a longer entry could never match).
 */
function charactersOf(chars: unknown): string[] {
  if (typeof chars === 'string') return Array.from(chars);
  if (chars === null || typeof chars !== 'object' || typeof (chars as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new DataError(`CharacterTable: chars must be a string or an iterable of characters, got ${describe(chars)}`);
  }
  const out = Array.from(chars as Iterable<unknown>);
  out.forEach((c, i) => {
    if (typeof c !== 'string' || Array.from(c).length !== 1) throw new DataError(`CharacterTable: chars[${i}] must be one character, got ${describe(c)}`);
  });
  return out as string[];
}

/**
 * decode's input as flat numbers: an array, a typed array or a tensor of them, as the lab's decode takes a NumPy
 * array, or (with argmax) a JS array of rows of `width` scores, as `tensor.arraySync()` gives, read row by row as
 * numpy's argmax(axis=-1) reads the lab's x[0]. Anything else is refused: reading rows as numbers gave a wrong text.
 */
function decodable(x: unknown, width: number | undefined): ArrayLike<number> {
  if (typeof (x as { dataSync?: unknown } | null)?.dataSync === 'function') return (x as { dataSync(): ArrayLike<number> }).dataSync();
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) return x as unknown as ArrayLike<number>;
  if (!Array.isArray(x)) throw new DataError(`CharacterTable.decode: x must be numbers (an array, a typed array or a tensor), got ${describe(x)}`);
  if (x.length === 0 || !isRow(x[0])) {
    x.forEach((v, i) => checkNumber(v, `x[${i}]`, isRow(v) ? ' (x[0] is a number, so x must be flat numbers, not rows)' : ''));
    return x as number[];
  }
  if (width === undefined) throw new DataError('CharacterTable.decode: with argmax: false, x must hold indices (flat numbers), got rows of scores');
  const flat: number[] = [];
  x.forEach((row, i) => {
    if (!isRow(row)) throw new DataError(`CharacterTable.decode: x[${i}] must be a row of ${width} scores like x[0], got ${describe(row)}`);
    if (row.length !== width) throw new DataError(`CharacterTable.decode: each row of x must hold ${width} scores (one per character), x[${i}] has ${row.length}`);
    for (let k = 0; k < row.length; k++) {
      const v = (row as ArrayLike<unknown>)[k];
      if (isRow(v)) throw new DataError(`CharacterTable.decode: x[${i}][${k}] is an array: x must be one sequence's rows ([steps][${width}]); decode a batch one sample at a time`);
      checkNumber(v, `x[${i}][${k}]`, '');
      flat.push(v as number);
    }
  });
  return flat;
}

function isRow(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

function checkNumber(v: unknown, where: string, hint: string): void {
  if (typeof v !== 'number') throw new DataError(`CharacterTable.decode: ${where} must be a number, got ${describe(v)}${hint}`);
}
