/** `rnnlab predict --model DIR "review"`: the sentiment probability a saved IMDb model gives a text. */
import { padSequences } from '../data/index.js';
import { Tensor } from '../tensor.js';
import { UsageError, type CommandSpec, type Parsed } from './args.js';
import { Printer, type Io } from './io.js';
import { loadImdbModel, resolveModelDir } from './model_store.js';
import { encodeReview } from './tokenize.js';

export const predictSpec: CommandSpec = {
  name: 'predict',
  usage: 'predict --model DIR "review text" [more reviews...]',
  summary: 'Print the probability that a review is positive, from a model saved by `rnnlab imdb`.',
  positionals: [{ name: 'TEXT', help: 'a review (several arguments are several reviews)' }],
  flags: {
    model: { kind: 'path', required: true, mustExist: true, metavar: 'DIR', help: 'the model folder (<run>/model) or the run folder' },
  },
  examples: ['rnnlab predict --model runs/20260101-120000-imdb-lstm "A moving, beautifully shot film."'],
};

export async function runPredict(parsed: Parsed, io: Io): Promise<number> {
  const f = parsed.flags;
  const texts = parsed.positionals;
  if (texts.length === 0) throw new UsageError('give the review text to score, e.g. rnnlab predict --model DIR "What a great film"', 'predict');
  if (!resolveModelDir(f.model as string)) throw new UsageError(`--model: ${String(f.model)} holds no saved model (model.json); train one with rnnlab imdb`, 'predict');
  const p = new Printer(io);
  const { model, input } = await loadImdbModel(f.model as string);
  const { vocab, maxlen } = input;
  const seqs = texts.map((t) => encodeReview(t, vocab).ids);
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
