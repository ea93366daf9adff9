/**
 * `rnnlab predict --model DIR`: score texts with a saved model — IMDb models from `rnnlab imdb` and text
 * classifiers from `rnnlab train` — given as arguments, or from a file or stdin (`--file PATH|-`), in batches,
 * printed in input order as a table, CSV or JSON Lines.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { datasets, encodeReview, padSequences } from '../data/index.js';
import { loadImdbModel, resolveModelDir } from '../experiments/model_store.js';
import { TEXT_SPEC_FILE } from '../tasks/text_classifier_file.js';
import { formatPredictions, PREDICT_FORMATS, type PredictFormat } from '../tasks/text_format.js';
import type { OptionNames } from '../data/text_options.js';
import { predictTexts, readTexts, type TextInputFormat } from '../tasks/text_predict.js';
import { Tensor } from '../tensor.js';
import { UsageError, type CliContext } from './context.js';
import type { Flags } from './flags.js';
import { Printer } from './printer.js';
import { EVALUATE_OPTION_NAMES, notAClassifier } from './text_cli.js';
import { checkTextInputs, textInputCommand } from './text_inputs.js';

const INPUT_FORMATS = ['lines', 'csv', 'tsv', 'jsonl'] as const;

export const PREDICT_FLAGS: Flags = {
  model: { kind: 'path', required: true, mustExist: true, metavar: 'DIR', help: 'the model folder (<run>/model) or the run folder' },
  file: { kind: 'string', metavar: 'PATH', help: "score the texts of a file, or '-' for stdin (one text per line, or a CSV/TSV/JSONL column: --input-format)" },
  'input-format': { kind: 'choice', choices: INPUT_FORMATS, help: "how --file holds its texts (default: from its name, else one per line)" },
  'text-column': { kind: 'string', metavar: 'NAME', help: 'the text column / field of a CSV, TSV or JSONL --file (default: text, sentence, review, content, ...)' },
  format: { kind: 'choice', choices: PREDICT_FORMATS, help: 'output: table (default), csv or jsonl, one record per input with every class probability' },
  'top-k': { kind: 'int', min: 1, max: 1000, metavar: 'K', help: 'also list the K most probable classes (multi-class models)' },
};

const SUMMARY = 'Score texts with a saved model (rnnlab imdb or rnnlab train): arguments, a file, or stdin.';

interface PredictFlags { model: string; file?: string; inputFormat?: TextInputFormat; textColumn?: string; format?: PredictFormat; topK?: number }

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
  const dir = resolveModelDir(f.model);
  if (!dir) throw new UsageError(`--model: ${f.model} holds no saved model (model.json); train one with rnnlab imdb or rnnlab train`, 'predict');
  const other = notAClassifier(dir);
  if (other) throw new UsageError(`--model: ${other}`, 'predict');
  checkTextInputs('predict', texts, f.file, 'give the text to score, e.g. rnnlab predict --model DIR "What a great film", or --file PATH|-');
  if (f.file === undefined && (f.inputFormat || f.textColumn)) throw new UsageError(`--${f.inputFormat ? 'input-format' : 'text-column'} describes --file; there is no --file`, 'predict');
  const write = (line: string) => ctx.out.write(`${line}\n`);
  if (f.file !== undefined || f.format !== undefined || f.topK !== undefined || existsSync(path.join(dir, TEXT_SPEC_FILE))) {
    const { loadTextClassifier } = await import('../tasks/text_classifier_file.js');
    const clf = await loadTextClassifier(dir);
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
    for await (const line of formatPredictions(predictTexts(clf, input, { topK: f.topK }), f.format ?? 'table', clf.classes, f.topK)) write(line);
    return 0;
  }
  return imdbPredict(texts, dir, ctx);
}

/** An IMDb model's answer per review, with how many of its words the model knows (the lab's encoding). */
async function imdbPredict(texts: string[], dir: string, ctx: CliContext): Promise<number> {
  const p = new Printer(ctx);
  const { model, input } = await loadImdbModel(dir);
  const { vocab, maxlen } = input;
  const seqs = texts.map((t) => encodeReview(t, vocab, datasets.imdb.getWordIndex()).ids);
  const padded = padSequences(seqs, { maxlen });
  const probs = model.predict(new Tensor(padded.data as Int32Array, [texts.length, maxlen], 'int32')).values;
  p.line(`Model: ${input.model ?? model.name} (vocab ${vocab}, maxlen ${maxlen}${input.metrics?.testAccuracy !== undefined ? `, test accuracy ${(input.metrics.testAccuracy * 100).toFixed(2)}%` : ''})`);
  texts.forEach((t, i) => {
    const pr = probs[i];
    const short = t.length > 70 ? `${t.slice(0, 67)}...` : t;
    p.line(`${pr.toFixed(4)}  ${pr >= 0.5 ? 'positive' : 'negative'}  ${JSON.stringify(short)}  (${seqs[i].length - 1} known words)`);
  });
  return 0;
}
