/** `rnnlab tokenize "text"`: how a review becomes the ids the IMDb models read, and how padding shapes it. */
import { datasets, encodeReview, padSequences, Tokenizer, type ReviewToken } from '../data/index.js';
import { sharedWordIndex } from '../data/imdb_words.js';
import type { Command } from 'commander';
import { UsageError, type CliContext } from './context.js';
import { addFlags, helpExtras, OUT_FLAG, type Flags } from './flags.js';
import { IMDB_RUN_DEFAULTS } from '../experiments/lab_models.js';
import type { RecordBody } from '../report/record.js';
import { argvOf, finishRun, Printer } from './printer.js';
import { withRunFolderLock } from './paths.js';
import { stopAfterTheWrites } from './stop_signals.js';
import { formatTable } from '../report/table.js';

/** Why a word became the id it did, for the table. */
function note(t: ReviewToken, vocab: number): string {
  if (t.kind === 'unknown') return 'not in the word index: dropped (as in Keras\'s data)';
  if (t.kind === 'rare') return `rank ${String(t.rank)} + 3 >= vocab ${vocab}: <UNK>`;
  return '';
}

/**
 * A token as the Text: line shows its text, JSON's escapes without the quotes: Keras's default filters keep '\r' and
 * other control characters inside words, and printed raw they would move the cursor (a CR overwrites the line).
 */
export function shownToken(token: string): string {
  return JSON.stringify(token).slice(1, -1);
}

/** A padded row in short: runs of the padding value are written "0 x 495". */
export function compactRow(row: ArrayLike<number>, pad = 0): string {
  const parts: string[] = [];
  let i = 0;
  while (i < row.length) {
    if (row[i] === pad) {
      let j = i;
      while (j < row.length && row[j] === pad) j++;
      parts.push(j - i > 3 ? `${pad} x ${j - i}` : Array(j - i).fill(String(pad)).join(' '));
      i = j;
    } else parts.push(String(row[i++]));
  }
  return `[${parts.join(' ')}]`;
}

export const TOKENIZE_FLAGS: Flags = {
  // Keras's num_words may be as small as 1 with --fit; the IMDb index needs 4 (ids 0-2 are reserved), checked below.
  vocab: { kind: 'int', min: 1, max: 1000000, default: IMDB_RUN_DEFAULTS.vocab, help: 'vocabulary size (Keras num_words): ids >= vocab become <UNK>; with --fit they are dropped, or become --oov' },
  maxlen: { kind: 'int', min: 1, max: 100000, default: IMDB_RUN_DEFAULTS.maxlen, help: 'padded length' },
  padding: { kind: 'choice', choices: ['pre', 'post'], default: 'pre', help: 'where padding goes' },
  truncating: { kind: 'choice', choices: ['pre', 'post'], default: 'pre', help: 'which end of a long text is cut' },
  fit: { kind: 'bool', default: false, help: 'fit a Keras Tokenizer on the texts (word frequency ranks) instead of the IMDb index' },
  oov: { kind: 'string', metavar: 'TOKEN', help: 'with --fit: Keras\'s oov_token, which takes id 1 and stands in for words beyond --vocab (default: they are dropped)' },
  // Unlike the training commands, tokenize has no default folder: it writes only when --out is given.
  out: { ...OUT_FLAG.out, help: 'also write results.json, report.html and report.png to this folder (default: print only, write nothing)' },
};

const SUMMARY = 'Show the tokens, ids and padding a text gets before an IMDb model reads it.';

export function register(program: Command, ctx: CliContext): void {
  const cmd = program.command('tokenize').summary(SUMMARY).description(SUMMARY).usage('"some text" [more texts...] [options]')
    .argument('[text...]', 'the text (several arguments are several texts)');
  addFlags(cmd, TOKENIZE_FLAGS, 'tokenize');
  helpExtras(cmd, {
    description: ['Ids follow Keras\'s IMDb data: 0 padding, 1 <START>, 2 <UNK>, then word rank + 3 (the = 4).',
      'With --fit, a Keras Tokenizer is fitted on the given texts instead, as in the lab\'s small example.'],
    examples: ['rnnlab tokenize "This movie was great!"', 'rnnlab tokenize --maxlen 12 "i have books" "interesting books are useful" --fit'],
  });
  // --out is locked as a training run's is: two runs into one folder would otherwise each replace the files one by one,
  // leaving one run's results.json beside the other's report.
  cmd.action(async (texts: string[], flags: Record<string, unknown>, c: Command) => {
    ctx.exitCode = await withRunFolderLock(flags.out as string | undefined, 'tokenize', argvOf(c), () => runTokenize(texts, flags, ctx, argvOf(c)));
  });
}

