/** `rnnlab seq2seq`: train an encoder-decoder on pairs (a file, or a generated task) and report held-out accuracy. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { DataError } from '../data/errors.js';
import { commitStaged, discardStaged, stageFile, writeFileAtomic } from '../io/atomic.js';
import { readCheckpointInfo } from '../io/checkpoint.js';
import { parseJsonOnce, RepeatedKeyError } from '../io/strict_json.js';
import { makeOptimizer } from '../experiments/imdb_task.js';
import { ResumedEpochTimes } from '../experiments/train_hooks.js';
import type { Callback } from '../models/callback.js';
import { getGlobalPolicy, setGlobalPolicy, type DTypePolicy } from '../mixed_precision.js';
import { RESULTS_FILE } from '../report/record.js';
import { defaultOutDir, markRunBeingReplaced, startRecord } from '../report/run.js';
import { GENERATED_TASKS, generatePairs, pairsTsv, TASK_TOKENS, type GeneratedTask } from '../seq2seq/generate.js';
import { ATTENTION_KINDS, RNN_KINDS, type AttentionKind, type RnnKind } from '../seq2seq/graph.js';
import { checkSpecialTokens, PAIR_FORMATS, pairsJsonl, readPairsFile, spreadsheetQuotingNote, type Pair, type PairFormat, type SideTokens } from '../seq2seq/pairs.js';
import { resultLines, sampleLines, seq2seqBody, seq2seqDoc } from '../seq2seq/result.js';
import { SEQ2SEQ_LIMITS } from '../seq2seq/limits.js';
import { saveSeq2Seq } from '../seq2seq/store.js';
import { SEQ2SEQ_DEFAULTS, Seq2SeqOptionError, trainSeq2Seq } from '../seq2seq/train.js';
import { TOKEN_KINDS, type TokenKind } from '../seq2seq/vocab.js';
import { UsageError, type CliContext } from './context.js';
import { addFlags, applyPrecision, helpExtras, LR_RANGE, PRECISION_FLAG, VERBOSE_FLAG, type Flags } from './flags.js';
import { applyThreads, argvOf, finishRun, Printer } from './printer.js';
import { RunEndGuard } from './stop_signals.js';
import { kebab, sizeOrAuto } from './text_cli.js';
import { checkDefaultRunFolder, checkInputFile, checkNotAnotherRun, checkOutDir, checkOutNotInModel, entryOf, shellQuote, type RunFolderWrites } from './paths.js';
import type { RunFolderLock } from '../report/run_lock.js';
import { checkSameOptions, runCheckpoint, type SameOption } from './run_checkpoint.js';
import { checkRunNotOverInputs } from './out_file.js';

const D = SEQ2SEQ_DEFAULTS, L = SEQ2SEQ_LIMITS;

export const SEQ2SEQ_FLAGS: Flags = {
  data: { kind: 'path', mustExist: true, metavar: 'PATH', help: 'pairs: TSV (source<TAB>target per line), or CSV / JSON Lines with source and target columns' },
  'pairs-format': { kind: 'choice', choices: PAIR_FORMATS, help: 'how --data holds its pairs (default from its name: .csv, .jsonl, else TSV)' },
  generate: { kind: 'choice', choices: GENERATED_TASKS, help: 'train on generated pairs instead of --data (saved as pairs.tsv in --out)' },
  count: { kind: 'int', min: 2, max: 10_000_000, metavar: 'N', help: 'pairs --generate makes (default 10000)' },
  tokens: { kind: 'choice', choices: TOKEN_KINDS, help: "tokens of both sides: characters or whitespace-separated words (default char; --generate: the task's)" },
  'source-tokens': { kind: 'choice', choices: TOKEN_KINDS, help: 'tokens of the source alone (default: --tokens)' },
  'target-tokens': { kind: 'choice', choices: TOKEN_KINDS, help: 'tokens of the target alone (default: --tokens)' },
  rnn: { kind: 'choice', choices: RNN_KINDS, default: D.rnn, help: 'recurrent layer of the encoder and decoder' },
  'bidirectional-encoder': { kind: 'bool', default: false, help: 'read the source both ways (the decoder gets twice the units)' },
  layers: { kind: 'int', ...L.layers, default: D.layers, help: 'stacked recurrent layers in the encoder and in the decoder' },
  units: { kind: 'int', ...L.units, default: D.units, help: 'units per recurrent layer' },
  'embedding-dim': { kind: 'int', ...L.embeddingDim, default: D.embeddingDim, help: 'token embedding size' },
  attention: { kind: 'choice', choices: ATTENTION_KINDS, default: D.attention, help: 'luong (dot), bahdanau (additive) or none' },
  'validation-split': { kind: 'number', above: 0, below: 1, default: D.validationSplit, metavar: 'F', help: 'fraction of pairs held out (seeded) for the reported accuracy' },
  epochs: { kind: 'int', min: 1, default: D.epochs, help: 'training epochs' },
  'batch-size': { kind: 'int', min: 1, default: D.batchSize, help: 'pairs per batch' },
  lr: { ...LR_RANGE, help: 'Adam learning rate (default 0.001)' },
  seed: { kind: 'int', default: D.seed, help: 'seed for the split, the weights, the shuffles and --generate (any integer)' },
  'max-source-len': { kind: 'string', metavar: 'N|auto', default: 'auto', help: 'longest source in tokens; longer pairs are left out (auto: the longest training source)' },
  'max-target-len': { kind: 'string', metavar: 'N|auto', default: 'auto', help: 'longest target in tokens; decoding stops one step after it (auto: the longest training target)' },
  'max-vocab': { kind: 'int', ...L.maxVocab, metavar: 'N', help: 'most tokens per vocabulary, 4 specials included: the most frequent training tokens are kept, the rest read as <unk> (default: all)' },
  beam: { kind: 'int', ...L.beam, default: D.beam, help: 'also decode the held-out pairs with beam search of this width (0: greedy only)' },
  samples: { kind: 'int', ...L.samples, default: D.samples, help: 'held-out pairs to print' },
  // --out is checked by runSeq2Seq, which knows whether --generate adds pairs.tsv to what the run writes.
  out: { kind: 'path', metavar: 'DIR', help: 'run folder for model/, heldout.jsonl, checkpoint/, results.json and the report (default runs/<timestamp>-seq2seq)' },
  resume: { kind: 'path', mustExist: true, metavar: 'DIR', help: 'continue an interrupted run from its checkpoint (the run folder or its checkpoint/ folder), with the same options' },
  ...PRECISION_FLAG,
  ...VERBOSE_FLAG,
};

const SUMMARY = 'Train an encoder-decoder (with attention) on source/target pairs; report held-out per-token and exact-match accuracy.';

export function register(program: Command, ctx: CliContext): void {
  const cmd = program.command('seq2seq').summary(SUMMARY).description(SUMMARY);
  addFlags(cmd, SEQ2SEQ_FLAGS, 'seq2seq');
  helpExtras(cmd, {
    description: [
      'Then: rnnlab translate --model DIR "text", or rnnlab evaluate --model DIR --data DIR/heldout.jsonl (the held-out pairs).',
      'A checkpoint is written to <out>/checkpoint after every epoch; Ctrl-C saves one and exits, --resume DIR continues.',
    ],
    examples: [
      'rnnlab seq2seq --data pairs.tsv --out runs/pairs',
      'rnnlab seq2seq --generate date --attention bahdanau --beam 4 --out runs/date',
      'rnnlab seq2seq --generate reverse-words --attention none --epochs 5',
      'rnnlab seq2seq --generate addition --count 50000 --attention none   # the lab\'s adder',
      'rnnlab seq2seq --data sentences.jsonl --tokens word --rnn gru --bidirectional-encoder --layers 2',
      'rnnlab seq2seq --data pairs.tsv --source-tokens char --target-tokens word   # characters in, words out',
    ],
  });
  cmd.action(async (flags: Record<string, unknown>, c: Command) => { ctx.exitCode = await runSeq2Seq(flags, ctx, argvOf(c), c); });
}

function lengthFlag(f: Record<string, unknown>, name: string): number | undefined {
  const option = name === 'max-source-len' ? 'maxSourceLen' : 'maxTargetLen';
  const n = sizeOrAuto(`--${name}`, L[option].max)(String(f[option]));
  return n === 'auto' ? undefined : n;
}

/**
 * Each side's tokens: --source-tokens / --target-tokens, else --tokens, else the fallback (char, or the generated
 * task's). A side flag contradicting --tokens (which sets both) is refused naming both.
 */
