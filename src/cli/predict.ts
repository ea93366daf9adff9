/**
 * `rnnlab predict --model DIR`: score texts with a saved model — IMDb models from `rnnlab imdb` and text
 * classifiers from `rnnlab train` — given as arguments, or from a file or stdin (`--file PATH|-`), in batches,
 * printed in input order as a table, CSV or JSON Lines.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadImdbModel, resolveModelDir } from '../experiments/model_store.js';
import { imdbTextClassifier, loadTextClassifier, TEXT_SPEC_FILE, type TextClassifier } from '../tasks/text_classifier_file.js';
import { formatPredictions, PREDICT_FORMATS, type PredictFormat, type TableExtras } from '../tasks/text_format.js';
import type { OptionNames } from '../data/text_options.js';
import { predictTexts, readTexts, type PredictionRecord, type TextInputFormat } from '../tasks/text_predict.js';
import { UsageError, type CliContext } from './context.js';
import { VERBOSE_FLAG, type Flags } from './flags.js';
import { applyThreads } from './printer.js';
import { EVALUATE_OPTION_NAMES, notAClassifier } from './text_cli.js';
import { batchesUntilPause } from '../data/text_stream.js';
import { checkTextInputs, textInputCommand } from './text_inputs.js';

const INPUT_FORMATS = ['lines', 'csv', 'tsv', 'jsonl'] as const;

export const PREDICT_FLAGS: Flags = {
  model: { kind: 'path', required: true, mustExist: true, metavar: 'DIR', help: 'the model folder (<run>/model) or the run folder' },
  file: { kind: 'string', metavar: 'PATH', help: "score the texts of a file, or '-' for stdin (one text per line, or a CSV/TSV/JSONL column: --input-format)" },
  'input-format': { kind: 'choice', choices: INPUT_FORMATS, help: "how --file holds its texts (default: from its name, else one per line)" },
  'text-column': { kind: 'string', metavar: 'NAME', help: 'the text column / field of a CSV, TSV or JSONL --file (default: text, sentence, review, content, ...)' },
  format: { kind: 'choice', choices: PREDICT_FORMATS, help: 'output: table (default), csv or jsonl, one record per input with every class probability' },
  'top-k': { kind: 'int', min: 1, max: 1000, metavar: 'K', help: 'also list the K most probable classes (multi-class models)' },
  threads: VERBOSE_FLAG.threads,
};

const SUMMARY = 'Score texts with a saved model (rnnlab imdb or rnnlab train): arguments, a file, or stdin.';

interface PredictFlags { model: string; file?: string; inputFormat?: TextInputFormat; textColumn?: string; format?: PredictFormat; topK?: number; threads?: number }

export function register(program: Command, ctx: CliContext): void {
  const cmd = textInputCommand(program, {
    name: 'predict', summary: SUMMARY, usage: '--model DIR ["text" ...] [--file PATH|-] [--format table|csv|jsonl]',
    textsHelp: 'texts to score (several arguments are several texts)', flags: PREDICT_FLAGS,
    examples: [
      'rnnlab predict --model runs/20260101-120000-imdb-lstm "A moving, beautifully shot film."',
      'rnnlab predict --model runs/reviews --file reviews.txt --format csv > scores.csv',
      'cat tweets.jsonl | rnnlab predict --model runs/tweets --file - --input-format jsonl --format jsonl --top-k 2',
    ],
  });
  cmd.action(async (texts: string[], flags: PredictFlags) => { ctx.exitCode = await runPredict(texts, flags, ctx); });
}

function inputFormatOf(file: string, given?: TextInputFormat): TextInputFormat {
  if (given) return given;
  const ext = path.extname(file).toLowerCase();
  return ext === '.csv' ? 'csv' : ext === '.tsv' ? 'tsv' : ext === '.jsonl' || ext === '.json' ? 'jsonl' : 'lines';
}

/** predict reads only texts: evaluate's names, less the label flags, with its own --input-format. */
const PREDICT_OPTION_NAMES: OptionNames = {
  ...EVALUATE_OPTION_NAMES, labelColumn: null, skipBadRows: null, classes: null, labelMap: null, format: '--input-format',
};

