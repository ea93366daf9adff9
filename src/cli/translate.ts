/**
 * `rnnlab translate --model DIR`: decode texts with a model trained by `rnnlab seq2seq`, given as arguments or read
 * from a file or stdin (`--file PATH|-`), one output per input line, in input order.
 */
import type { Command } from 'commander';
import { DataError } from '../data/errors.js';
import { resolveModelDir } from '../experiments/model_store.js';
import { attentionHeatmap } from '../seq2seq/heatmap.js';
import { SEQ2SEQ_LIMITS } from '../seq2seq/limits.js';
import { findSeq2SeqDir, loadSeq2Seq, SEQ2SEQ_SPEC_FILE } from '../seq2seq/store.js';
import { translateLines, translateTexts, type Translation } from '../seq2seq/translate.js';
import { UsageError, type CliContext } from './context.js';
import { VERBOSE_FLAG, type Flags } from './flags.js';
import { applyThreads } from './printer.js';
import { checkTextInputs, textInputCommand } from './text_inputs.js';

export const TRANSLATE_FLAGS: Flags = {
  model: { kind: 'path', required: true, mustExist: true, metavar: 'DIR', help: 'the model folder (<run>/model) or the run folder of rnnlab seq2seq' },
  file: { kind: 'string', metavar: 'PATH', help: "decode every line of a file, or '-' for stdin" },
  format: { kind: 'choice', choices: ['text', 'tsv', 'jsonl'], default: 'text', help: 'text: the output alone; tsv: input<TAB>output; jsonl: {"input", "output", "truncated"} per line' },
  beam: { kind: 'int', ...SEQ2SEQ_LIMITS.beam, default: 0, help: 'beam search of this width (0: greedy)' },
  'show-attention': { kind: 'bool', default: false, help: 'after each output, draw its attention matrix (source across, output down); jsonl: an "attention" field' },
  threads: VERBOSE_FLAG.threads,
};

const SUMMARY = 'Decode texts with a model trained by rnnlab seq2seq: arguments, a file, or stdin.';

interface TranslateFlags { model: string; file?: string; format: 'text' | 'tsv' | 'jsonl'; beam: number; showAttention: boolean; threads?: number }

export function register(program: Command, ctx: CliContext): void {
  const cmd = textInputCommand(program, {
    name: 'translate', summary: SUMMARY, usage: '--model DIR ["text" ...] [--file PATH|-] [--format text|tsv|jsonl] [--beam N]',
    textsHelp: 'texts to decode (each argument is one input)', flags: TRANSLATE_FLAGS,
    examples: [
      'rnnlab translate --model runs/date "3 March 2021" "Mar 4 1999"',
      'rnnlab translate --model runs/date --file dates.txt --format tsv --beam 4',
      'echo "the 1st of May, 2020" | rnnlab translate --model runs/date --file - --show-attention',
    ],
  });
  cmd.action(async (texts: string[], flags: TranslateFlags) => { ctx.exitCode = await runTranslate(texts, flags, ctx); });
}

/**
 * A text or TSV line holds one input: an output with a line break (a target vocabulary from a CSV's quoted newlines),
 * or in TSV an input or output with a tab, would shift every later line. JSON Lines escapes both.
 */
function checkOneLine(t: Translation, f: TranslateFlags, where: string): void {
  const sides: ['input' | 'output', RegExp][] = f.format === 'tsv' ? [['input', /[\t\r\n]/], ['output', /[\t\r\n]/]] : [['output', /[\r\n]/]];
  for (const [side, bad] of sides) {
    const c = bad.exec(t[side])?.[0];
    if (c === undefined) continue;
    const what = c === '\t' ? 'a tab' : 'a line break';
    throw new UsageError(`--format ${f.format}: the ${side} of ${where} holds ${what}, which would break the one line per input; use --format jsonl`, 'translate');
  }
}

function lines(t: Translation, f: TranslateFlags, where: string): string[] {
  if (f.format === 'jsonl') {
    const attention = f.showAttention ? { attention: t.weights.length ? { source: t.sourceTokens, output: t.outputTokens, weights: t.weights } : null } : {};
    return [JSON.stringify({ input: t.input, output: t.output, truncated: t.truncated, ...attention })];
  }
  checkOneLine(t, f, where);
  const first = f.format === 'tsv' ? `${t.input}\t${t.output}` : t.output;
  if (!f.showAttention) return [first];
  if (!t.weights.length) return [first, '(no attention: the model was trained with --attention none, or the input is empty)', ''];
  return [first, ...attentionHeatmap(t.sourceTokens, t.outputTokens, t.weights), ''];
}

