/**
 * rnnlab export --model DIR --format onnx --out FILE: a saved model (model.json + weights, or a run folder) as an
 * ONNX file for ONNX Runtime and the other ONNX engines; --out - (or /dev/stdout, /dev/fd/N) writes it down that
 * descriptor instead.
 */
import { fstatSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync, writeSync, type Stats } from 'node:fs';
import { isatty } from 'node:tty';
import type { Command } from 'commander';
import { loadLayersModel } from '../io/index.js';
import { exportOnnx, toOnnx } from '../onnx/export.js';
import { errnoWords } from '../local_files.js';
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
    .option('--out <file>', "file to write, e.g. model.onnx (an existing file is replaced, atomically; not one of the model's or its run folder's own files), or - (or /dev/stdout, /dev/fd/N) for the descriptor itself: > model.onnx, | ...")
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
  const fd = descriptorOf(opts.out);
  if (fd === null) checkOutFile(opts.out, ONNX_FILE);
  else checkDescriptor(fd, opts.out);
  if (!FORMATS.includes(opts.format)) return usage(`--format must be one of ${FORMATS.join(', ')}, got '${opts.format}'`);
  const dir = resolveModelDir(opts.model);
  if (!dir) return usage(`--model ${opts.model}: no saved model there (expected a folder with model.json, its model.json, or a run folder with model/model.json)`);
  if (fd === null) checkNotModelFile(opts.out, opts.model, dir, ONNX_FILE);
  else {
    // A descriptor open on one of the model's files (`>> runs/x/model/weights.bin`) would have the model appended to
    // it. Said as the user wrote it (`--out -: standard output`) and by the file: /dev/fd/1 is rnnlab's own path to it.
    const file = fileBehind(fd, opts.out);
    if (file !== null) {
      const emptied = emptiedByShell(fd) ? ", which the shell's > redirect has emptied already" : '';
      checkNotModelFile(file, opts.model, dir, { ...ONNX_FILE, flag: `--out ${opts.out}` }, `${descriptorName(fd)} (open on ${file}${emptied})`);
    }
  }
  let model: Awaited<ReturnType<typeof loadLayersModel>>;
  try {
    // Sequential or functional (seq2seq run folders hold a functional model).
    model = await loadLayersModel(dir, { compile: false });
  } catch (e) {
    ctx.err.write(`rnnlab export: ${(e as Error).message}\n`);
    return 1;
  }
  if (fd !== null) return exportToDescriptor(model, fd, opts.out, dir, ctx);
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

/**
 * The open descriptor --out names, or null for a path: '-' and /dev/stdout (1), /dev/stderr (2), /dev/fd/N and
 * /proc/self/fd/N. The shell, not rnnlab, made the file (or pipe) behind it: `> f.onnx` truncated f.onnx and holds it
 * open at its offset, so the bytes go down that descriptor. A temp file renamed over the path's real file (the rule
 * for paths) would give f.onnx a new inode, leave the shell's descriptor on the old one, and under `>>` lose what was
 * there.
 */
export function descriptorOf(out: string): number | null {
  if (out === '-') return 1;
  if (process.platform === 'win32') return null;
  if (out === '/dev/stdout') return 1;
  if (out === '/dev/stderr') return 2;
  const m = /^\/(?:dev|proc\/self)\/fd\/(\d{1,9})$/.exec(out);
  return m ? Number(m[1]) : null;
}

/**
 * The file descriptor fd is open on, by its real path (read through /dev/fd), or null where there is none to read: a
 * pipe, a socket, a file since deleted, or no /dev/fd (Windows).
 */
function fileBehind(fd: number, out: string): string | null {
  if (process.platform === 'win32') return null;
  const p = out === '-' ? `/dev/fd/${fd}` : out;
  try {
    return statSync(p).isFile() ? realpathSync(p) : null;
  } catch {
    return null;
  }
}

/** The descriptor's open-file flags, as Linux shows them (/proc/self/fdinfo), or null where it does not. */
function openFlags(fd: number): number | null {
  if (process.platform !== 'linux') return null;
  try {
    const m = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
    return m ? parseInt(m[1], 8) : null;
  } catch {
    return null;
  }
}
const O_APPEND = 0o2000;
const O_ACCMODE = 0o3;

/**
 * fd (above 2) is one Node opened for itself, as Linux shows it: an event descriptor (epoll, eventfd), or a pipe
 * both of whose ends this process holds (its signal and wake-up pipes). Not open when rnnlab started, then: a pipe
 * handed down to it has its other end elsewhere.
 */
