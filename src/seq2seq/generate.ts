/**
 * Generated pairs for trying the encoder-decoder, seeded:
 * - date: a date written the many ways people write them -> ISO 8601 (YYYY-MM-DD). Every format names the month
 *   unambiguously (day/month order is fixed per separator), so the task is learnable exactly.
 * - reverse-words: a sentence of 6 to 16 words -> the same words in reverse order. Long inputs where each output
 *   word sits far from where it was read: the case attention is for.
 * - addition: the lab's adder (src/data/addition.ts: its operands of 1 to 3 digits, each unordered pair once)
 *   as pairs "123+45" -> "168", so the adder is one configuration of the general encoder-decoder.
 */
import { addition, maxAdditionPairs } from '../data/addition.js';
import { Random } from '../random.js';
import { DataError } from '../data/errors.js';
import { Seq2SeqOptionError } from './errors.js';
import { checkPairShape, checkSurrogates, DEFAULT_MAX_PAIR_LINE, isTsvHeader, pairWhere, type Pair } from './pairs.js';

export const GENERATED_TASKS = ['date', 'reverse-words', 'addition'] as const;
export type GeneratedTask = (typeof GENERATED_TASKS)[number];

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const pad2 = (n: number) => String(n).padStart(2, '0');
const ordinal = (d: number) => `${d}${d % 10 === 1 && d !== 11 ? 'st' : d % 10 === 2 && d !== 12 ? 'nd' : d % 10 === 3 && d !== 13 ? 'rd' : 'th'}`;

/** y, m (1-12), d, weekday -> the human spellings. */
const DATE_FORMATS: ((y: number, m: number, d: number, wd: number) => string)[] = [
  (y, m, d) => `${d} ${MONTHS[m - 1]} ${y}`,
  (y, m, d) => `${MONTHS[m - 1]} ${d}, ${y}`,
  (y, m, d) => `${MONTHS[m - 1].slice(0, 3)} ${d} ${y}`,
  (y, m, d) => `${d} ${MONTHS[m - 1].slice(0, 3).toLowerCase()} ${y}`,
  (y, m, d) => `${pad2(d)}/${pad2(m)}/${y}`,
  (y, m, d) => `${pad2(m)}-${pad2(d)}-${y}`,
  (y, m, d) => `${y}/${m}/${d}`,
  (y, m, d) => `${pad2(d)}.${pad2(m)}.${y}`,
  (y, m, d) => `the ${ordinal(d)} of ${MONTHS[m - 1]}, ${y}`,
  (y, m, d, wd) => `${DAYS[wd]}, ${MONTHS[m - 1]} ${d}, ${y}`,
  (y, m, d, wd) => `${DAYS[wd].slice(0, 3)} ${d} ${MONTHS[m - 1].slice(0, 3)} ${y}`,
  (y, m, d) => `${MONTHS[m - 1].toUpperCase()} ${ordinal(d).toUpperCase()} ${y}`,
];

const WORDS = ('time year people way day man thing woman life child world school state family student group country problem hand part ' +
  'place case week company system program question work number night point home water room mother area money story fact month lot ' +
  'right study book eye job word business issue side kind head house service friend father power hour game line end member law car city').split(' ');

function datePair(rng: Random): { source: string; target: string } {
  // 1950-01-01 .. 2049-12-31, uniformly over days.
  const start = Date.UTC(1950, 0, 1), days = Math.round((Date.UTC(2049, 11, 31) - start) / 86_400_000) + 1;
  const date = new Date(start + rng.int(days) * 86_400_000);
  const y = date.getUTCFullYear(), m = date.getUTCMonth() + 1, d = date.getUTCDate();
  const source = DATE_FORMATS[rng.int(DATE_FORMATS.length)](y, m, d, date.getUTCDay());
  return { source, target: `${y}-${pad2(m)}-${pad2(d)}` };
}

function reverseWordsPair(rng: Random): { source: string; target: string } {
  const words = Array.from({ length: 6 + rng.int(11) }, () => WORDS[rng.int(WORDS.length)]);
  return { source: words.join(' '), target: [...words].reverse().join(' ') };
}

