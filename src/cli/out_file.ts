/**
 * The one rule for the files a command writes where the user names them (docs/CLI.md, "Output files"): `export
 * --out FILE`, and the files a run writes into its --out folder (results.json, the reports, model/, seq2seq's
 * heldout.jsonl and pairs.tsv). Each is checked before the command trains or writes anything; a refusal is a usage
 * error naming the flag, with nothing changed. What is written is written whole or not at all (src/io/atomic.ts).
 * A run folder's own rules (what an earlier run's folder may hold) are src/cli/paths.ts's checkOutDir.
 */
import { readdirSync, readlinkSync, realpathSync } from 'node:fs';
import nodePath from 'node:path';
import { endsInSeparator, specialFileWords } from '../onnx/export.js';
import { manifestPaths } from '../io/files.js';
import { RESULTS_FILE, REPORT_FILES, isRunRecordFile } from '../report/record.js';
import { impossiblePathWords } from '../temp_names.js';
import { UsageError } from './context.js';
import { entryOf, fileAbove, realPathOf, statOf, type RunFolderWrites } from './paths.js';

/** A file a command reads, by the flag that named it; path undefined when the flag was not given (a folder: not checked here). */
export interface ReadInput {
  flag: string;
  path: string | undefined;
}

/** A command that writes one file at a user-named path (export's --out), as its refusals name it. */
export interface FileWriter {
  command: string;
  flag: string;
  /** The extension of the command's files (`.onnx`): the only files it may write among a saved model's. */
  ext: string;
  /** Such a file, named for the example in a refusal (`model.onnx`). */
  example: string;
  /** What the command does to the model it reads, for "the saved model being exported". */
  verb: string;
}

/**
 * The path names a regular file to (re)write, or a link to one (written through), not a folder (a folder there would
 * only fail the rename after the work), nor a device, named pipe or socket (the rename would replace it with a regular
 * file: /dev/null, as root), nor one no file system can hold (a name over 255 bytes), nor a path below a file. A path
 * that cannot be written (no such folder) fails the command itself, exit code 1, with nothing written.
 */
export function checkOutFile(out: string, w: FileWriter): void {
  const usage = (msg: string): never => { throw new UsageError(`${w.flag}: ${msg}`, w.command); };
  const st = statOf(out);
  if (st?.isDirectory()) usage(`${out} is a folder; give the file to write, e.g. ${nodePath.join(out, w.example)}`);
  if (endsInSeparator(out)) usage(`${out} ends in '${out.slice(-1)}', so it names a folder; give the file to write without it, e.g. ${out.replace(/[\\/]+$/, '')}`);
  const link = entryOf(out)?.isSymbolicLink() ? `a link to ${readlinkSync(out)}, ` : '';
  if (link && !st) usage(`${out} is ${link.slice(0, -2)}, which does not exist; give a file to write, or make the file it leads to first`);
  const special = st && specialFileWords(st);
  if (special) usage(`${out} is ${link}${special}, not a regular file, which the ${w.command} would replace with one; give a regular file to write, e.g. ${w.example}`);
  // Below a file: the nearest part of the path that exists must be a folder (as the run commands' --out).
  const file = fileAbove(out);
  if (file) usage(`cannot write ${out}: ${file} is a file`);
  const tooLong = impossiblePathWords(out);
  if (tooLong) usage(`cannot write ${out}: ${tooLong}`);
}

/** p lies in (or below) the folder root. */
const within = (root: string, p: string): boolean => {
  const rel = nodePath.relative(root, nodePath.dirname(p));
  return rel.split(nodePath.sep)[0] !== '..' && !nodePath.isAbsolute(rel);
};

/** The two stats name one file. */
const sameEntry = (a: { dev: number; ino: number }, b: { dev: number; ino: number }): boolean => a.dev === b.dev && a.ino === b.ino;

/**
 * The folders whose existing files a written file must not replace: the saved model's, and the run folder around it
 * (a --model naming the run folder, or a model/ folder beside a run record), whose results.json, reports and
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
 * The paths out goes through: itself, then where each link leads in turn, the last the file the write replaces.
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
 * A link in (or below) a protected folder that leads to out's file (stat st, real path file): a link to that file,
 * not named with the writer's extension, or a link to a folder holding it (file not of that extension). A run whose
 * results.json is a link to a store's file reads what the write would put there. Only the folders' own subfolders are
 * walked: a link to a folder is judged by where it leads, not walked (it may lead to a data set, or back up the tree).
 */
