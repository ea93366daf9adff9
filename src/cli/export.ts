/**
 * rnnlab export --model DIR --format onnx --out FILE: a saved model (model.json + weights, or a run folder) as an
 * ONNX file for ONNX Runtime and the other ONNX engines.
 */
import nodePath from 'node:path';
import type { Command } from 'commander';
import { loadLayersModel } from '../io/index.js';
import { exportOnnx } from '../onnx/export.js';
import { resolveModelDir } from '../experiments/model_store.js';
import { UsageError, type CliContext } from './context.js';
import { statOf } from './paths.js';

const FORMATS = ['onnx'];

export function register(program: Command, ctx: CliContext): void {
  program
    .command('export')
    .description('write a saved model in another format (onnx) for other engines')
    .option('--model <dir>', 'saved model folder (model.json + weights), its model.json, or a run folder')
    .option('--format <format>', `output format: ${FORMATS.join(', ')}`, 'onnx')
    .option('--out <file>', 'file to write, e.g. model.onnx (an existing file is replaced, atomically)')
    .action(async (opts: { model?: string; format: string; out?: string }) => {
      ctx.exitCode = await exportCommand(opts, ctx);
    });
}

/**
 * --out names a file to (re)write, not a folder (a folder there would only fail the rename after the export). A path
 * that cannot be written (no such folder) fails the export itself, exit code 1, with nothing written.
 */
function checkExportOut(out: string): void {
  if (statOf(out)?.isDirectory()) throw new UsageError(`--out: ${out} is a folder; give the file to write, e.g. ${nodePath.join(out, 'model.onnx')}`, 'export');
}

export async function exportCommand(opts: { model?: string; format: string; out?: string }, ctx: CliContext): Promise<number> {
  const usage = (msg: string): never => { throw new UsageError(msg, 'export'); };
  if (!opts.model) return usage('--model DIR is required (a saved model folder or a run folder)');
  if (opts.out === undefined) return usage('--out FILE is required');
  if (opts.out === '') return usage("--out expects a file, got ''");
  checkExportOut(opts.out);
  if (!FORMATS.includes(opts.format)) return usage(`--format must be one of ${FORMATS.join(', ')}, got '${opts.format}'`);
  const dir = resolveModelDir(opts.model);
  if (!dir) return usage(`--model ${opts.model}: no saved model there (expected a folder with model.json, its model.json, or a run folder with model/model.json)`);
  try {
    // Sequential or functional (seq2seq run folders hold a functional model).
    const model = await loadLayersModel(dir, { compile: false });
    const { path, bytes } = await exportOnnx(model, opts.out);
    ctx.out.write(`wrote ${path} (${bytes} bytes, ONNX opset 17) from ${dir}\n`);
    return 0;
  } catch (e) {
    ctx.err.write(`rnnlab export: ${(e as Error).message}\n`);
    return 1;
  }
}
