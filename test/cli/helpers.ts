import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterAll, beforeAll, expect } from 'vitest';
import { main } from '../../src/cli/main.js';
import { backendInfo, getBackend, setIsa } from '../../src/backend/index.js';
import { setGlobalPolicy } from '../../src/mixed_precision.js';
import { envForFile } from '../helpers/env.js';
import { imdbTarball } from '../helpers/imdb.js';
import { makeTarGz, reviewEntries, writeFixture } from '../data/fixtures.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The IMDb tarball: the real one when present, else the synthetic one (test/helpers/imdb.ts). */
export const DATA = imdbTarball();

export function requireData(): string {
  return DATA;
}

export interface RunResult { code: number; out: string; err: string }

/** Runs the CLI in-process, capturing what it prints. */
export async function run(argv: string[]): Promise<RunResult> {
  let out = '', err = '';
  const code = await main(argv, { out: { write: (s: string) => { out += s; return true; } }, err: { write: (s: string) => { err += s; return true; } } });
  return { code, out, err };
}

const BIN = path.join(REPO_ROOT, 'bin/rnnlab.js');
export const asRoot = process.getuid?.() === 0;
/** As root (whom no permission stops) the CLI is run as the unprivileged user 65534; without setpriv that is not possible. */
const AS_NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
let deniable: boolean | undefined;

/** Whether a folder's permissions can stop the CLI here: on Linux, as a user, or as root able to run it as user 65534. */
export function canBeDenied(): boolean {
  deniable ??= process.platform === 'linux'
    && (!asRoot || spawnSync(AS_NOBODY[0], [...AS_NOBODY.slice(1), process.execPath, BIN, '--version']).status === 0);
  return deniable;
}

/**
 * The compiled CLI in its own process in cwd, killed after a minute: a hang fails the test instead of stopping the
 * suite. unprivileged: as root, run as user 65534 (see canBeDenied).
 */