function linkLeadingTo(st: { dev: number; ino: number }, file: string, folders: string[], own: (p: string) => boolean): { link: string; folder: string } | undefined {
  const walk = (dir: string, folder: string): { link: string; folder: string } | undefined => {
    let entries;
    try { entries = readdirSync(dir, { withFileTypes: true }); } catch { return undefined; }
    for (const e of entries) {
      const p = nodePath.join(dir, e.name);
      if (e.isDirectory()) {
        const found = walk(p, folder);
        if (found) return found;
      } else if (e.isSymbolicLink()) {
        // A link of the writer's own kind may lead to out's file, as such a file may be written into these folders.
        const w = statOf(p);
        const leadsThere = w?.isFile() ? !own(e.name) && sameEntry(w, st)
          : w?.isDirectory() === true && !own(file) && within(realpathSync(p), file);
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

/**
 * The file to suggest: <folder><ext> beside the outermost protected folder (the run folder, else the model's), as the
 * docs' `runs/imdb-lstm.onnx`. Not inside model/: such a file there is no model file, so a later train or imdb --out
 * of that run folder would refuse to replace model/.
 */
function besideRun(model: string, dir: string, ext: string): string {
  const folders = protectedFolders(model, dir);
  const outer = folders[folders.length - 1];
  const file = nodePath.join(nodePath.dirname(outer), `${nodePath.basename(outer)}${ext}`);
  // Said as the user wrote the paths: relative to the working folder, unless the model was given by an absolute path.
  return nodePath.isAbsolute(model) ? file : nodePath.relative(process.cwd(), file);
}

/**
 * An existing out that is the saved model's model.json or a weights file it lists, whatever its name and folder, or
 * that is not a file of the writer's extension and lies in (or below) the saved model's folder or its run folder, is
 * one of the model's or the run's own files (model.json, weights, rnnlab-input.json, results.json, a report, a
 * checkpoint): replacing it would destroy what the command reads or its record. A link is judged at every path it
 * goes through to the file it leads to (which the write replaces): a model.json that is a link to another folder's is
 * still the model's model.json. So is a file that a link in those folders leads to (a results.json linked to a
 * store's file). model: the --model given; dir: the saved model's folder it resolved to; shownAs: how the refusal
 * names out, where the user gave it otherwise (a descriptor open on it: `standard output (open on FILE)`).
 */
export function checkNotModelFile(out: string, model: string, dir: string, w: FileWriter, shownAs?: string): void {
  const st = statOf(out);
  if (!st?.isFile()) return;
  const own = (p: string) => p.toLowerCase().endsWith(w.ext.toLowerCase());
  const paths = pathsThrough(out);
  const shown = shownAs ?? (paths.length > 1 ? `${out} (${paths.slice(1).map((_p, i) => `${i > 0 ? 'which is ' : ''}a link to ${readlinkSync(paths[i])}`).join(', ')})` : out);
  const folders = protectedFolders(model, dir);
  const whose = (folder: string) => folder === realpathSync(dir) ? `the saved model being ${w.verb}` : `the run folder of the model being ${w.verb}`;
  const beside = () => besideRun(model, dir, w.ext);
  const refuse = (msg: string): never => { throw new UsageError(`${w.flag}: ${msg}; give another file, e.g. ${beside()}`, w.command); };
  const holder = (p: string) => own(p) ? undefined : folders.find((root) => within(root, p));
  const refuseHeld = (folder: string | undefined) => {
    if (folder) refuse(`${shown} is a file of ${whose(folder)} (in ${folder}); only an ${w.ext} file may be written there`);
  };
  // The path given and the file replaced first; the links between them after model.json's own check, which names
  // the file a link from outside leads to.
  refuseHeld([paths[0], paths[paths.length - 1]].map(holder).find((f) => f !== undefined));
  // As the loader reads them: model.json and each manifest path joined to the model's folder. Compared as files, so
  // a link or a second spelling of the path is found too (model.json a link to a file elsewhere, out another link).
  const json = nodePath.join(dir, 'model.json');
  const same = (p: string) => { const x = statOf(p); return x !== null && sameEntry(x, st); };
  if (same(json)) refuse(`${shown} is the file ${json} of the saved model being ${w.verb}: replacing it would destroy the model`);
  const weights = manifestPaths(json).find((p) => same(nodePath.join(dir, p)));
  if (weights !== undefined) refuse(`${shown} is the weights file '${weights}' that ${json} lists: replacing it would destroy the saved model being ${w.verb}`);
  refuseHeld(paths.slice(1, -1).map(holder).find((f) => f !== undefined));
  const linked = linkLeadingTo(st, realpathSync(out), folders, own);
  if (linked) {
    // Said as the user wrote the paths, as besideRun's.
    const link = nodePath.isAbsolute(model) ? linked.link : nodePath.relative(process.cwd(), linked.link);
    refuse(`${shown} is the file that ${link}, a link in ${whose(linked.folder)} (in ${linked.folder}), leads to: the ${w.command} would replace what it reads`);
  }
}

/**
 * A run never replaces a file it reads. Into its folder (out) a run writes results.json, report.html and report.png,
 * the files writes.files names (seq2seq's heldout.jsonl) and, when it saves a model, all of model/ (swapped in whole);
 * each is renamed over what is there. An input file that is one of them, reached by its path or through links (its
 * real path is the entry the rename replaces), is refused naming both flags: `seq2seq --data runs/x/heldout.jsonl
 * --out runs/x` would replace the pairs it trains on with the part it held out. A hard link elsewhere keeps its bytes
 * (the rename gives the folder a new file), so only the real path counts. Links in place of those entries are refused
 * by the run folder's own checks (checkOutDir).
 */
export function checkRunNotOverInputs(out: string, writes: RunFolderWrites, inputs: readonly ReadInput[], command: string, flag = '--out', give = flag): void {
  checkWritesNotOverInputs(out, { names: [...REPORT_FILES, ...(writes.files ?? [])], model: writes.model === true, who: 'this run' }, inputs, command, flag, give);
}

/** What a command writes into its folder, for checkWritesNotOverInputs. */
export interface FolderWrites {
  /** The files it renames into the folder. */
  names: readonly string[];
  /** It swaps in model/ whole. */
  model?: boolean;
  /** The writer, as the refusal names it ('this run', 'this sweep'). */
  who: string;
  /** Why one of the names is there, by name (a sweep's 'sweep.json': its record), said beside the file. */
  roles?: Readonly<Record<string, string>>;
  /**
   * 'move' where a copy left in the folder would still be in the way (a spec left as a sweep folder's sweep.json
   * reads as a damaged record); default 'copy'.
   */
  takeOut?: 'copy' | 'move';
}

/**
 * checkRunNotOverInputs' rule for any command that renames files into a folder (a sweep: sweep.json, report.html,
 * report.png): an input file that is one of them, by its path or through links, is refused naming both.
 */
export function checkWritesNotOverInputs(out: string, writes: FolderWrites, inputs: readonly ReadInput[], command: string, flag = '--out', give = flag): void {
  const dir = realPathOf(out);
  const names = writes.names;
  for (const input of inputs) {
    if (input.path === undefined || !statOf(input.path)?.isFile()) continue;
    const rel = nodePath.relative(dir, realpathSync(input.path));
    const inModel = writes.model === true && within(nodePath.join(dir, 'model'), nodePath.join(dir, rel));
    if (!names.includes(rel) && !inModel) continue;
    const file = nodePath.join(out, rel);
    const role = writes.roles?.[rel];
    const replaced = inModel ? `${nodePath.join(out, 'model')} whole, which holds ${file}` : role ? `${file} (${role})` : file;
    // Reached through a link (or a linked folder), the path given is not the entry the rename replaces: both are named.
    const which = realpathSync(input.path) === nodePath.resolve(input.path) ? `the ${input.flag} file it reads` : `the file that ${input.flag} ${input.path} leads to`;
    throw new UsageError(`${flag}: ${writes.who} would replace ${replaced}, ${which}; nothing was changed. ` +
      `Give ${give} another folder, or ${writes.takeOut ?? 'copy'} the ${input.flag} file out of ${out} first`, command);
  }
}
