/**
 * A sequence-to-sequence vocabulary: tokens (characters or whitespace-separated words) to ids, with the four
 * special tokens every encoder-decoder needs at fixed ids: padding 0 (masked), start 1 (the decoder's first
 * input), end 2 (where decoding stops) and unknown 3 (tokens not seen in training).
 */
import { DataError } from '../data/errors.js';
import { compareCodePoints } from '../data/text_vectorizer.js';

export const TOKEN_KINDS = ['char', 'word'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

export const PAD = 0, START = 1, END = 2, UNKNOWN = 3;
export const SPECIAL_TOKENS = ['<pad>', '<start>', '<end>', '<unk>'] as const;

export interface VocabJSON { tokens: TokenKind; items: string[] }

/**
 * Characters are code points, as Keras's character-level example and TextVectorization's character split read them:
 * 'é' written precomposed is one token, written as e plus a combining accent two; a flag or a joined (ZWJ) emoji is
 * several. Words are split on whitespace.
 */
export function tokenize(text: string, kind: TokenKind): string[] {
  return kind === 'char' ? Array.from(text) : text.split(/\s+/).filter((w) => w !== '');
}

/** The first word of a text that is written as a special token ('<end>'...), which word vocabularies cannot hold. */
export function specialTokenIn(text: string, kind: TokenKind): string | undefined {
  return kind === 'word' ? tokenize(text, kind).find((w) => (SPECIAL_TOKENS as readonly string[]).includes(w)) : undefined;
}

export class Vocab {
  private readonly ids: Map<string, number>;

  /** items: the tokens by id, the four specials first. */
  constructor(readonly kind: TokenKind, readonly items: readonly string[]) {
    this.ids = new Map(items.map((t, i) => [t, i]));
  }

  /**
   * The tokens of the texts in order of first appearance (deterministic for a given order of texts). With maxSize,
   * only the maxSize - 4 most frequent besides the specials, ties to the higher code point, as Keras's max_tokens
   * keeps them (np.lexsort by count, then token, reversed); the others read as UNKNOWN. Earlier builds let the first-seen
   * token win a tie, an order of rows rather than a rule, so this follows Keras; TextVectorizer.adapt (`train
   * --vocab`) keeps ascending ties for its recorded runs (docs/API.md, deliberate differences).
   */
  static fromTexts(texts: Iterable<string>, kind: TokenKind, maxSize?: number): Vocab {
    const counts = new Map<string, number>();
    for (const t of texts) {
      for (const tok of tokenize(t, kind)) if (!(SPECIAL_TOKENS as readonly string[]).includes(tok)) counts.set(tok, (counts.get(tok) ?? 0) + 1);
    }
    let tokens = [...counts.keys()];
    if (maxSize !== undefined && tokens.length > maxSize - SPECIAL_TOKENS.length) {
      const kept = new Set([...tokens].sort((a, b) => counts.get(b)! - counts.get(a)! || compareCodePoints(b, a)).slice(0, Math.max(0, maxSize - SPECIAL_TOKENS.length)));
      tokens = tokens.filter((t) => kept.has(t));
    }
    return new Vocab(kind, [...SPECIAL_TOKENS, ...tokens]);
  }

  get size(): number { return this.items.length; }

  /**
   * Token ids of a text (unknown tokens become UNKNOWN), without start or end. A word written as a special token
   * ('<end>', '<pad>') is unknown too: as its id it would end or mask the text.
   */
  encode(text: string): number[] {
    return tokenize(text, this.kind).map((t) => {
      const id = this.ids.get(t);
      return id === undefined || id < SPECIAL_TOKENS.length ? UNKNOWN : id;
    });
  }

  /** The tokens of a text that encode reads as UNKNOWN (never seen in training, or written as a special token), in order. */
  unknownTokens(text: string): string[] {
    return tokenize(text, this.kind).filter((t) => { const id = this.ids.get(t); return id === undefined || id < SPECIAL_TOKENS.length; });
  }

  /** The text of ids, stopping at END and leaving out padding and START. */
  decode(ids: ArrayLike<number>): string {
    return this.join(this.tokensOf(ids));
  }

  /** The tokens of ids up to END (exclusive), specials other than UNKNOWN left out. */
  tokensOf(ids: ArrayLike<number>): string[] {
    const out: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id === END) break;
      if (id === PAD || id === START) continue;
      out.push(this.items[id] ?? SPECIAL_TOKENS[UNKNOWN]);
    }
    return out;
  }

  join(tokens: readonly string[]): string { return tokens.join(this.kind === 'char' ? '' : ' '); }

  toJSON(): VocabJSON { return { tokens: this.kind, items: [...this.items] }; }

  /**
   * A checked vocabulary; `where` names the file for errors, and `field` (e.g. 'source') where the vocabulary sits in it.
   * An item tokenize never gives (a multi-character item of a char vocabulary, a word holding a space) would never be
   * matched, and its characters would read as <unk>: refused, as a repeated item is.
   */
  static fromJSON(json: unknown, where: string, field?: string): Vocab {
    const f = (k: string) => (field === undefined ? k : `${field}.${k}`);
    const j = json as Partial<VocabJSON> | null;
    if (typeof j !== 'object' || j === null) throw new DataError(`${where}: ${field === undefined ? 'expected' : `field '${field}' must be`} an object {tokens, items}`);
    if (!TOKEN_KINDS.includes(j.tokens as TokenKind)) throw new DataError(`${where}: field '${f('tokens')}' must be ${TOKEN_KINDS.join(' or ')}, got ${JSON.stringify(j.tokens)}`);
    const kind = j.tokens as TokenKind, items = j.items;
    if (!Array.isArray(items) || items.some((t) => typeof t !== 'string' || t === '')) throw new DataError(`${where}: field '${f('items')}' must be a list of non-empty strings`);
    if (SPECIAL_TOKENS.some((s, i) => items[i] !== s)) throw new DataError(`${where}: field '${f('items')}' must start with ${SPECIAL_TOKENS.join(', ')}`);
    const first = new Map<string, number>();
    items.forEach((t, i) => {
      const earlier = first.get(t);
      if (earlier !== undefined) throw new DataError(`${where}: field '${f('items')}' lists a token twice: ${JSON.stringify(t)} at ${earlier} and ${i}`);
      first.set(t, i);
      if (i < SPECIAL_TOKENS.length) return;
      const toks = tokenize(t, kind);
      if (toks.length !== 1 || toks[0] !== t) {
        const want = kind === 'char' ? 'one character (a code point)' : 'one word, without whitespace';
        throw new DataError(`${where}: field '${f(`items[${i}]`)}' is ${JSON.stringify(t)}, but an item of a ${kind} vocabulary is ${want}`);
      }
    });
    return new Vocab(kind, items);
  }
}