function sideTokens(f: Record<string, unknown>, fallback: TokenKind): SideTokens {
  const both = f.tokens as TokenKind | undefined;
  const kind = (side: 'source' | 'target'): TokenKind => {
    const v = f[`${side}Tokens`] as TokenKind | undefined;
    if (v !== undefined && both !== undefined && v !== both) {
      throw new UsageError(`--${side}-tokens ${v} contradicts --tokens ${both}, which sets both sides; give --tokens alone, or --source-tokens and --target-tokens`, 'seq2seq');
    }
    return v ?? both ?? fallback;
  };
  return { source: kind('source'), target: kind('target') };
}

/** How the headline says the tokens: 'char tokens', or 'char source tokens, word target tokens'. */
function tokensText(k: SideTokens): string {
  return k.source === k.target ? `${k.source} tokens` : `${k.source} source tokens, ${k.target} target tokens`;
}

async function loadPairs(f: Record<string, unknown>): Promise<{ pairs: Pair[]; data: Record<string, unknown>; headerLine?: number | null; quotingNote?: string; tokens: SideTokens }> {
  const task = f.generate as GeneratedTask | undefined;
  if (task !== undefined && f.data !== undefined) throw new UsageError('give --data or --generate, not both', 'seq2seq');
  if (task === undefined && f.data === undefined) throw new UsageError(`give the pairs with --data PATH (or --generate ${GENERATED_TASKS.join('|')})`, 'seq2seq');
  if (task === undefined && f.count !== undefined) throw new UsageError('--count sizes --generate; there is no --generate', 'seq2seq');
  if (task !== undefined && f.pairsFormat !== undefined) throw new UsageError('--pairs-format describes --data; there is no --data', 'seq2seq');
  if (task !== undefined) {
    const count = (f.count as number | undefined) ?? 10_000;
    let pairs: Pair[];
    try {
      pairs = generatePairs(task, count, f.seed as number);
    } catch (e) {
      if (e instanceof Seq2SeqOptionError) throw new UsageError(`--count: ${e.message.slice(e.option.length + 2)}`, 'seq2seq');
      throw e;
    }
    return { pairs, data: { generated: task, pairs: count }, tokens: sideTokens(f, TASK_TOKENS[task]) };
  }
  const file = f.data as string;
  checkInputFile('--data', file, 'seq2seq');
  const tokens = sideTokens(f, 'char');
  try {
    const { pairs, headerLine, spreadsheetQuoting } = await readPairsFile(file, file, { format: f.pairsFormat as PairFormat | undefined, optionNames: { format: '--pairs-format' } });
    checkSpecialTokens(pairs, tokens);
    // No split of one pair can work, whatever --validation-split says: the file is what needs changing.
    if (pairs.length < 2) throw new DataError(`${file}: holds only one pair (${pairs[0].where}); training and the held-out part (--validation-split) need at least one pair each: add pairs (2 or more)`);
    const quotingNote = spreadsheetQuoting ? spreadsheetQuotingNote(file, spreadsheetQuoting) : undefined;
    return { pairs, data: { path: file, pairs: pairs.length, ...(headerLine !== null ? { header: true } : {}) }, headerLine, quotingNote, tokens };
  } catch (e) {
    if (e instanceof DataError) throw new UsageError(`--data: ${e.message}`, 'seq2seq');
    throw e;
  }
}