export function spawnCliSync(args: string[], cwd: string, unprivileged = false): SpawnSyncReturns<string> {
  const [cmd, ...pre] = unprivileged && asRoot ? [...AS_NOBODY, process.execPath] : [process.execPath];
  return spawnSync(cmd, [...pre, BIN, ...args], { cwd, encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
}

/** A usage error: exit code 2, one error line naming what is wrong (then the help hint), nothing on stdout, `out` not made. */
export function expectRefused(r: RunResult, cmd: string, message: RegExp, out?: string): void {
  expect(r.code).toBe(2);
  expect(r.out).toBe('');
  const lines = r.err.trimEnd().split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(new RegExp(`^rnnlab ${cmd}: error: `));
  expect(lines[0]).toMatch(message);
  if (out) expect(existsSync(out)).toBe(false);
}

/**
 * Puts the native kernels on the portable instruction set for the file's tests, where mixed_bfloat16 falls back on any
 * CPU (so its one line would be said); back to the set before, and float32, after them (with cleanup). Returns whether
 * the native backend is in force (the reference one emulates bf16: nothing falls back there).
 */
export function onPortableIsa(): boolean {
  const native = getBackend() === 'native';
  const isaBefore = backendInfo().isa;
  beforeAll(() => { if (native) setIsa('portable'); });
  afterAll(() => { if (native) setIsa(isaBefore); setGlobalPolicy('float32'); cleanup(); });
  return native;
}

/** expectRefused, with no line of mixed_bfloat16's fallback before the usage error. */
export function expectRefusedAlone(r: RunResult, cmd: string, message: RegExp, out?: string): void {
  expectRefused(r, cmd, message, out);
  expect(r.err).not.toMatch(/mixed_bfloat16 needs/);
}

const made: string[] = [];

export function tempDir(prefix = 'rnnlab-cli-'): string {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(d);
  return d;
}

export function cleanup(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** The flags of the quickest `rnnlab train` run: a 4-unit GRU, one epoch over 6-word rows. */
export const TRAIN_FAST = ['--model', 'gru', '--units', '4', '--embedding-dim', '4', '--epochs', '1', '--maxlen', '6'];

/** A class-folder dataset (root/reviews) and a TRAIN_FAST `rnnlab train` run on it (root/train-run), in a new folder. */
export async function trainFolderRun(): Promise<{ root: string; data: string; trainRun: string }> {
  const root = tempDir();
  const data = writeClassFolders(path.join(root, 'reviews'));
  const trainRun = path.join(root, 'train-run');
  const t = await run(['train', '--data', data, ...TRAIN_FAST, '--out', trainRun]);
  expect(t.code, t.err).toBe(0);
  return { root, data, trainRun };
}

/** Two class folders (pos, neg) of eight short reviews each in dir: the smallest folder dataset train reads. */
export function writeClassFolders(dir: string): string {
  for (const [cls, words] of [['pos', 'great fine lovely'], ['neg', 'awful dull bad']] as const) {
    mkdirSync(path.join(dir, cls), { recursive: true });
    for (let i = 0; i < 8; i++) writeFileSync(path.join(dir, cls, `${i}.txt`), `${words} film ${i}`);
  }
  return dir;
}

/** Every file under dir with its bytes, to show nothing changed. */
export function snapshotFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out[path.relative(dir, path.join(e.parentPath, e.name))] = readFileSync(path.join(e.parentPath, e.name)).toString('base64');
  }
  return out;
}

export function readResults(dir: string): Record<string, any> {
  return JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8'));
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The three report files exist; the HTML is self-contained and the PNG is a PNG. */
export function checkReport(dir: string): { html: string; png: Buffer } {
  const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
  const png = readFileSync(path.join(dir, 'report.png'));
  if (!html.startsWith('<!DOCTYPE html>')) throw new Error('report.html does not start with a doctype');
  if (/<script|<link|\s(src|href)=/i.test(html)) throw new Error('report.html references something outside itself');
  if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('report.png is not a PNG');
  return { html, png };
}

let schemaCheck: ValidateFunction | undefined;

/** Problems of a results.json against the published schema (docs/results.schema.json), compiled here on its own. */
export function schemaProblems(r: unknown): string[] {
  if (!schemaCheck) {
    const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, 'docs/results.schema.json'), 'utf8'));
    schemaCheck = new Ajv({ allErrors: true, formats: { 'date-time': true } }).compile(schema);
  }
  return schemaCheck(r) ? [] : (schemaCheck.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** A completed CLI run's results.json: valid against the schema, for this command. */
export function checkCommonResults(r: Record<string, any>, command: string): void {
  const problems = schemaProblems(r);
  if (problems.length) throw new Error(`results.json does not match docs/results.schema.json: ${problems.join('; ')}`);
  if (r.command !== command) throw new Error(`results.json command is ${r.command}, expected ${command}`);
  if (r.status !== 'completed' || r.source !== 'cli' || r.pid !== null) throw new Error(`results.json says ${r.status} from ${r.source} (pid ${r.pid}), expected a completed CLI run`);
  const env = r.environment;
  if (!env.engine?.backend || typeof env.cpu !== 'string' || !String(env.node).startsWith('v')) throw new Error(`results.json environment is incomplete: ${JSON.stringify(env)}`);
}

/** For a test file: IMDb's parsed cache in a temporary folder (RNNLAB_CACHE restored after), temp dirs removed. */
export function isolatedCache(): void {
  envForFile(() => ({ RNNLAB_CACHE: tempDir('rnnlab-cache-') }));
  afterAll(cleanup);
}

/**
 * A small synthetic IMDb tarball (`reviews` a folder, 60 unless given) in a temp folder made for the test file, its
 * cache there and offline; the folder is removed after the file. `bigReviews` a folder: a second tarball there, bigTar
 * (for epochs long enough to be cut inside one). Read root, tar and bigTar inside tests or hooks (set in beforeAll).
 */
export function syntheticImdb(prefix: string, o: { reviews?: number; bigReviews?: number } = {}): { root: string; tar: string; bigTar: string } {
  const fx = { root: '', tar: '', bigTar: '' };
  beforeAll(() => {
    fx.root = tempDir(prefix);
    fx.tar = writeFixture(fx.root, 'imdb.tar.gz', makeTarGz(reviewEntries(o.reviews ?? 60)));
    if (o.bigReviews !== undefined) fx.bigTar = writeFixture(fx.root, 'imdb-big.tar.gz', makeTarGz(reviewEntries(o.bigReviews)));
  });
  envForFile(() => ({ RNNLAB_CACHE: path.join(fx.root, 'cache'), RNNLAB_OFFLINE: '1' }));
  afterAll(cleanup);
  return fx;
}

/** The smallest quick `rnnlab imdb` lstm run on a syntheticImdb tarball (add --data and --epochs). */
export const IMDB_TINY = ['imdb', '--model', 'lstm', '--vocab', '60', '--maxlen', '16', '--units', '4', '--embedding-dim', '4', '--batch-size', '8', '--seed', '7', '--verbose', '0', '--threads', '1'];

/**
 * The compiled CLI (bin/rnnlab.js) in a process of its own, sent SIGINT once its stdout matches interruptAt (as a
 * user's Ctrl-C at that line); `sent` says whether it was.
 */
export function spawnCli(args: string[], interruptAt?: RegExp): Promise<{ code: number | null; signal: string | null; out: string; err: string; sent: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '', sent = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (interruptAt && !sent && interruptAt.test(out)) { sent = true; child.kill('SIGINT'); }
    });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, out, err, sent }));
  });
}
