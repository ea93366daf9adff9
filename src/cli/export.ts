/**
 * rnnlab export --model DIR --format onnx --out FILE: a saved model (model.json + weights, or a run folder) as an
 * ONNX file for ONNX Runtime and the other ONNX engines.
 */
import type { Command } from 'commander';
import { loadLayersModel } from '../io/index.js';
import { exportOnnx } from '../onnx/export.js';
import { resolveModelDir } from '../experiments/model_store.js';
import { UsageError, type CliContext } from './context.js';
import { statOf } from './paths.js';
import { checkNotModelFile, checkOutFile, type FileWriter } from './out_file.js';
import { dispatchPendingSignals } from './early_stop.js';
import { finishTheWrite } from './stop_signals.js';

const FORMATS = ['onnx'];

export function register(program: Command, ctx: CliContext): void {
  program
    .command('export')
    .description('Write a saved model in another format (onnx) for other engines.')
    .option('--model <dir>', 'saved model folder (model.json + weights), its model.json, or a run folder')
    .option('--format <format>', `output format: ${FORMATS.join(', ')}`, 'onnx')
    .option('--out <file>', "file to write, e.g. model.onnx (an existing file is replaced, atomically; not one of the model's or its run folder's own files)")
    .action(async (opts: { model?: string; format: string; out?: string }) => {
      ctx.exitCode = await exportCommand(opts, ctx);
    });
}

/** --out as the output-file rules name it (src/cli/out_file.ts). */
const ONNX_FILE: FileWriter = { command: 'export', flag: '--out', ext: '.onnx', example: 'model.onnx', verb: 'exported' };

export async function exportCommand(opts: { model?: string; format: string; out?: string }, ctx: CliContext): Promise<number> {
  const usage = (msg: string): never => { throw new UsageError(msg, 'export'); };
  if (!opts.model) return usage('--model DIR is required (a saved model folder or a run folder)');
  if (opts.out === undefined) return usage('--out FILE is required');
  if (opts.out === '') return usage("--out expects a file, got ''");
  // '-' is not stdout here: the bytes would land in a file named '-' in the working folder.
  if (opts.out === '-') return usage('--out -: the ONNX model is binary and is written to a file, not to stdout; give the file to write, e.g. model.onnx');
  checkOutFile(opts.out, ONNX_FILE);
  if (!FORMATS.includes(opts.format)) return usage(`--format must be one of ${FORMATS.join(', ')}, got '${opts.format}'`);
  const dir = resolveModelDir(opts.model);
  if (!dir) return usage(`--model ${opts.model}: no saved model there (expected a folder with model.json, its model.json, or a run folder with model/model.json)`);
  checkNotModelFile(opts.out, opts.model, dir, ONNX_FILE);
  let model: Awaited<ReturnType<typeof loadLayersModel>>;
  try {
    // Sequential or functional (seq2seq run folders hold a functional model).
    model = await loadLayersModel(dir, { compile: false });
  } catch (e) {
    ctx.err.write(`rnnlab export: ${(e as Error).message}\n`);
    return 1;
  }
  const out = opts.out;
  // A stop that came while the model loaded (synchronous reads) is answered now, as the early-stop handler answers
  // one before any write: nothing written. One from here on waits for the write.
  await dispatchPendingSignals();
  return finishTheWrite(async () => {
    try {
      const { path, bytes } = await exportOnnx(model, out);
      ctx.out.write(`wrote ${path} (${bytes} bytes, ONNX opset 17) from ${dir}\n`);
      return 0;
    } catch (e) {
      ctx.err.write(`rnnlab export: ${(e as Error).message}\n`);
      return 1;
    }
  }, (code) => code === 0 ? `rnnlab export: stopped after ${out} was written; it holds the model whole`
    : `rnnlab export: stopped; nothing was written${statOf(out) ? `, ${out} is as it was` : ''}`, ctx);
}