async function runPredict(texts: string[], f: PredictFlags, ctx: CliContext): Promise<number> {
  applyThreads({ ...f });
  const dir = resolveModelDir(f.model);
  if (!dir) throw new UsageError(`--model: ${f.model} holds no saved model (model.json); train one with rnnlab imdb or rnnlab train`, 'predict');
  const other = notAClassifier(dir);
  if (other) throw new UsageError(`--model: ${other}`, 'predict');
  checkTextInputs('predict', texts, f.file, 'give the text to score, e.g. rnnlab predict --model DIR "What a great film", or --file PATH|-');
  if (f.file === undefined && (f.inputFormat || f.textColumn)) throw new UsageError(`--${f.inputFormat ? 'input-format' : 'text-column'} describes --file; there is no --file`, 'predict');
  const write = (line: string) => ctx.out.write(`${line}\n`);
  // One path for every model and every input, so that the default output is `--format table`'s and its probability
  // column means the same (the predicted label's) whether the texts come as arguments or from --file.
  const { clf, extras } = await loadForPredict(dir);
  // Checked before anything is printed: a table or CSV header must not come out ahead of a usage error.
  const C = clf.classes.length;
  if (f.topK !== undefined && f.topK > C) throw new UsageError(`--top-k must be from 1 to ${C} for this model (classes ${clf.classes.join(', ')}), got '${f.topK}'`, 'predict');
  const format = f.file === undefined ? null : inputFormatOf(f.file, f.inputFormat);
  if (format === 'lines' && f.textColumn !== undefined) {
    throw new UsageError(`--text-column names a column of a CSV, TSV or JSONL --file, but ${f.file} is read as one text per line; give --input-format csv|tsv|jsonl`, 'predict');
  }
  const input = f.file === undefined ? texts
    : readTexts(f.file === '-' ? process.stdin : f.file, format!, f.file === '-' ? 'stdin' : f.file,
      { textColumn: f.textColumn, optionNames: PREDICT_OPTION_NAMES });
  const records = f.file === '-' ? predictAsRead(clf, input as AsyncIterable<string>, f.topK) : predictTexts(clf, input, { topK: f.topK });
  for await (const line of formatPredictions(records, f.format ?? 'table', clf.classes, f.topK, extras)) write(line);
  return 0;
}

/** predictTexts' batch: the texts read and scored together. */
const PREDICT_BATCH = 2048;

/**
 * Records of stdin's texts, scored as they come: a batch is scored once full, or as soon as no further text is at hand
 * (batchesUntilPause), so a person typing reviews, or a program writing one and waiting, gets each answer when its
 * line (or CSV or JSON Lines row: readTexts streams those from stdin too) is read, not once 2048 came or stdin
 * closed. A text scores the same in any batch (each is padded to the model's maxlen alone), so where the batches end
 * changes no number.
 */
async function* predictAsRead(clf: TextClassifier, texts: AsyncIterable<string>, topK: number | undefined): AsyncGenerator<PredictionRecord> {
  let index = 0;
  for await (const batch of batchesUntilPause(texts, PREDICT_BATCH, () => process.stdin.destroy())) {
    for await (const r of predictTexts(clf, batch, { topK, batchSize: PREDICT_BATCH })) yield { ...r, index: index++ };
  }
}

/**
 * The classifier in `dir`: a text classifier (rnnlab-text.json), or an IMDb model, whose table also names the model
 * and counts the words of each review that Keras's IMDb index knows (the rest are dropped, as in the lab's data).
 * A Layers model without rnnlab-input.json reads as an IMDb model, its vocab and maxlen taken from its layers.
 */
async function loadForPredict(dir: string): Promise<{ clf: TextClassifier; extras: TableExtras }> {
  if (existsSync(path.join(dir, TEXT_SPEC_FILE))) return { clf: await loadTextClassifier(dir), extras: {} };
  const { model, input } = await loadImdbModel(dir);
  const { vocab, maxlen } = input;
  const clf = imdbTextClassifier(dir, model, vocab, maxlen);
  const accuracy = input.metrics?.testAccuracy;
  return {
    clf,
    extras: {
      title: `Model: ${input.model ?? model.name} (vocab ${vocab}, maxlen ${maxlen}${accuracy !== undefined ? `, test accuracy ${(accuracy * 100).toFixed(2)}%` : ''})`,
      note: (r) => `(${clf.encoder.knownWords(r.text)} known words)`,
    },
  };
}