const PAIRS_FILE = 'pairs.tsv';
/** The pairs the run held out and scored, as JSON Lines (a side may hold tabs): `evaluate --data` on it gives the run's scores. */
export const HELDOUT_FILE = 'heldout.jsonl';

/**
 * The pairs.tsv an earlier --generate run wrote into `out` (its results.json says it generated them), unless it is this
 * run's --data: a run on other data replaces that run's model, and the pairs would no longer be what it trained on.
 * A results.json that gives a key twice cannot say which run wrote them: refused, naming `flag` (where `out` came
 * from), the file and the key, with nothing changed.
 */
function generatedPairsOfEarlierRun(out: string, dataFile: string | undefined, flag: string): string | null {
  const file = path.join(out, PAIRS_FILE);
  if (!existsSync(file) || (dataFile !== undefined && sameFile(dataFile, file))) return null;
  const recordFile = path.join(out, RESULTS_FILE);
  let record: unknown;
  try {
    record = parseJsonOnce(readFileSync(recordFile, 'utf8'), recordFile);
  } catch (e) {
    if (!(e instanceof RepeatedKeyError)) return null;
    throw new UsageError(`${flag}: ${e.message}, so whether the earlier run there generated ${PAIRS_FILE} (which this run would ${dataFile === undefined ? 'replace' : 'remove'}) ` +
      `cannot be told; nothing was changed. Fix ${RESULTS_FILE}, or give --out another folder`, 'seq2seq');
  }
  return (record as { data?: { generated?: unknown } | null } | null)?.data?.generated ? file : null;
}

