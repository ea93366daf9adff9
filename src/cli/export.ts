/**
 * rnnlab export --model DIR --format onnx --out FILE: a saved model (model.json + weights, or a run folder) as an
 * ONNX file for ONNX Runtime and the other ONNX engines.
 */
import { readdirSync, readlinkSync, realpathSync, type Dirent, type Stats } from 'node:fs';
import nodePath from 'node:path';
import type { Command } from 'commander';
import { loadLayersModel } from '../io/index.js';
import { endsInSeparator, exportOnnx, specialFileWords } from '../onnx/export.js';
import { manifestPaths } from '../io/files.js';
import { resolveModelDir } from '../experiments/model_store.js';
import { RESULTS_FILE } from '../report/record.js';
import { UsageError, type CliContext } from './context.js';
import { entryOf, fileAbove, statOf } from './paths.js';
import { dispatchPendingSignals } from './early_stop.js';
import { finishTheWrite } from './stop_signals.js';
import { isRunRecordFile } from '../report/record.js';
import { impossiblePathWords } from '../temp_names.js';

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

/**
 * --out names a regular file to (re)write, or a link to one (written through), not a folder (a folder there would
 * only fail the rename after the export), nor a device, named pipe or socket (the rename would replace it with a
 * regular file), nor one no file system can hold (a name over 255 bytes). A path that cannot be written (no such
 * folder) fails the export itself, exit code 1, with nothing written.
 */
function checkExportOut(out: string): void {
  const usage = (msg: string): never => { throw new UsageError(`--out: ${msg}`, 'export'); };
  // '-' is not stdout here: the bytes would land in a file named '-' in the working folder.
  if (out === '-') throw new UsageError('--out -: the ONNX model is binary and is written to a file, not to stdout; give the file to write, e.g. model.onnx', 'export');
  const st = statOf(out);
  if (st?.isDirectory()) usage(`${out} is a folder; give the file to write, e.g. ${nodePath.join(out, 'model.onnx')}`);
  if (endsInSeparator(out)) usage(`${out} ends in '${out.slice(-1)}', so it names a folder; give the file to write without it, e.g. ${out.replace(/[\\/]+$/, '')}`);
  const link = entryOf(out)?.isSymbolicLink() ? `a link to ${readlinkSync(out)}, ` : '';
  if (link && !st) usage(`${out} is ${link.slice(0, -2)}, which does not exist; give a file to write, or make the file it leads to first`);
  const special = st && specialFileWords(st);
  if (special) usage(`${out} is ${link}${special}, not a regular file, which the export would replace with one; give a regular file to write, e.g. model.onnx`);
  // Below a file: the nearest part of the path that exists must be a folder (as the run commands' --out).
  const file = fileAbove(out);
  if (file) throw new UsageError(`--out: cannot write ${out}: ${file} is a file`, 'export');
  const tooLong = impossiblePathWords(out);
  if (tooLong) throw new UsageError(`--out: cannot write ${out}: ${tooLong}`, 'export');
}

/**
 * The folders whose existing files --out must not replace: the saved model's, and the run folder around it (a
 * --model naming the run folder, or a model/ folder beside a run record), whose results.json, reports and
 * checkpoints are the run's record.
 */
function protectedFolders(model: string, dir: string): string[] {
  const folders = [realpathSync(dir)];
  const parent = nodePath.dirname(folders[0]);
  const namedRun = statOf(model)?.isDirectory() && realpathSync(model) === parent;
  if (namedRun || (nodePath.basename(folders[0]) === 'model' && isRunRecordFile(nodePath.join(parent, RESULTS_FILE)))) folders.push(parent);
  return folders;
}

/**
 * The paths --out goes through: itself, then where each link leads in turn, the last the file the export replaces.
 * Each with its folder's real path (a link's relative target is read from the folder the link really lies in).
 * Bounded as the system bounds a chain of links (40); a longer one has no file at its end, which statOf reports.
 */
function pathsThrough(out: string): string[] {
  const real = (p: string) => nodePath.join(realpathSync(nodePath.dirname(p)), nodePath.basename(p));
  const paths = [real(out)];
  for (let hop = 0; hop < 40 && entryOf(paths[paths.length - 1])?.isSymbolicLink(); hop++) {
    const link = paths[paths.length - 1];
    paths.push(real(nodePath.resolve(nodePath.dirname(link), readlinkSync(link))));
  }
  return paths;
}

/**
 * A link in (or below) a protected folder that leads to --out's file st (real path: file): a link to that file, not
 * named .onnx, or a link to a folder holding it (file not an .onnx). A run whose results.json is a link to a store's
 * file reads what the export would write there. Only the folders' own subfolders are walked: a link to a folder is
 * judged by where it leads, not walked (it may lead to a data set, or back up the tree).
 */