async function runTokenize(texts: string[], f: Record<string, unknown>, ctx: CliContext, argv: readonly string[]): Promise<number> {
  const example = 'e.g. rnnlab tokenize "This movie was great!"';
  if (texts.length === 0) throw new UsageError(`give the text to tokenize, ${example}`, 'tokenize');
  if (texts.every((t) => t.trim() === '')) throw new UsageError(`${texts.length === 1 ? 'the text given is' : `all ${texts.length} texts given are`} empty or only spaces: nothing to tokenize; give a text with words, ${example}`, 'tokenize');
  const p = new Printer(ctx);
  const started = new Date();
  const maxlen = f.maxlen as number, vocab = f.vocab as number;
  const padOpts = { maxlen, padding: f.padding as 'pre' | 'post', truncating: f.truncating as 'pre' | 'post' };
  const out: Record<string, unknown>[] = [];
  const oov = f.oov as string | undefined;
  if (!f.fit && vocab < 4) throw new UsageError(`--vocab must be an integer from 4 to 1000000, got '${vocab}' (ids 0 to 2 are the IMDb index's padding, <START> and <UNK>; with --fit, Keras's num_words may be from 1)`, 'tokenize');
  if (oov !== undefined && !f.fit) throw new UsageError('--oov sets the fitted Tokenizer\'s oov_token and needs --fit; the IMDb index has its own <UNK> (id 2)', 'tokenize');
  if (oov !== undefined && oov.trim() === '') throw new UsageError(`--oov expects a token, got '${oov}'`, 'tokenize');
  const cutNote = (n: number) => (n > maxlen ? `; ${n - maxlen} id(s) cut at the ${padOpts.truncating === 'pre' ? 'front' : 'end'}` : '');
  if (f.fit) {
    const tok = new Tokenizer({ numWords: vocab, oovToken: oov ?? null });
    tok.fitOnTexts(texts);
    const seqs = tok.textsToSequences(texts);
    // The index holds the oov token too; it is one of the texts' words only where Keras gave it another index than 1.
    const words = tok.wordIndex.size - (oov !== undefined && tok.wordIndex.get(oov) === 1 ? 1 : 0);
    p.line(`Keras Tokenizer fitted on ${texts.length} text(s): ${words} word${words === 1 ? '' : 's'}, indexed by frequency (${oovHeader(tok.wordIndex, oov)})`);
    p.line(`Word index: ${[...tok.wordIndex].map(([w, i]) => `${shownToken(w)}-${i}`).join(', ')}`);
    const padded = padSequences(seqs, padOpts);
    texts.forEach((t, i) => {
      const row = padded.data.subarray(i * maxlen, (i + 1) * maxlen);
      p.line();
      p.line(`Text:    ${JSON.stringify(t)}`);
      p.line(`Tokens:  ${tok.tokenize(t).map(shownToken).join(' | ')}`);
      p.line(`Ids:     [${seqs[i].join(', ')}]`);
      p.line(`Padded:  ${compactRow(row)}  (maxlen ${maxlen}, padding '${padOpts.padding}'${cutNote(seqs[i].length)})`);
      out.push({ text: t, tokens: tok.tokenize(t), ids: seqs[i], padded: Array.from(row) });
    });
  } else {
    texts.forEach((t, i) => {
      const enc = encodeReview(t, vocab, sharedWordIndex());
      const padded = padSequences([enc.ids], padOpts);
      if (i) p.line();
      p.line(`Text:    ${JSON.stringify(t)}`);
      p.line(`Tokens:  ${enc.tokens.map((x) => shownToken(x.word)).join(' | ')}  (${enc.tokens.length})`);
      p.line(`Ids:     [${enc.ids.join(', ')}]  (1 = <START>, 2 = <UNK>, word = rank + 3)`);
      p.lines(formatTable({ columns: ['token', 'rank', 'id', 'note'], rows: enc.tokens.map((x) => [shownToken(x.word), x.rank, x.id, note(x, vocab)]) }).map((l) => `  ${l}`));
      p.line(`Padded:  ${compactRow(padded.data)}  (maxlen ${maxlen}, padding '${padOpts.padding}'${cutNote(enc.ids.length)})`);
      p.line(`Decoded: ${datasets.imdb.decode(padded.data, { skipSpecial: false }).replace(/<PAD>(?: <PAD>)*/g, (m) => { const n = m.split(' ').length; return n > 2 ? `<PAD> x ${n}` : m; })}`);
      out.push({ text: t, tokens: enc.tokens.map((x) => ({ token: x.word, rank: x.rank, id: x.id, note: note(x, vocab) })), ids: enc.ids, padded: Array.from(padded.data) });
    });
  }
  if (typeof f.out === 'string') {
    const body: RecordBody = { config: { vocab, ...padOpts, fit: f.fit, oov: oov ?? null }, data: null, models: [], metrics: {}, finding: `Tokenized ${texts.length} text(s).`, details: { texts: out } };
    finishRun(p, { command: 'tokenize', runName: 'tokenize', argv, startedAt: started, out: f.out }, body, { title: 'Tokenization', sections: [{ title: 'Texts', pre: JSON.stringify(out, null, 1) }] });
    // Printing and writing are one synchronous stretch: a stop meanwhile is answered now, naming the folder written.
    await stopAfterTheWrites('tokenize', f.out, ctx);
  }
  return 0;
}

/**
 * What index 1 is. Keras's fit_on_texts numbers [oov, ...words] through a dict, so an oov token that is also a word
 * of the texts takes the word's later index and index 1 goes unused.
 */
export function oovHeader(wordIndex: ReadonlyMap<string, number>, oov: string | undefined): string {
  if (oov === undefined) return '1 = most frequent';
  const at = wordIndex.get(oov);
  return at === 1 ? `1 = the oov token '${shownToken(oov)}'` : `${at} = the oov token '${shownToken(oov)}', also a word of the texts; index 1 is unused, as in Keras`;
}