/**
 * --generate writes pairs.tsv into --out: over one an earlier --generate run wrote there (its record says so), or one
 * holding exactly the pairs this run writes (a run killed just after writing them, whose record was still the earlier
 * run's: nothing is lost), never over one it did not (the user's own pairs, which a --data run there trained on and kept).
 */
function checkPairsFileOfRun(out: string, pairsText: string, flag: string): void {
  const file = path.join(out, PAIRS_FILE);
  if (!entryOf(file) || generatedPairsOfEarlierRun(out, undefined, flag) !== null || sameText(file, pairsText)) return;
  throw new UsageError(`${flag}: ${out} already holds '${PAIRS_FILE}', which the earlier run there did not generate (its results.json records no --generate) ` +
    `and which this run would replace with its generated pairs; nothing was changed. Give --out a new folder, or move ${PAIRS_FILE} away`, 'seq2seq');
}

/** Whether the file (a plain one) holds exactly `text`. */
function sameText(file: string, text: string): boolean {
  try {
    const st = statSync(file);
    return st.isFile() && st.size === Buffer.byteLength(text) && readFileSync(file, 'utf8') === text;
  } catch {
    return false;
  }
}

/** Whether two paths name one file, whatever symbolic links lead there (a missing one names none). */
function sameFile(a: string, b: string): boolean {
  try {
    const x = statSync(a), y = statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return path.resolve(a) === path.resolve(b);
  }
}

/** What a run writes into its folder, for the --out (and --resume) checks: --generate adds pairs.tsv. */
function runFolderOf(f: Record<string, unknown>): RunFolderWrites {
  return { model: true, checkpoint: true, files: [HELDOUT_FILE, ...(f.generate !== undefined ? [PAIRS_FILE] : [])] };
}

/** The pairs' texts in order, hashed: a resumed run on a --data file changed since is refused, as another flag would be. */
function pairsDigest(pairs: readonly Pair[]): string {
  const h = createHash('sha256');
  for (const p of pairs) h.update(JSON.stringify([p.source, p.target])).update('\n');
  return h.digest('hex');
}

/**
 * What a resumed run must share with the run it continues: every option that shapes the model, the split, the
 * vocabularies or the rest of training (fit would go on with it, while results.json records one value for the whole
 * run), and the pairs themselves. --epochs, --beam, --samples, --verbose and --threads may change.
 */
function seq2seqSameOptions(f: Record<string, unknown>, c: Command, tokens: SideTokens, pairs: readonly Pair[], inForce: string): SameOption[] {
  const given = (...keys: string[]) => keys.some((k) => c.getOptionValueSource(k) === 'cli');
  const flag = (name: string, value: string | number | boolean | null, key = name.replace(/-(.)/g, (_, x: string) => x.toUpperCase())): SameOption =>
    ({ flag: `--${name}`, value, given: given(key) });
  const data = f.data !== undefined ? `--data ${String(f.data)}` : `--generate ${String(f.generate)}`;
  return [
    flag('generate', (f.generate as string | undefined) ?? null),
    flag('count', f.generate !== undefined ? (f.count as number | undefined) ?? 10_000 : null),
    { ...flag('source-tokens', tokens.source), given: given('sourceTokens', 'tokens') },
    { ...flag('target-tokens', tokens.target), given: given('targetTokens', 'tokens') },
    ...(['rnn', 'bidirectional-encoder', 'layers', 'units', 'embedding-dim', 'attention', 'validation-split', 'batch-size', 'seed',
      'max-source-len', 'max-target-len'] as const).map((n) => flag(n, f[n.replace(/-(.)/g, (_, x: string) => x.toUpperCase())] as string | number | boolean)),
    flag('max-vocab', (f.maxVocab as number | undefined) ?? null),
    flag('lr', makeOptimizer('adam', f.lr as number | undefined).learningRate),
    flag('precision', f.precision as string),
    // mixed_bfloat16 falls back to float32 where the bf16 kernels cannot run: the same flag can train in another precision.
    { flag: 'precisionInForce', value: inForce, given: true, refusal: (then) => `--precision ${String(f.precision)} trains in ${inForce} here, but the checkpoint in ${String(f.resume)} ` +
      `is of a run that trained in ${String(then)}; --resume continues a run in the precision it trained in (or leave out --resume to start a new run)` },
    { flag: 'pairs', value: pairsDigest(pairs), given: true, refusal: () => `--resume: ${data} holds other pairs than the run the checkpoint in ${String(f.resume)} trained on ` +
      `(another file, or one changed since); --resume continues a run on the pairs it started with (or leave out --resume to start a new run)` },
  ];
}