async function runTranslate(texts: string[], f: TranslateFlags, ctx: CliContext): Promise<number> {
  if (!findSeq2SeqDir(f.model)) {
    // Another kind of saved model (a classifier from rnnlab train or imdb) is pointed to the command that scores it.
    const other = resolveModelDir(f.model);
    if (other) throw new UsageError(`--model: ${other} holds a model that is not a seq2seq model (no ${SEQ2SEQ_SPEC_FILE}): a classifier from rnnlab train or rnnlab imdb scores texts with rnnlab predict`, 'translate');
    throw new UsageError(`--model: ${f.model} holds no ${SEQ2SEQ_SPEC_FILE} (nor does its model/ folder); train one with rnnlab seq2seq`, 'translate');
  }
  checkTextInputs('translate', texts, f.file, 'give the text to decode, e.g. rnnlab translate --model DIR "3 March 2021", or --file PATH|-');
  // The heatmap's lines would land between the TSV rows, which a reader of the file takes for inputs.
  if (f.showAttention && f.format === 'tsv') throw new UsageError('--show-attention draws its heatmap between the lines of --format tsv, which must hold one input per line; use --format jsonl (an "attention" field) or text', 'translate');
  applyThreads({ ...f });
  let model;
  try { model = await loadSeq2Seq(f.model); } catch (e) {
    if (e instanceof DataError) throw new UsageError(`--model: ${e.message}`, 'translate');
    throw e;
  }
  const write = (t: Translation, where: string) => {
    for (const l of lines(t, f, where)) ctx.out.write(`${l}\n`);
    // stdout keeps one line per input; jsonl says it in its "truncated" field.
    if (t.truncated && f.format !== 'jsonl') {
      ctx.err.write(`rnnlab translate: ${where}: no <end> within ${model.spec.maxTargetLen + 1} steps (the model's target length limit + 1); the output may be cut short\n`);
    }
    // An input unlike the training sources decodes anyway; say so, as it explains a poor output.
    // Counted as listed, each token once: "3 tokens" beside two names would read as a token left out of the list.
    const unknown = [...new Set(model.source.unknownTokens(t.input))];
    if (unknown.length) {
      ctx.err.write(`rnnlab translate: ${unknownSourceNote(where, unknown)}\n`);
    }
    if (t.sourceTokens.length > model.spec.maxSourceLen) {
      ctx.err.write(`rnnlab translate: ${longSourceNote(where, t.sourceTokens.length, model.spec.maxSourceLen)}\n`);
    }
  };
  const opts = { beam: f.beam };
  if (f.file === undefined) {
    translateTexts(model, texts, opts).forEach((t, i) => write(t, `text argument ${i + 1}`));
    return 0;
  }
  const name = f.file === '-' ? '(stdin)' : f.file;
  try {
    // One translation per line of the input, blank lines included: the k-th is line k.
    let line = 0;
    for await (const t of translateLines(model, f.file === '-' ? process.stdin : f.file, name, opts)) write(t, `${name}:${++line}`);
  } catch (e) {
    if (e instanceof DataError) throw new UsageError(`--file: ${e.message}`, 'translate');
    throw e;
  }
  return 0;
}

/** The note on an input holding source tokens the model's vocabulary lacks (translate's, and evaluate's on pairs). */
export function unknownSourceNote(where: string, tokens: readonly string[]): string {
  const shown = tokens.slice(0, 5).map((u) => JSON.stringify(u)).join(', ');
  return `${where}: ${tokens.length} distinct source token(s) not in the model's vocabulary (${shown}${tokens.length > 5 ? ', ...' : ''}: never seen in training, or left out by the --max-vocab of seq2seq) read as <unk>; the output may be wrong`;
}

/** The note on an input longer than the model was trained for. */
export function longSourceNote(where: string, length: number, maxSourceLen: number): string {
  return `${where}: ${length} source tokens, more than the ${maxSourceLen} the model was trained for (its longest training source, or the --max-source-len of seq2seq); the output may be wrong`;
}