function linkLeadingTo(st: Stats, file: string, folders: string[]): { link: string; folder: string } | undefined {
  const walk = (dir: string, folder: string): { link: string; folder: string } | undefined => {
    let entries: Dirent[];
    try { entries = readdirSync(dir, { withFileTypes: true }); } catch { return undefined; }
    for (const e of entries) {
      const p = nodePath.join(dir, e.name);
      if (e.isDirectory()) {
        const found = walk(p, folder);
        if (found) return found;
      } else if (e.isSymbolicLink()) {
        // An .onnx link may lead to --out's file, as an .onnx file may be written into these folders.
        const w = statOf(p);
        const leadsThere = w?.isFile() ? !/\.onnx$/i.test(e.name) && w.dev === st.dev && w.ino === st.ino
          : w?.isDirectory() === true && !/\.onnx$/i.test(file) && within(realpathSync(p), file);
        if (leadsThere) return { link: p, folder };
      }
    }
    return undefined;
  };
  for (const folder of folders) {
    const found = walk(folder, folder);
    if (found) return found;
  }
  return undefined;
}

/** p lies in (or below) the folder root. */
const within = (root: string, p: string): boolean => {
  const rel = nodePath.relative(root, nodePath.dirname(p));
  return rel.split(nodePath.sep)[0] !== '..' && !nodePath.isAbsolute(rel);
};

/**
 * An existing --out that is the saved model's model.json or a weights file it lists, whatever its name and folder,
 * or that is not an .onnx file and lies in (or below) the saved model's folder or its run folder, is one of the
 * model's or the run's own files (model.json, weights, rnnlab-input.json, results.json, a report, a checkpoint):
 * replacing it would destroy what is being exported or its record. A link is judged at every path it goes through
 * to the file it leads to (which the export replaces): a model.json that is a link to another folder's is still the
 * model's model.json. So is a file that a link in those folders leads to (a results.json linked to a store's file).
 */
function checkNotModelFile(out: string, model: string, dir: string): void {
  const st = statOf(out);
  if (!st?.isFile()) return;
  const paths = pathsThrough(out);
  const shown = paths.length > 1 ? `${out} (${paths.slice(1).map((_p, i) => `${i > 0 ? 'which is ' : ''}a link to ${readlinkSync(paths[i])}`).join(', ')})` : out;
  const folders = protectedFolders(model, dir);
  const whose = (folder: string) => folder === realpathSync(dir) ? 'the saved model being exported' : 'the run folder of the model being exported';
  const holder = (p: string) => /\.onnx$/i.test(p) ? undefined : folders.find((root) => within(root, p));
  const refuseHeld = (folder: string | undefined) => {
    if (folder) throw new UsageError(`--out: ${shown} is a file of ${whose(folder)} (in ${folder}); only an .onnx file may be written there; give another file, e.g. ${besideRun(model, dir)}`, 'export');
  };
  // The path given and the file replaced first; the links between them after model.json's own check, which names
  // the file a link from outside leads to.
  refuseHeld([paths[0], paths[paths.length - 1]].map(holder).find((f) => f !== undefined));
  // As the loader reads them: model.json and each manifest path joined to the model's folder. Compared as files, so
  // a link or a second spelling of the path is found too (model.json a link to a file elsewhere, --out another link).
  const json = nodePath.join(dir, 'model.json');
  const same = (p: string) => { const w = statOf(p); return w !== null && w.dev === st.dev && w.ino === st.ino; };
  if (same(json)) {
    throw new UsageError(`--out: ${shown} is the file ${json} of the saved model being exported: replacing it would destroy the model; give another file, e.g. ${besideRun(model, dir)}`, 'export');
  }
  const weights = manifestPaths(json).find((p) => same(nodePath.join(dir, p)));
  if (weights !== undefined) {
    throw new UsageError(`--out: ${shown} is the weights file '${weights}' that ${json} lists: replacing it would destroy the saved model being exported; give another file, e.g. ${besideRun(model, dir)}`, 'export');
  }
  refuseHeld(paths.slice(1, -1).map(holder).find((f) => f !== undefined));
  const linked = linkLeadingTo(st, realpathSync(out), folders);
  if (linked) {
    // Said as the user wrote the paths, as besideRun's.
    const link = nodePath.isAbsolute(model) ? linked.link : nodePath.relative(process.cwd(), linked.link);
    throw new UsageError(`--out: ${shown} is the file that ${link}, a link in ${whose(linked.folder)} (in ${linked.folder}), leads to: the export would replace what it reads; give another file, e.g. ${besideRun(model, dir)}`, 'export');
  }
}

/**
 * The file to suggest: <folder>.onnx beside the outermost protected folder (the run folder, else the model's), as
 * the docs' `runs/imdb-lstm.onnx`. Not inside model/: an .onnx there is no model file, so a later train or imdb
 * --out of that run folder would refuse to replace model/.
 */
function besideRun(model: string, dir: string): string {
  const folders = protectedFolders(model, dir);
  const outer = folders[folders.length - 1];
  const file = nodePath.join(nodePath.dirname(outer), `${nodePath.basename(outer)}.onnx`);
  // Said as the user wrote the paths: relative to the working folder, unless the model was given by an absolute path.
  return nodePath.isAbsolute(model) ? file : nodePath.relative(process.cwd(), file);
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
  checkNotModelFile(opts.out, opts.model, dir);
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
