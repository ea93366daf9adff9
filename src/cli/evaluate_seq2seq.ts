/**
 * `rnnlab evaluate --model SEQ2SEQ_DIR --data PAIRS`: a model from `rnnlab seq2seq` scored on a pairs file read as
 * `rnnlab seq2seq --data` reads one, with the numbers its held-out pairs got in training (scoreSeq2Seq).
 */
import type { Command } from 'commander';
import { DataError } from '../data/errors.js';
import { PAIR_FORMATS, readPairsFile, spreadsheetQuotingNote, type PairFormat } from '../seq2seq/pairs.js';
import { sampleLines } from '../seq2seq/result.js';
import { scoreSeq2Seq } from '../seq2seq/score.js';
import { scoreBody, scoreDoc, scoreLines } from '../seq2seq/score_result.js';
import { loadSeq2Seq } from '../seq2seq/store.js';
import { SEQ2SEQ_LIMITS } from '../seq2seq/limits.js';
import { SEQ2SEQ_DEFAULTS } from '../seq2seq/train.js';
import { UsageError, type CliContext } from './context.js';
import { convertFlag } from './flags.js';
import { checkInputFile } from './paths.js';
import { argvOf, finishRun, Printer } from './printer.js';
import { choice } from './text_cli.js';
import { longSourceNote, unknownSourceNote } from './translate.js';

/** The flags that only a seq2seq model takes (commander's names, flags as written). */
const SEQ2SEQ_ONLY: readonly [string, string][] = [['beam', '--beam'], ['pairsFormat', '--pairs-format'], ['samples', '--samples']];
/** The flags that only a classifier takes: they say how to read labelled texts, or what to show of a classifier's scores. */
const CLASSIFIER_ONLY: readonly [string, string][] = [
  ['textColumn', '--text-column'], ['labelColumn', '--label-column'], ['classes', '--classes'], ['skipBadRows', '--skip-bad-rows'],
  ['format', '--format'], ['labelMap', '--label-map'], ['worst', '--worst'],
];

/** How many notes of each kind (unknown tokens, long sources) are printed one by one before the rest are counted. */
const NOTES_SHOWN = 10;

export function addSeq2SeqEvaluateOptions(cmd: Command): Command {
  const int = (name: 'beam' | 'samples') => (v: string) => convertFlag(name, { kind: 'int', ...SEQ2SEQ_LIMITS[name] }, v, 'evaluate') as number;
  return cmd
    .addOption(choice('--pairs-format <kind>', 'seq2seq model: how --data holds its pairs (default from its name: .csv, .jsonl, else TSV)', PAIR_FORMATS))
    .option('--beam <n>', 'seq2seq model: also decode with beam search of this width (default 0: greedy only)', int('beam'))
    .option('--samples <n>', 'seq2seq model: pairs to print as Question / True / Guess lines (default 10)', int('samples'));
}

function given(cmd: Command, name: string): boolean {
  return cmd.getOptionValueSource(name) === 'cli';
}

/** A flag for the other kind of model would be ignored: refused naming it and the kind of model --model holds. */
export function checkFlagsForModel(cmd: Command, seq2seq: boolean, modelDir: string): void {
  if (seq2seq) {
    const flag = CLASSIFIER_ONLY.find(([name]) => given(cmd, name))?.[1];
    if (flag === undefined) return;
    const instead = flag === '--format' ? '; a pairs file\'s format is --pairs-format tsv|csv|jsonl' : '';
    throw new UsageError(`${flag} applies to a text classifier, but ${modelDir} holds a seq2seq model (rnnlab seq2seq), scored on source/target pairs${instead}`, 'evaluate');
  }
  const flag = SEQ2SEQ_ONLY.find(([name]) => given(cmd, name))?.[1];
  if (flag !== undefined) throw new UsageError(`${flag} applies to a seq2seq model (rnnlab seq2seq), but ${modelDir} holds a text classifier`, 'evaluate');
}

interface Seq2SeqEvaluateFlags { model: string; data: string; pairsFormat?: PairFormat; beam?: number; samples?: number; out?: string }

/** Notes on stderr as translate writes them, one per pair up to NOTES_SHOWN of each kind, then a count of the rest. */
function notes(r: ReturnType<typeof scoreSeq2Seq>, maxSourceLen: number, ctx: CliContext): void {
  const say = (s: string) => ctx.err.write(`rnnlab evaluate: ${s}\n`);
  for (const u of r.unknownSources.slice(0, NOTES_SHOWN)) say(unknownSourceNote(u.where, u.tokens));
  if (r.unknownSources.length > NOTES_SHOWN) say(`... and ${r.unknownSources.length - NOTES_SHOWN} more pair(s) with source tokens not in the model's vocabulary`);
  for (const l of r.longSources.slice(0, NOTES_SHOWN)) say(longSourceNote(l.where, l.length, maxSourceLen));
  if (r.longSources.length > NOTES_SHOWN) say(`... and ${r.longSources.length - NOTES_SHOWN} more pair(s) with sources longer than ${maxSourceLen} tokens`);
}

export async function evaluateSeq2Seq(f: Seq2SeqEvaluateFlags, cmd: Command, ctx: CliContext, startedAt: Date): Promise<number> {
  checkInputFile('--data', f.data, 'evaluate');
  let model;
  try { model = await loadSeq2Seq(f.model); } catch (e) {
    if (e instanceof DataError) throw new UsageError(`--model: ${e.message}`, 'evaluate');
    throw e;
  }
  let r, headerLine: number | null;
  try {
    // As rnnlab seq2seq reads --data: the same reader, errors naming the file and line, and --pairs-format.
    const read = await readPairsFile(f.data, f.data, { format: f.pairsFormat, optionNames: { format: '--pairs-format' } });
    headerLine = read.headerLine;
    // As rnnlab seq2seq warns of it: the quotes are read, and scored, as text.
    if (read.spreadsheetQuoting) ctx.err.write(`rnnlab evaluate: ${spreadsheetQuotingNote(f.data, read.spreadsheetQuoting, 'scored')}\n`);
    r = scoreSeq2Seq(model, read.pairs, { beam: f.beam ?? 0, samples: f.samples });
  } catch (e) {
    if (e instanceof DataError) throw new UsageError(`--data: ${e.message}`, 'evaluate');
    throw e;
  }
  const p = new Printer(ctx);
  p.line(`${r.pairs.toLocaleString('en-US')} pair${r.pairs === 1 ? '' : 's'} from ${f.data}${headerLine !== null ? ` (line ${headerLine} read as a header)` : ''}; model ${model.dir}`);
  p.line();
  p.lines(sampleLines(r.samples));
  // As rnnlab seq2seq says it: more samples asked (or the default 10) than there are pairs.
  const asked = f.samples ?? SEQ2SEQ_DEFAULTS.samples;
  if (asked > r.samples.length) p.line(`(--samples ${asked} asked; ${f.data} holds ${r.pairs} pair(s), so ${r.samples.length} are shown)`);
  notes(r, model.spec.maxSourceLen, ctx);
  p.lines(scoreLines(r));
  const run = { modelDir: model.dir, data: f.data, headerLine };
  const body = scoreBody(r, run);
  finishRun(p, { command: 'evaluate', runName: 'evaluate', argv: argvOf(cmd), startedAt, out: f.out }, body, scoreDoc(r, run, body));
  return 0;
}
