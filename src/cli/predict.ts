/** `rnnlab predict --model DIR "review"`: the sentiment probability a saved IMDb model gives a text. */
import { datasets, encodeReview, padSequences } from '../data/index.js';
import { Tensor } from '../tensor.js';
import type { Command } from 'commander';
import { UsageError, type CliContext } from './context.js';
import { addFlags, helpExtras, type Flags } from './flags.js';
import { Printer } from './printer.js';
import { loadImdbModel, resolveModelDir } from '../experiments/model_store.js';

export const PREDICT_FLAGS: Flags = {
  model: { kind: 'path', required: true, mustExist: true, metavar: 'DIR', help: 'the model folder (<run>/model) or the run folder' },
};

const SUMMARY = 'Print the probability that a review is positive, from a model saved by `rnnlab imdb`.';

export function register(program: Command, ctx: CliContext): void {
  const cmd = program.command('predict').summary(SUMMARY).description(SUMMARY).usage('--model DIR "review text" [more reviews...]')
    .argument('[text...]', 'a review (several arguments are several reviews)');
  addFlags(cmd, PREDICT_FLAGS, 'predict');
  helpExtras(cmd, { examples: ['rnnlab predict --model runs/20260101-120000-imdb-lstm "A moving, beautifully shot film."'] });
  cmd.action(async (texts: string[], flags: Record<string, unknown>) => { ctx.exitCode = await runPredict(texts, flags, ctx); });
}

async function runPredict(texts: string[], f: Record<string, unknown>, ctx: CliContext): Promise<number> {
  if (texts.length === 0) throw new UsageError('give the review text to score, e.g. rnnlab predict --model DIR "What a great film"', 'predict');
  if (!resolveModelDir(f.model as string)) throw new UsageError(`--model: ${String(f.model)} holds no saved model (model.json); train one with rnnlab imdb`, 'predict');
  const p = new Printer(ctx);
  const { model, input } = await loadImdbModel(f.model as string);
  const { vocab, maxlen } = input;
  const seqs = texts.map((t) => encodeReview(t, vocab, datasets.imdb.getWordIndex()).ids);
  const padded = padSequences(seqs, { maxlen });
  const probs = model.predict(new Tensor(padded.data as Int32Array, [texts.length, maxlen], 'int32')).data;
  p.line(`Model: ${input.model ?? model.name} (vocab ${vocab}, maxlen ${maxlen}${input.metrics?.testAccuracy !== undefined ? `, test accuracy ${(input.metrics.testAccuracy * 100).toFixed(2)}%` : ''})`);
  texts.forEach((t, i) => {
    const pr = probs[i];
    const short = t.length > 70 ? `${t.slice(0, 67)}...` : t;
    p.line(`${pr.toFixed(4)}  ${pr >= 0.5 ? 'positive' : 'negative'}  ${JSON.stringify(short)}  (${seqs[i].length - 1} known words)`);
  });
  return 0;
}