function nodesOwnDescriptor(fd: number): boolean {
  if (process.platform !== 'linux' || fd <= 2) return false;
  const target = (n: number | string) => { try { return readlinkSync(`/proc/self/fd/${n}`); } catch { return null; } };
  const what = target(fd);
  if (what === null || what.startsWith('anon_inode:')) return what !== null;
  if (!what.startsWith('pipe:')) return false;
  let open: string[];
  try { open = readdirSync('/proc/self/fd'); } catch { return false; }
  const modes = open.filter((n) => target(n) === what).map((n) => (openFlags(Number(n)) ?? O_ACCMODE) & O_ACCMODE);
  return modes.includes(0) && modes.includes(1);
}

/** The regular file behind fd is empty and was not opened to append: a `>` redirect truncated it before rnnlab ran. */
function emptiedByShell(fd: number): boolean {
  const flags = openFlags(fd);
  return fstatSync(fd).size === 0 && (flags === null || (flags & O_APPEND) === 0);
}

/** fd is /dev/null: where Node puts a standard descriptor that was closed (`>&-`), or where the shell sent it. */
function isDevNull(st: Stats): boolean {
  const devNull = statOf('/dev/null');
  return devNull !== null && st.isCharacterDevice() && st.rdev === devNull.rdev;
}

/** What a refusal calls the descriptor: standard output, or the path given. */
const descriptorName = (fd: number): string => fd === 1 ? 'standard output' : fd === 2 ? 'standard error' : `descriptor ${fd}`;

/** The descriptor is open, not a folder, and not a terminal (binary bytes there would garble it and help no one). */
function checkDescriptor(fd: number, out: string): void {
  const usage = (msg: string): never => { throw new UsageError(`--out ${out}: ${msg}`, 'export'); };
  const name = descriptorName(fd);
  let st;
  const notOpen = `${name} is not open; give --out the file to write, e.g. model.onnx`;
  try { st = fstatSync(fd); } catch { return usage(notOpen); }
  // Not open when rnnlab started, but Node has opened one of its own under that number since: writing there would
  // claim an export that went into Node's internals (or crash it).
  if (nodesOwnDescriptor(fd)) usage(notOpen);
  if (isDevNull(st)) usage(`${name} is /dev/null${fd <= 2 ? ' (as it is when closed: >&-)' : ''}, where the model would be lost; give --out the file to write, e.g. model.onnx`);
  if (st.isDirectory()) usage(`${name} is open on a folder; give --out the file to write, e.g. model.onnx`);
  if (isatty(fd)) {
    usage(`${name} is a terminal, and the ONNX model is binary; redirect it to a file (> model.onnx) or a pipe, or give --out the file to write, e.g. model.onnx`);
  }
}

/**
 * The model's bytes down descriptor fd, from its current offset, in full (a short write goes on; a descriptor another
 * process left non-blocking is waited on). Not atomic, as nothing written to a pipe can be: the bytes are made first,
 * so only the write itself can fail part-way (a reader that closed the pipe), which the exit code 1 says.
 */
async function exportToDescriptor(model: Parameters<typeof toOnnx>[0], fd: number, out: string, dir: string, ctx: CliContext): Promise<number> {
  let bytes: Uint8Array;
  try {
    bytes = toOnnx(model);
  } catch (e) {
    ctx.err.write(`rnnlab export: ${(e as Error).message}\n`);
    return 1;
  }
  await dispatchPendingSignals();
  // The line saying what was written goes to the stream the model does not.
  const note = fd === 1 ? ctx.err : ctx.out;
  return finishTheWrite(async () => {
    try {
      await writeAll(fd, bytes);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'EPIPE' ? 'the reader closed the pipe' : code === 'ENOSPC' ? 'no space left on the device' : errnoWords(e);
      ctx.err.write(`rnnlab export: ONNX export: cannot write to ${out} (${descriptorName(fd)}): ${why}\n`);
      return 1;
    }
    note.write(`wrote ${out === '-' ? 'stdout' : out} (${bytes.length} bytes, ONNX opset 17) from ${dir}\n`);
    return 0;
  }, (code) => code === 0 ? `rnnlab export: stopped after the model was written whole to ${out} (${descriptorName(fd)})`
    : `rnnlab export: stopped; the write to ${out} (${descriptorName(fd)}) failed part-way`, ctx);
}

async function writeAll(fd: number, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.length;) {
    try {
      done += writeSync(fd, bytes, done, bytes.length - done);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}