/** count pairs of a task, the same for the same seed. */
export function generatePairs(task: GeneratedTask, count: number, seed: number): Pair[] {
  // Any other name would have made reverse-words pairs, and a missing seed unseeded ones.
  if (!(GENERATED_TASKS as readonly string[]).includes(task)) throw new Seq2SeqOptionError('task', `must be one of ${GENERATED_TASKS.join(', ')}, got ${JSON.stringify(task)}`);
  if (!Number.isInteger(count) || count < 2) throw new Seq2SeqOptionError('count', `must be an integer >= 2, got ${count}`);
  if (!Number.isSafeInteger(seed)) throw new Seq2SeqOptionError('seed', `must be an integer, got ${String(seed)}`);
  if (task === 'addition') return additionPairs(count, seed);
  const rng = new Random(seed);
  const make = task === 'date' ? datePair : reverseWordsPair;
  return Array.from({ length: count }, (_, i) => ({ ...make(rng), where: `${task}:${i + 1}` }));
}

const ADDITION_DIGITS = 3;

/** The lab's questions and answers without their space padding (the encoder-decoder pads by itself). */
function additionPairs(count: number, seed: number): Pair[] {
  const most = maxAdditionPairs(ADDITION_DIGITS);
  if (count > most) throw new Seq2SeqOptionError('count', `${count} is more than the ${most} distinct questions a+b of numbers of up to ${ADDITION_DIGITS} digits`);
  const { questions, answers } = addition({ trainingSize: count, digits: ADDITION_DIGITS, seed, validationSplit: 0 }).train;
  return questions.map((q, i) => ({ source: q.trimEnd(), target: answers[i].trimEnd(), where: `addition:${i + 1}` }));
}

/**
 * Why readPairs would not read a pair back as written to a TSV line, or null: a tab or line break (CR too) would
 * split it, an empty or whitespace-only side is refused, a BOM opening the file is dropped as the encoding's mark, and
 * a line over readPairs' default length is refused.
 */
function tsvProblem(p: Pair, i: number): string | null {
  for (const side of ['source', 'target'] as const) {
    const text: unknown = p[side];
    if (typeof text !== 'string') return `the ${side} must be a string, got ${text === null ? 'null' : typeof text}`;
    const c = /[\t\r\n]/.exec(text)?.[0];
    if (c !== undefined) return `the ${side} holds ${c === '\t' ? 'a tab' : 'a line break'}, which a TSV line cannot hold (write such pairs as JSON Lines)`;
    if (text.trim() === '') return `the ${side} is ${text === '' ? 'empty' : 'only whitespace'}, which readPairs refuses`;
  }
  if (i === 0 && p.source.startsWith('\uFEFF')) return 'the source starts with U+FEFF, which at the start of a file is read as its byte-order mark and dropped';
  const chars = p.source.length + 1 + p.target.length;
  if (chars > DEFAULT_MAX_PAIR_LINE) return `its line would be ${chars} characters, longer than readPairs reads by default (${DEFAULT_MAX_PAIR_LINE}; pairs are sentences, not documents)`;
  return null;
}

/**
 * The pairs as a TSV file's text, which readPairs reads back as they are; a pair it could not is a DataError naming
 * it. A first pair that reads as the header line source<TAB>target gets that header written before it, so it stays a pair.
 */
export function pairsTsv(pairs: readonly Pair[]): string {
  if (!Array.isArray(pairs)) throw new Seq2SeqOptionError('pairs', `must be a list of {source, target, where}, got ${pairs === null ? 'null' : typeof pairs}`);
  pairs.forEach((p, i) => {
    checkPairShape(p, i);
    const why = tsvProblem(p, i);
    if (why !== null) throw new DataError(`${pairWhere(p, i)}: ${why}`);
  });
  checkSurrogates(pairs);
  const header = pairs.length > 0 && isTsvHeader(pairs[0]) ? 'source\ttarget\n' : '';
  return header + pairs.map((p) => `${p.source}\t${p.target}\n`).join('');
}

/** The token kind each task is meant for: dates and sums are read character by character, sentences word by word. */
export const TASK_TOKENS: Record<GeneratedTask, 'char' | 'word'> = { date: 'char', 'reverse-words': 'word', addition: 'char' };