/** A checkpoint another command wrote (imdb's) keeps none of seq2seq's options: refused as such, not as another model. */
function checkSeq2SeqCheckpoint(checkpointDir: string, resume: string): void {
  const run = readCheckpointInfo(checkpointDir).state.extra?.run;
  if (typeof run === 'object' && run !== null && Object.hasOwn(run, '--attention')) return;
  throw new UsageError(`--resume: the checkpoint in ${resume} is not of an rnnlab seq2seq run (it records no seq2seq options); give the folder of the seq2seq run to continue`, 'seq2seq');
}

/**
 * --precision sets the global policy for the run: the one the process had is back however the run ends, so a command
 * run after it in the same process (evaluate on its heldout.jsonl, say) computes as it would in a process of its own.
 */
async function runSeq2Seq(f: Record<string, unknown>, ctx: CliContext, argv: readonly string[], c: Command): Promise<number> {
  const before = getGlobalPolicy();
  try {
    return await trainAndSave(f, ctx, argv, c);
  } finally {
    setGlobalPolicy(before);
  }
}

async function trainAndSave(f: Record<string, unknown>, ctx: CliContext, argv: readonly string[], c: Command): Promise<number> {
  const runFolder = runFolderOf(f);
  if (f.out !== undefined) {
    checkOutDir(f.out as string, 'seq2seq', runFolder);
    checkOutNotInModel(f.out as string, 'seq2seq');
    checkNotAnotherRun(f.out as string, 'seq2seq', true);
    checkRunNotOverInputs(f.out as string, runFolder, [{ flag: '--data', path: f.data as string | undefined }], 'seq2seq');
  }
  const maxSourceLen = lengthFlag(f, 'max-source-len'), maxTargetLen = lengthFlag(f, 'max-target-len');
  applyThreads(f);
  const p = new Printer(ctx);
  const startedAt = new Date();
  // The default folder is made once the pairs are read (runCheckpoint); a working folder that cannot take it is refused first.
  if (f.out === undefined && f.resume === undefined) checkDefaultRunFolder(defaultOutDir('seq2seq', startedAt), 'seq2seq');
  const { pairs, data, headerLine, quotingNote, tokens } = await loadPairs(f);
  // The precision is set now, as --resume compares the one in force (a fallback trains in float32), but its fallback
  // line is held until training begins: a refusal before then (the --resume checks, a --validation-split that leaves
  // no pair) is the one line said, not after a promise to run.
  const fallbackLines: string[] = [];
  const inForce = applyPrecision(f, { ...ctx, err: { write: (s: string) => { fallbackLines.push(s); return true; } } });
  // A checkpoint every epoch into <out>/checkpoint; without --out the folder is made here (removed again if the run fails before writing into it).
  const epochTimes = new ResumedEpochTimes();
  const sameOptions = seq2seqSameOptions(f, c, tokens, pairs, inForce);
  const ckpt = runCheckpoint({ command: 'seq2seq', out: f.out as string | undefined, resume: f.resume as string | undefined, runFolder, epochs: f.epochs as number,
    defaultOut: defaultOutDir('seq2seq', startedAt), argv, err: ctx.err, sameOptions, epochTimes, shuffles: true });
  const out = ckpt.outDir;
  // Resumed into its own folder (no --out), that folder had no --out checks: its heldout.jsonl may be the --data.
  if (f.out === undefined && f.resume !== undefined) {
    try { checkRunNotOverInputs(out, runFolder, [{ flag: '--data', path: f.data as string | undefined }], 'seq2seq', '--resume', '--out'); } catch (e) { ckpt.release(); throw e; }
  }
  // Another run writing the same folder (or, resumed elsewhere, the checkpoint's) now is refused here, before training
  // (docs/CLI.md, run folders).
  let lock: RunFolderLock;
  try { lock = ckpt.lock(); } catch (e) { ckpt.release(); throw e; }
  // The lock goes first: its file would keep a default folder the checkpoint's release removes when empty.
  const release = () => { lock.release(); ckpt.release(); };
  // Until fit starts (the split, the vocabularies) a stop leaves nothing, and no empty default folder.
  const early = new RunEndGuard((s) => ctx.err.write(`${s}\n`), {
    notWritten: `rnnlab: interrupted before training; nothing was written${f.out !== undefined ? ` to ${out}` : ''}`, written: () => '',
  }, release);
  // After fit (decoding the held-out pairs, the writes) Ctrl-C is this guard's: armed as fit ends, before the checkpoint's handler goes.
  const end = new RunEndGuard((s) => ctx.err.write(`${s}\n`), {
    notWritten: `rnnlab: interrupted after training, before its results were written (results.json, the report, model/ and ${HELDOUT_FILE} in ${out} are as they were); ` +
      `the checkpoint in ${ckpt.checkpointDir} holds the finished training\nrnnlab: to write the results: ${ckpt.resumeHint}`,
    written: () => `rnnlab: interrupted while the results were written; they were written whole to ${out}`,
  });
  try {
    if (f.resume !== undefined) {
      checkSeq2SeqCheckpoint(ckpt.checkpointDir, f.resume as string);
      checkSameOptions(ckpt.checkpointDir, sameOptions, f.resume as string, 'seq2seq');
    }
    // After the lock, so that a run writing the folder now is refused as such (naming it), not by the pairs.tsv it
    // has just written. Resumed into its own folder (no --out), a pairs.tsv there that no --generate run wrote stays too.
    const outFlag = f.out === undefined && f.resume !== undefined ? '--resume' : '--out';
    if (f.generate !== undefined) checkPairsFileOfRun(out, pairsTsv(pairs), outFlag);
    early.arm();
    const stale = !data.generated ? generatedPairsOfEarlierRun(out, f.data as string | undefined, outFlag) : null;
    // A TSV header is a guess from its words: say it was made, so a pair that reads 'source<TAB>target' is not lost unseen.
    let headline: string | null = `${pairs.length.toLocaleString('en-US')} pair${pairs.length === 1 ? '' : 's'} ${data.generated ? `generated (${String(data.generated)})` : `from ${String(data.path)}`}` +
      `${headerLine ? ` (line ${headerLine} read as a header)` : ''}; ${tokensText(tokens)}`;
    // Held back until training's own checks pass: a refused option (exit 2) prints nothing on stdout, as every usage error.
    // The quoting note goes with it: a run refused before then says the refusal alone.
    const sayHeadline = () => {
      if (headline === null) return;
      p.line(headline);
      headline = null;
      if (quotingNote !== undefined) p.warn(`rnnlab seq2seq: ${quotingNote}`);
    };
    const progress = { write: (s: string) => { sayHeadline(); return ctx.out.write(s); }, isTTY: (ctx.out as { isTTY?: boolean }).isTTY };
    // Listed before the checkpoint's callback: the early guard goes before its Ctrl-C handler comes, the end guard comes before it goes.
    const guards: Callback = { onTrainBegin: () => early.release(), onTrainEnd: () => end.arm() };
    // After the checkpoint's callback: a checkpoint it cannot restore is refused alone too.
    const sayFallback: Callback = { onTrainBegin: () => { for (const l of fallbackLines.splice(0)) ctx.err.write(l); } };
    // The held-out pairs are decoded in float32 whatever --precision trained in, as translate and evaluate run the
    // saved model (float32 weights): evaluate on heldout.jsonl gives the run's numbers back. Switched as fit ends (its
    // callbacks' last), before trainSeq2Seq decodes; the run's policy is back after it, for results.json to record.
    let trainedIn: DTypePolicy | null = null;
    const decodeInFloat32: Callback = { onTrainEnd: () => { trainedIn = getGlobalPolicy(); setGlobalPolicy('float32'); } };
    let r;
    try {
      r = await trainSeq2Seq(pairs, {
        sourceTokens: tokens.source, targetTokens: tokens.target, rnn: f.rnn as RnnKind, bidirectionalEncoder: f.bidirectionalEncoder as boolean, layers: f.layers as number, units: f.units as number,
        embeddingDim: f.embeddingDim as number, attention: f.attention as AttentionKind, validationSplit: f.validationSplit as number,
        epochs: f.epochs as number, batchSize: f.batchSize as number, lr: f.lr as number | undefined, seed: f.seed as number,
        maxSourceLen, maxTargetLen, maxVocab: f.maxVocab as number | undefined, beam: f.beam as number, samples: f.samples as number, verbose: f.verbose as 0 | 1 | 2, progress,
      }, { callbacks: [guards, ckpt.callback, sayFallback, decodeInFloat32], epochTimes });
      sayHeadline();
    } catch (e) {
      if (e instanceof Seq2SeqOptionError) {
        // Too few pairs for the split is the data's doing as much as the flag's: name the file too.
        const of = e.option !== 'validationSplit' ? '' : data.path !== undefined ? ` (--data ${String(data.path)})`
          : data.generated ? ` (--generate ${String(data.generated)} --count ${pairs.length})` : '';
        throw new UsageError(`${kebab(e.option)}: ${e.message.slice(e.option.length + 2)}${of}`, 'seq2seq');
      }
      sayHeadline();
      throw e;
    } finally {
      if (trainedIn !== null) setGlobalPolicy(trainedIn);
    }
    p.line(`Model: ${r.params.toLocaleString('en-US')} parameters; ${r.counts.train} training and ${r.counts.validation} held-out pairs` +
      `${r.counts.heldOutSeen ? ` (${r.counts.heldOutSeen} of them also training pairs: the file repeats them)` : ''}` +
      `${r.counts.skippedLong ? ` (${r.counts.skippedLong} longer than --max-source-len/--max-target-len left out)` : ''}; ` +
      `max lengths ${String(r.config.maxSourceLen)} -> ${String(r.config.maxTargetLen)}; trained in ${r.seconds.train.toFixed(1)} s`);
    p.line();
    p.lines(sampleLines(r.samples));
    // As rnnlab addition says it: a --samples beyond the held-out pairs is not shown in full.
    if ((f.samples as number) > r.samples.length) p.line(`(--samples ${String(f.samples)} asked; ${r.counts.validation} pair(s) are held out, so ${r.samples.length} are shown)`);
    p.lines(resultLines(r));
    await end.writing();
    // Staged while the folder still holds the earlier run whole, renamed in after model/ and before the record, as the
    // model is: a kill in between leaves the folder reading as an interrupted run (its record marked running).
    const heldOut = stageFile(path.join(out, HELDOUT_FILE), pairsJsonl(r.heldOut));
    // As train's: an earlier run's record is marked running before its model/ is replaced, and put back if the save fails.
    // A --generate run's running record says what it trains on, an earlier run's record marked too: killed after it
    // wrote pairs.tsv, the folder reads as the interrupted --generate run it is, which the next run into it (or
    // --resume) takes up. A --data run's keeps the earlier data: an earlier --generate run's pairs.tsv stays until
    // this run's record is written, and the record beside it must go on saying that it was generated.
    const unmark = markRunBeingReplaced(out, { ...startRecord({ command: 'seq2seq', runName: 'seq2seq', argv, startedAt, source: 'cli' }), data }, data.generated ? { data } : {});
    try {
      await saveSeq2Seq(path.join(out, 'model'), r.net, r.spec);
    } catch (e) {
      discardStaged(heldOut);
      unmark?.();
      throw e;
    }
    commitStaged(heldOut, path.join(out, HELDOUT_FILE));
    if (data.generated) writeFileAtomic(path.join(out, PAIRS_FILE), pairsTsv(pairs));
    else if (stale) rmSync(stale, { force: true });
    const body = seq2seqBody(r, data);
    finishRun(p, { command: 'seq2seq', runName: 'seq2seq', argv, startedAt, out }, body, seq2seqDoc(r, body));
    p.line(`Model saved in ${path.join(out, 'model')}; try: rnnlab translate --model ${shellQuote(out)} "..."`);
    return await end.finish(0);
  } catch (e) {
    release();
    throw e;
  } finally {
    early.release();
    end.release();
    lock.release();
  }
}
