#!/usr/bin/env node
// node bench/sweep.mjs --data aclImdb_v1.tar.gz [--runs 8] [--workers 1,2,4] [--spec-flags '{"limit":2000,...}']
// Measures sweep throughput on this machine: the local pool as 1 run × all cores and as N runs × 1 thread,
// then through Redis (Debian's redis-server on a free loopback port) with 1, 2 and 4 worker processes. Prints
// runs per hour, the queue's overhead per job against the local pool, and Redis commands per job. Every run must
// complete (a failed one ends the script, exit 1, naming it); the temporary folder goes on every exit.
// --help lists the flags (bench/specs.mjs).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { validateSpec } from '../dist/sweep/spec.js';
import { IMDB_FLAGS } from '../dist/cli/imdb.js';
import { checkSpecValues } from '../dist/cli/sweep.js';
import { imdbPathProblem } from '../dist/data/imdb_source.js';
import { runSweepLocal } from '../dist/sweep/pool.js';
import { enqueueSweep, waitForSweep } from '../dist/sweep/queue.js';
import { dataFileOrExit, parseOrExit } from './flags.mjs';
import { SWEEP } from './specs.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const o = parseOrExit(SWEEP, process.argv.slice(2));
const data = dataFileOrExit(SWEEP, o.data, imdbPathProblem);
const nRuns = o.runs, workerCounts = o.workers;
const refuse = (m) => { console.error(`bench/sweep.mjs: ${m}`); process.exit(2); };
// Everything that could stop the run is checked here, before the warm-up and the local cases take minutes.
if ('data' in o.specFlags) refuse('--spec-flags: give the data with --data, not inside --spec-flags');
const flags = { data, limit: 2000, epochs: 1, maxlen: 200, model: 'lstm', units: 32, ...o.specFlags };
const cores = availableParallelism();
const doc = { command: 'imdb', flags, metric: 'test_accuracy', attempts: 1 };
let spec;
try {
  // Checked against `rnnlab imdb`'s flags, as `rnnlab sweep` does: a misspelt one fails here, not in every run.
  spec = validateSpec({ ...doc, seeds: Array.from({ length: nRuns }, (_, i) => i + 1) }, 'sweep spec', { imdb: Object.keys(IMDB_FLAGS) });
  // And each value as `rnnlab imdb` reads it, as `rnnlab sweep` checks a spec file's: {"epochs":0} fails here, not in every run.
  checkSpecValues(spec, 'sweep spec');
} catch (e) {
  refuse(`--spec-flags: ${e.message}`);
}
const redisCheck = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
if (redisCheck.error || redisCheck.status !== 0) refuse('the Redis cases need redis-server on the PATH (apt-get install -y redis-server)');
const root = mkdtempSync(path.join(tmpdir(), 'rnnlab-bench-sweep-'));
process.env.RNNLAB_CACHE ??= path.join(root, 'cache');
const rows = [];
// What this script started, stopped on every way out (the end, a failure, Ctrl-C, SIGTERM) before its folder, with
// the IMDb cache, is removed: redis-server and the workers, and the local pool's runs through `stop`.
const stop = new AbortController();
const children = new Set();
let inFlight = Promise.resolve();
const track = (child) => { children.add(child); child.once('exit', () => children.delete(child)); return child; };
const exited = (child) => new Promise((resolve) => { if (child.exitCode !== null || child.signalCode !== null) resolve(); else child.once('exit', resolve); });
let cleaning = null, stoppedBy = null;
const cleanUp = () => (cleaning ??= cleanUpOnce());
async function cleanUpOnce() {
  stop.abort();
  for (const c of children) c.kill('SIGTERM');
  // Runs and workers write into the folder until they have stopped; a bounded wait, so a stuck child cannot hold us.
  const waits = Promise.all([inFlight.catch(() => {}), ...[...children].map(exited)]);
  await Promise.race([waits, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
  for (const c of children) c.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
}
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  process.once(signal, () => {
    stoppedBy = code;
    console.error(`bench/sweep.mjs: stopped by ${signal}; nothing reported`);
    cleanUp().finally(() => process.exit(code));
  });
}

/** The outcome's runs, all completed, or an error naming the first that is not: a failed run's time is no throughput. */
function allCompleted(label, outcome) {
  const bad = outcome.entries.find((e) => e.status !== 'completed');
  if (bad) {
    const others = outcome.entries.filter((e) => e.status !== 'completed').length - 1;
    // A failed run's error names it already ("run seed-1 failed (exit 1): ...").
    const what = bad.error?.startsWith(`run ${bad.id} `) ? bad.error : `run ${bad.id} ${bad.status}${bad.error ? `: ${bad.error}` : ''}`;
    throw new Error(`${label}: ${what}${others ? ` (and ${others} other run(s) not completed)` : ''}; nothing timed`);
  }
}

async function timed(label, fn) {
  const t = process.hrtime.bigint();
  const outcome = await (inFlight = fn());
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  allCompleted(label, outcome);
  const row = { case: label, runs: nRuns, seconds: +s.toFixed(2), runsPerHour: Math.round((nRuns / s) * 3600) };
  rows.push(row);
  console.log(JSON.stringify(row));
  return s;
}

async function startRedis() {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = track(spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', root], { stdio: ['ignore', 'pipe', 'inherit'] }));
  await new Promise((resolve, reject) => {
    let log = '';
    child.stdout.on('data', (c) => { log += c; if (log.includes('Ready to accept')) resolve(); });
    child.once('exit', (c) => reject(new Error(`redis-server exited ${c}`)));
  });
  return { url: `redis://127.0.0.1:${port}`, child };
}

function commandsProcessed(url) {
  const r = new Redis(url);
  return r.info('stats').then((s) => { r.disconnect(); return Number(/total_commands_processed:(\d+)/.exec(s)[1]); });
}

try {
  const local = (dir, parallel, threads, runSpec = spec) => runSweepLocal(runSpec, { dir: path.join(root, dir), parallel, threads, signal: stop.signal });
  // A warm-up run fills the IMDb cache so every case below starts from the same state.
  allCompleted('warm-up', await (inFlight = local('warm', 1, cores, validateSpec({ ...doc, seeds: [0] }))));

  const local1 = await timed(`local: 1 run at a time x ${cores} threads`, () => local('local-1', 1, cores));
  await timed(`local: ${cores} runs at a time x 1 thread`, () => local('local-n', cores, 1));

  const redis = await startRedis();
  for (const n of workerCounts) {
    const threads = Math.max(1, Math.floor(cores / n));
    const dir = path.join(root, `queue-${n}`);
    const before = await commandsProcessed(redis.url);
    const workers = Array.from({ length: n }, (_, i) => track(spawn(process.execPath, [path.resolve(here, '../bin/rnnlab.js'), 'worker', '--queue', redis.url, '--queue-name', `bench-${n}`, '--threads', String(threads), '--name', `w${i}`], { stdio: 'ignore' })));
    const s = await timed(`redis: ${n} worker process(es) x ${threads} thread(s)`, async () => {
      await enqueueSweep(spec, dir, { url: redis.url, name: `bench-${n}` });
      return waitForSweep(spec, dir, { url: redis.url, name: `bench-${n}`, pollMs: 250 });
    });
    const after = await commandsProcessed(redis.url);
    rows.at(-1).redisCommandsPerJob = Math.round((after - before) / nRuns);
    if (n === 1 && threads === cores) rows.at(-1).overheadPerJobSeconds = +((s - local1) / nRuns).toFixed(3);
    console.log(JSON.stringify(rows.at(-1)));
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map(exited));
  }
} catch (e) {
  // Runs stopped by the signal end as not completed: the signal's exit, not a failure, is what happened.
  if (stoppedBy !== null) await cleanUp().finally(() => process.exit(stoppedBy));
  throw e;
} finally {
  await cleanUp();
}
console.log('\n| case | runs | seconds | runs/hour | Redis commands/job |\n|---|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.case} | ${r.runs} | ${r.seconds} | ${r.runsPerHour} | ${r.redisCommandsPerJob ?? ''} |`);
process.exit(0);
