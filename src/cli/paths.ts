/**
 * The paths a command is given, checked before it does any work: the input files it will read (--data, --file,
 * --validation) and the run folder it will write (--out). A bad one is a usage error (exit code 2) naming the flag
 * and the path, never a raw EISDIR / EEXIST / ENOENT after a long run.
 */
import { accessSync, constants, existsSync, lstatSync, readFileSync, readlinkSync, realpathSync, rmdirSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { checkpointClashes } from '../io/checkpoint.js';
import { parseJsonOnce, RepeatedKeyError, repeatedKeyProblem } from '../io/strict_json.js';
import { errnoWords, FolderError, folderWriteProblem, makeFolders } from '../local_files.js';
import { createRunDir, defaultOutDir } from '../report/run.js';
import { isRunRecordFile, REPORT_FILES, RESULTS_FILE } from '../report/record.js';
import { lockRunFolder, RunFolderBusy, type RunFolderLock } from '../report/run_lock.js';
import { modelClashes } from '../tasks/text_output.js';
import { specialFileWords } from '../onnx/export.js';
import { impossiblePathWords } from '../temp_names.js';
import { UsageError } from './context.js';
import { stopWhileLocked } from './stop_signals.js';

/** The path's stat (links followed), or null when there is nothing there. */
export function statOf(p: string): Stats | null {
  try { return statSync(p); } catch { return null; }
}

/** The entry itself, a link not followed: a run writing through a link inside --out would write where it leads. */
export function entryOf(p: string): Stats | null {
  try { return lstatSync(p); } catch { return null; }
}

/** A file the command reads: it exists, is a file (not a folder) and can be read. */
export function checkInputFile(flag: string, file: string, command: string): void {
  if (file === '') throw new UsageError(`${flag} expects a file, got ''`, command);
  const st = statOf(file);
  if (!st) throw new UsageError(`${flag}: no such file: ${file}`, command);
  if (st.isDirectory()) throw new UsageError(`${flag}: ${file} is a folder, not a file`, command);
  try { accessSync(file, constants.R_OK); } catch (e) { throw new UsageError(`${flag}: cannot read ${file}: ${errnoWords(e)}`, command); }
}

/**
 * A data set the command reads that may be a file or a folder (train's and evaluate's --data and --validation):
 * it exists and can be read; with `format` given (--format), a folder for 'folder' and a file for the others.
 */
export function checkInputPath(flag: string, p: string, command: string, format?: string): void {
  if (p === '') throw new UsageError(`${flag} expects a file or folder, got ''`, command);
  const st = statOf(p);
  if (!st) throw new UsageError(`${flag}: no such file or folder: ${p}`, command);
  if (st.isDirectory() && format !== undefined && format !== 'folder') {
    throw new UsageError(`${flag}: ${p} is a folder, but --format ${format} reads a file (a folder of class subfolders is --format folder)`, command);
  }
  if (!st.isDirectory() && format === 'folder') throw new UsageError(`${flag}: ${p} is a file, but --format folder reads a folder of class subfolders`, command);
  try { accessSync(p, st.isDirectory() ? constants.R_OK | constants.X_OK : constants.R_OK); } catch (e) {
    throw new UsageError(`${flag}: cannot read ${p}: ${errnoWords(e)}`, command);
  }
}

/** What a command writes into its run folder, beyond results.json, report.html and report.png. */
export interface RunFolderWrites {
  /** It saves a model as <out>/model/. */
  model?: boolean;
  /** Other files it writes (seq2seq --generate: pairs.tsv). */
  files?: string[];
  /** It writes checkpoints into <out>/checkpoint/ (imdb). */
  checkpoint?: boolean;
}

/** a as a shell word: itself when it holds nothing a shell reads, else in single quotes (so a printed command pastes). */
export function shellQuote(a: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

/** Names in quotes, comma-separated, as the refusals list them. */
export function quotedNames(list: readonly string[]): string {
  return list.map((n) => `'${n}'`).join(', ');
}

/** The nearest part of p's path above it that exists, when that is not a folder (so nothing can be made at p); else null. */
export function fileAbove(p: string): string | null {
  let up = path.dirname(p);
  let st = statOf(up);
  while (!st && path.dirname(up) !== up) { up = path.dirname(up); st = statOf(up); }
  return st && !st.isDirectory() ? up : null;
}

/**
 * A folder a flag names (--out, serve's --runs, cache's --cache), checked up front: not empty, not a file, not below
 * a file, not a name no file system takes (over 255 bytes). Whether it exists already.
 */
export function checkFolderFlag(flag: string, dir: string, command: string | undefined): boolean {
  if (dir === '') throw new UsageError(`${flag} expects a folder, got ''`, command);
  const st = statOf(dir);
  if (!st && entryOf(dir)?.isSymbolicLink()) throw new UsageError(`${flag}: ${dir} is a link to ${readlinkSync(dir)}, which does not exist; give a folder`, command);
  if (!st) {
    // A new folder: the nearest part of the path that exists must be a folder.
    const file = fileAbove(dir);
    if (file) throw new UsageError(`${flag}: cannot make the folder ${dir}: ${file} is a file`, command);
    const tooLong = impossiblePathWords(dir);
    if (tooLong) throw new UsageError(`${flag}: cannot make the folder ${dir}: ${tooLong}`, command);
    return false;
  }
  if (!st.isDirectory()) {
    // Said as export's --out says it (out_file.ts): "a file" would send the user looking for a file at /dev/null.
    const link = entryOf(dir)?.isSymbolicLink() ? `a link to ${readlinkSync(dir)}, ` : '';
    throw new UsageError(`${flag}: ${dir} is ${link}${specialFileWords(st) ?? 'a file'}, not a folder`, command);
  }
  return true;
}

/**
 * Which of `names` in dir a command may not write: every one that exists, or, where the folder's files are rnnlab's
 * (`replaceable`), those that are not plain files (a link would be written through, to wherever it leads).
 */
export function clashingEntries(dir: string, names: readonly string[], replaceable: boolean): string[] {
  return names.filter((name) => {
    const e = entryOf(path.join(dir, name));
    return e !== null && (!replaceable || !e.isFile());
  });
}

/**
 * What makes a folder a command writes into replaceable: the names it writes there, and when the folder holds its own
 * earlier output (whose plain files of those names it then replaces).
 */
export interface OutFolderRule {
  names: readonly string[];
  replaceable: (dir: string) => boolean;
  /** Further entries that clash (model/, checkpoint/, a sweep's runs), given whether the folder is replaceable. */
  more?: (dir: string, replaceable: boolean) => string[];
  /** The refusal's message, naming the clashing entries. */
  refusal: (clash: string[]) => string;
}

/**
 * A folder a command writes (--out), checked up front: not empty, not a file, not below a file, one this process can
 * make and write in; and if it exists, the command replaces only what `rule` says is its own. Anything else is
 * refused before any work, with nothing changed.
 */
export function checkOutFolder(flag: string, dir: string, command: string | undefined, rule: OutFolderRule): void {
  const exists = checkFolderFlag(flag, dir, command);
  if (exists) {
    const replaceable = rule.replaceable(dir);
    const clash = [...clashingEntries(dir, rule.names, replaceable), ...(rule.more?.(dir, replaceable) ?? [])];
    if (clash.length) throw new UsageError(rule.refusal(clash), command);
  }
  // Found now, not when the finished run is written (a read-only parent, a file system that takes no folders).
  const problem = folderWriteProblem(dir);
  if (problem) throw new UsageError(`${flag}: cannot ${exists ? 'write in' : 'make'} the folder ${dir}: ${problem}`, command);
}

/** Which of `names` in dir are links: refused whatever they lead to (even an earlier run's record), as a run would write through them. */
export function linksAmong(dir: string, names: readonly string[]): string[] {
  return names.filter((n) => entryOf(path.join(dir, n))?.isSymbolicLink());
}

/** "a link to /elsewhere/x.json", or "links: a -> x, b -> y": the links among a refusal's names, with where they lead. */
export function linkWords(dir: string, links: readonly string[]): string {
  const to = (n: string) => readlinkSync(path.join(dir, n));
  return links.length === 1 ? `a link to ${to(links[0])}` : `links: ${links.map((n) => `${n} -> ${to(n)}`).join(', ')}`;
}

/**
 * The run folder --out names, checked up front: not empty, not a file, not below a file; and if it exists, the run
 * replaces nothing rnnlab did not write. A folder that already holds an earlier rnnlab run (its results.json is a
 * run record) has that run's results.json, report.html, report.png (and model/, when model/ holds only model files)
 * replaced; any other file of the same names, or anything else in model/, is the user's, and the run is refused.
 * So are files of checkpoint names in checkpoint/ that are not an rnnlab checkpoint, for a command that writes
 * checkpoints. Files of other names in the folder are never touched.
 */
export function checkOutDir(out: string, command: string | undefined, writes: RunFolderWrites = {}, flag = '--out', give = flag): void {
  checkOutFolder(flag, out, command, {
    names: [...REPORT_FILES, ...(writes.files ?? [])],
    replaceable: (dir) => isRunRecordFile(path.join(dir, RESULTS_FILE)),
    more: (dir, earlierRun) => [...(writes.model ? modelClashes(dir, earlierRun) : []), ...(writes.checkpoint ? checkpointClashes(dir) : [])],
    refusal: (clash) => {
      const them = clash.length === 1 ? 'it' : 'them';
      const links = linksAmong(out, clash);
      // A record that gives a key twice is refused as none (isRunRecordFile): said so, or the user looks for another cause.
      const twice = clash.includes(RESULTS_FILE) && !links.includes(RESULTS_FILE) ? repeatedKeyOf(path.join(out, RESULTS_FILE)) : null;
      const files = clash.filter((n) => !links.includes(n) && !(twice !== null && n === RESULTS_FILE));
      const parts: string[] = [];
      if (twice !== null) parts.push(`'${RESULTS_FILE}', which ${twice}, so it is not read as an earlier rnnlab run's record, and which this run would replace`);
      if (files.length) {
        parts.push(`${quotedNames(files)}, which ${files.length === 1 ? 'is not an earlier rnnlab run\'s output' : 'are not an earlier rnnlab run\'s outputs'} and which this run would replace`);
      }
      if (links.length) parts.push(`${quotedNames(links)}, ${linkWords(out, links)}, which this run would write through`);
      const fix = twice !== null ? `, fix ${RESULTS_FILE}` : '';
      return `${flag}: ${out} already holds ${parts.join('; and ')}; nothing was changed. Give ${give} a new or empty folder${fix}, or move ${them} away`;
    },
  });
  // The run replaces model/ by emptying it: a read-only one would fail only after the whole run.
  const model = path.join(out, 'model');
  if (writes.model && entryOf(model)?.isDirectory()) {
    const problem = folderWriteProblem(model);
    if (problem) throw new UsageError(`${flag}: cannot write in the folder ${model}, whose saved model this run would replace: ${problem}; nothing was changed`, command);
  }
}

/** What is wrong with a JSON file that gives a key twice (`gives the key "status" more than once`), or null for any other file. */
function repeatedKeyOf(file: string): string | null {
  const st = entryOf(file);
  if (!st?.isFile() || st.size > 256 * 1024 * 1024) return null;
  let text: string;
  try { text = readFileSync(file, 'utf8'); JSON.parse(text); } catch { return null; }
  return repeatedKeyProblem(text);
}

/**
 * The command of the run record in `file` (read once, strictly), or null when it holds none. A record that came to
 * give a key twice since isRunRecordFile read it is refused naming `flag`, the file and the key, not read as either value.
 */
export function runRecordCommand(file: string, flag: string, command: string, give = flag): string | null {
  if (!isRunRecordFile(file)) return null;
  let record: unknown;
  try {
    record = parseJsonOnce(readFileSync(file, 'utf8'), file);
  } catch (e) {
    if (e instanceof RepeatedKeyError) throw new UsageError(`${flag}: ${e.message}; nothing was changed. Fix it, or give ${give} another folder`, command);
    return null;
  }
  const other = (record as { command?: unknown } | null)?.command;
  return typeof other === 'string' ? other : null;
}

/**
 * The --out of a command that writes a run (docs/CLI.md's --out rules) must not be another command's run: its record
 * would be replaced by this command's, and for imdb, train and seq2seq its model/ too (a text classifier's
 * rnnlab-text.json and a seq2seq model's rnnlab-seq2seq.json are both model files, so model/ would be replaced without
 * a word). Refused before any work, naming the run's command; a folder of a failed or cancelled run of the same
 * command is reused as any other of its runs. The commands whose --out is a FlagSpec runFolder get this check from
 * checkRunFolder; train and seq2seq call it themselves (evaluate has its own, suggesting a subfolder).
 */
export function checkNotAnotherRun(out: string, command: string, writesModel = false, flag = '--out', give = flag): void {
  const other = runRecordCommand(path.join(out, RESULTS_FILE), flag, command, give);
  if (other === null || other === command) return;
  const model = writesModel && existsSync(path.join(out, 'model')) ? ', reports and saved model (model/)' : ' and reports';
  throw new UsageError(`${flag}: ${out} holds an earlier 'rnnlab ${other}' run, whose results.json${model} this ${command} run would replace; nothing was changed. ` +
    `Give ${give} a new folder or an earlier ${command} run's`, command);
}

/**
 * The run folder a command writes, checked up front by checkOutDir and checkNotAnotherRun: the --out of a FlagSpec
 * runFolder (convertFlag), and the folder `imdb --resume DIR` writes the rest of its run into without --out. `flag`
 * names where the folder came from, `give` the flag that picks another one.
 */
export function checkRunFolder(dir: string, command: string | undefined, writes: RunFolderWrites, flag = '--out', give = flag): void {
  checkOutDir(dir, command, writes, flag, give);
  // An earlier run of another command would lose its record (and model/) to this one's (docs/CLI.md's --out rules).
  if (command !== undefined) checkNotAnotherRun(dir, command, !!writes.model, flag, give);
}

/**
 * Takes the run folder's lock (src/report/run_lock.ts) before the command reads or trains anything: a folder another
 * live run is writing is a usage error naming the flag, the folder and that run, with nothing changed. The caller
 * releases it when the run ends (and before removing a folder it made, which the lock file would keep).
 * tidyRemovesDir: `tidy` removes dir (a default folder made for the run), so a stop does not name it as kept.
 */
export function lockRunFolderFlag(dir: string, command: string, argv: readonly string[], flag = '--out', give = flag, tidy: () => void = () => {}, tidyRemovesDir = false): RunFolderLock {
  return lockWithWords(dir, command, argv, flag, give, tidy, undefined, tidyRemovesDir);
}

/** lockRunFolderFlag; `made`: the outermost folder made for the run just before, removed with the lock while empty. */
function lockWithWords(dir: string, command: string, argv: readonly string[], flag: string, give: string, tidy: () => void, made: string | undefined,
  tidyRemovesDir = made !== undefined): RunFolderLock {
  let lock: RunFolderLock;
  try {
    lock = lockRunFolder(dir, `rnnlab ${argv.map(shellQuote).join(' ')}`, made);
  } catch (e) {
    // The folder cannot be made after all (what the checks up front cannot foresee): makeFolders left nothing behind.
    if (e instanceof FolderError) throw new UsageError(`${flag}: ${e.message}; nothing was changed. Give ${give} a folder this run can write`, command);
    if (!(e instanceof RunFolderBusy)) throw e;
    throw new UsageError(`${flag}: ${e.message}; nothing was changed. Wait for that run to end, or give ${give} another folder`, command);
  }
  // Until the command's own stop handlers listen (or for good, in one without any), a stop signal says so and
  // exits 130, giving the lock back: Node's default would end the process silently, leaving the lock and a new --out.
  // tidy: what to remove once the lock is given back (a default folder made before it).
  const quiet = stopWhileLocked(dir, () => { lock.release(); tidy(); }, tidyRemovesDir);
  return { dir: lock.dir, release: () => { quiet(); lock.release(); } };
}

/**
 * Without --out, the folder the run's default folder (runs/<time>-<name>) is made in must take a new folder: checked
 * before any work, as --out is (a read-only working folder would otherwise fail only once the run is written).
 */
export function checkDefaultRunFolder(defaultOut: string, command: string): void {
  const problem = folderWriteProblem(path.dirname(defaultOut));
  if (problem) throw new UsageError(`--out: cannot make the default run folder ${defaultOut}: ${problem}; nothing was changed. Give --out a folder this run can write`, command);
}

/**
 * Without --out: the run's default folder, made now (createRunDir: a new folder, suffixed -2, -3... when another run
 * took the name) and locked as --out is, before the command reads or trains anything. Its release removes the folder
 * (and the runs/ made for it) while the run has written nothing there, at a stop signal or an exit too.
 */
export function lockDefaultRunFolder(defaultOut: string, command: string, argv: readonly string[]): RunFolderLock {
  checkDefaultRunFolder(defaultOut, command);
  let parentMade: string | undefined, dir: string;
  try {
    parentMade = makeFolders(path.dirname(defaultOut));
    dir = createRunDir(defaultOut);
  } catch (e) {
    if (!(e instanceof FolderError)) throw e;
    if (parentMade !== undefined) removeEmptyFolders(path.dirname(defaultOut), parentMade);
    throw new UsageError(`--out: no default run folder could be made: ${e.message}; nothing was changed. Give --out a folder this run can write`, command);
  }
  try {
    return lockWithWords(dir, command, argv, '--out', '--out', () => {}, parentMade ?? dir);
  } catch (e) {
    // A new folder of this run's own is never another live run's; still, nothing made is left behind.
    removeEmptyFolders(dir, parentMade ?? dir);
    throw e;
  }
}

/** Removes dir and the folders above it up to `outermost`, while each is empty. */
function removeEmptyFolders(dir: string, outermost: string): void {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    try { rmdirSync(at); } catch { return; }
    if (at === path.resolve(outermost) || path.dirname(at) === at) return;
  }
}

/** The run folder withRunFolder hands a run: where to write, and what was there when the run started. */
export interface RunFolder {
  dir: string;
  /** A default folder runs/<time>-<name> made for this run (no --out): a stop removes it while empty, so "nothing was written". */
  isDefault: boolean;
  /** It held an earlier run's record (results.json) when the run started: a failed run then keeps it and records nothing. */
  heldRecord: boolean;
}

/**
 * run(folder) with its run folder locked: --out, or without it a default folder runs/<time>-<runName> made and locked
 * now (lockDefaultRunFolder), so that an unwritable working folder is refused before any work and the folder is the
 * run's from the start. The caller writes the run into folder.dir (as finishRun's `out`). Released when run ends; a
 * default folder the run wrote nothing into is removed. The command's flag checks come before it (a usage error
 * first, not the default folder's).
 */
export async function withRunFolder<T>(out: string | undefined, runName: string, command: string, argv: readonly string[], run: (folder: RunFolder) => Promise<T>): Promise<T> {
  const lock = out === undefined ? lockDefaultRunFolder(defaultOutDir(runName), command, argv) : lockRunFolderFlag(out, command, argv);
  try {
    return await run({ dir: lock.dir, isDefault: out === undefined, heldRecord: isRunRecordFile(path.join(lock.dir, RESULTS_FILE)) });
  } finally {
    lock.release();
  }
}

/**
 * run() with --out's lock held, when --out is given: for tokenize, which has no default folder (without --out it
 * writes nothing). The commands with a default folder take withRunFolder.
 */
export async function withRunFolderLock<T>(out: string | undefined, command: string, argv: readonly string[], run: () => Promise<T>): Promise<T> {
  const lock = out === undefined ? null : lockRunFolderFlag(out, command, argv);
  try {
    return await run();
  } finally {
    lock?.release();
  }
}

/** Where p is or would be made: its nearest existing part with links resolved, the rest as written. */
export function realPathOf(p: string): string {
  const rest: string[] = [];
  for (let at = path.resolve(p); ; at = path.dirname(at)) {
    try {
      return path.join(realpathSync(at), ...rest);
    } catch {
      if (path.dirname(at) === at) return path.resolve(p);
      rest.unshift(path.basename(at));
    }
  }
}

/**
 * The run folder of a command (train, seq2seq, evaluate) is not a saved model's folder (one holding model.json) nor
 * inside a run's model/ folder: the run would land among that model's files, for a command that saves a model
 * (`savesModel`) --model on the folder would still load the old model (a model folder is looked in before its
 * model/), and the model's own run folder could no longer be run into again (train refuses a model/ holding other
 * files). Refused up front, naming the model folder. Above --out only a run's model/ counts (its parent holds a run
 * record): a model.json anywhere up the tree (a project's exported model in its root) does not make every folder
 * under it a model's.
 */
export function checkOutNotInModel(out: string, command: string, flag = '--out', savesModel = true): void {
  const real = realPathOf(out);
  for (let at = real; ; at = path.dirname(at)) {
    const runModel = at !== real && isRunRecordFile(path.join(path.dirname(at), RESULTS_FILE));
    if ((at === real || runModel) && statOf(path.join(at, 'model.json'))?.isFile()) {
      const rel = path.relative(real, at);
      const why = rel === ''
        ? `${out} is the folder of a saved model (it holds model.json): this run's files would go among that model's, and ${savesModel
          ? `--model ${shellQuote(out)} would still load that model, not this run's`
          : 'the run that saved that model could no longer be run into again'}`
        : `${out} is inside ${path.normalize(path.join(out, rel))}, the folder of a saved model (it holds model.json): the run that saved that model could no longer be run into again`;
      throw new UsageError(`${flag}: ${why}; nothing was changed. Give ${flag} a folder outside it`, command);
    }
    if (path.dirname(at) === at) return;
  }
}

/**
 * A run folder must be outside every folder of class subfolders the command reads (train's --data and --validation,
 * evaluate's --data): the run's files there would be read as a class folder and its examples by the next run on that
 * data, which then fails or trains on them. Refused up front, the default folder too (from a working folder inside
 * the data), naming --out and the data flag. `inputs` are [flag, path] pairs already checked to exist.
 */
export function checkOutNotInData(out: string, isDefault: boolean, inputs: readonly (readonly [string, string | undefined])[], command: string, writes: RunFolderWrites = {}): void {
  for (const [flag, p] of inputs) {
    if (p === undefined || !statOf(p)?.isDirectory()) continue;
    const rel = path.relative(realPathOf(p), realPathOf(out));
    if (rel !== '' && (rel.split(path.sep)[0] === '..' || path.isAbsolute(rel))) continue;
    const where = rel === '' ? `is the ${flag} folder` : `is inside the ${flag} folder ${p}`;
    const files = writes.model ? 'model/' : 'results.json and reports';
    throw new UsageError(isDefault
      ? `--out: the default run folder ${out} ${where}, which holds class folders; give --out a folder outside it`
      : `--out: ${out} ${where}, which holds class folders: the run's ${files} would be read as a class by the next run on it; give --out a folder outside it`, command);
  }
}
