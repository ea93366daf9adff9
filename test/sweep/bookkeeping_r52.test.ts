/**
 * A local sweep's bookkeeping after each run costs the same whatever the sweep's size (the run's own folder is read,
 * not every run's), and a run that completes as the stop signal comes counts as completed: with nothing left, the
 * sweep finishes as usual; one killed by a signal is failed naming it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runSweepLocal, type SweepEvent } from '../../src/sweep/pool.js';
import { readSweepRecord } from '../../src/sweep/record.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { WORKER_FILE } from '../../src/sweep/worker_file.js';
import { cleanup, requireFreshDist, run, tempDir, TINY_ADDITION, until } from './helpers.js';

requireFreshDist();

/** How many times each run folder's results.json was read (by its folder). */
const reads = vi.hoisted(() => new Map<string, number>());
vi.mock('../../src/sweep/outcome.js', async (original) => {
  const m = await original<typeof import('../../src/sweep/outcome.js')>();
  return { ...m, readOutcome: (dir: string) => { reads.set(dir, (reads.get(dir) ?? 0) + 1); return m.readOutcome(dir); } };
});

/** When set, a run's child is this script instead of the CLI (same arguments). */
const fake = vi.hoisted(() => ({ script: null as string | null }));
vi.mock('node:child_process', async (original) => {
  const m = await original<typeof import('node:child_process')>();
  const spawn = ((cmd: string, args: string[], opts: object) => m.spawn(cmd, fake.script ? [fake.script, ...args.slice(1)] : args, opts)) as typeof m.spawn;
  return { ...m, spawn, default: { ...m, spawn } };
});

let root: string;
/** A real addition run's completed results.json. */
let results: string;
beforeAll(async () => {
  root = tempDir();
  const dir = path.join(root, 'template');
  expect((await runSweepLocal(parseSpec(TINY_ADDITION), { dir, parallel: 1, threads: 1 })).summary.completed).toBe(1);
  results = readFileSync(path.join(dir, 'runs', 'seed-1', 'results.json'), 'utf8');
});
afterAll(cleanup);

/**
 * A child that writes the completed results.json a run ends with, prints an epoch line, and then waits for the stop:
 * the run completed just as the stop signal came, and exits 130 as the CLI does on Ctrl-C.
 */
function finishingChild(): string {
  const template = path.join(root, 'results-template.json');
  writeFileSync(template, results);
  const script = path.join(root, 'finishing_child.cjs');
  writeFileSync(script, `const fs = require('fs'), path = require('path');
const out = process.argv[process.argv.indexOf('--out') + 1];
process.on('SIGINT', () => process.exit(130));
fs.writeFileSync(path.join(out, 'results.json'), fs.readFileSync(${JSON.stringify(template)}));
console.log('Epoch 1/1');
setInterval(() => {}, 1000);
`);
  return script;
}

describe("a local sweep's bookkeeping", () => {
  it("reads only the finished run's results.json after each run, not every run's, and records them all at the end", async () => {
    const n = 60;
    const spec = parseSpec(`${TINY_ADDITION}grid: { hidden: [${Array.from({ length: n }, (_, i) => i + 1).join(', ')}] }\n`);
    const dir = path.join(root, 'large');
    // Every run completed already (a resumed sweep): each is skipped, so the reads are the bookkeeping's alone.
    for (let i = 1; i <= n; i++) {
      mkdirSync(path.join(dir, 'runs', `hidden-${i}_seed-1`), { recursive: true });
      writeFileSync(path.join(dir, 'runs', `hidden-${i}_seed-1`, 'results.json'), results);
    }
    reads.clear();
    const o = await runSweepLocal(spec, { dir, parallel: 2, threads: 1 });
    expect(o.summary).toMatchObject({ completed: n, failed: 0, pending: 0 });
    const perRun = [...reads.entries()].filter(([d]) => d.includes(`${path.sep}large${path.sep}`)).map(([, c]) => c);
    expect(perRun).toHaveLength(n);
    // Once when the sweep opens, once each when its run ends (whether done, and its entry): never once per other run.
    expect(Math.max(...perRun)).toBeLessThanOrEqual(4);
    const rec = readSweepRecord(dir)!;
    expect(rec.finishedAt).not.toBeNull();
    expect(rec.runs.filter((r) => r.status === 'completed')).toHaveLength(n);
  });
});

/**
 * A child that writes the completed results.json and exits at once, except for the run whose folder name holds `blocks`:
 * that one prints an epoch line and runs until the stop (exit 130, as the CLI on Ctrl-C).
 */
function quickChild(blocks: string): string {
  const template = path.join(root, 'results-template.json');
  writeFileSync(template, results);
  const script = path.join(root, `quick_child_${blocks}.cjs`);
  writeFileSync(script, `const fs = require('fs'), path = require('path');
const out = process.argv[process.argv.indexOf('--out') + 1];
if (path.basename(out).includes(${JSON.stringify(blocks)})) {
  process.on('SIGINT', () => process.exit(130));
  console.log('Epoch 1/1');
  setInterval(() => {}, 1000);
} else fs.writeFileSync(path.join(out, 'results.json'), fs.readFileSync(${JSON.stringify(template)}));
`);
  return script;
}

describe('sweep.json while a long run goes on', () => {
  it("shows a run that ended soon after the last write without waiting for the next run's end", async () => {
    fake.script = quickChild('hidden-8');
    const stop = new AbortController();
    try {
      const dir = path.join(root, 'put-off');
      const events: string[] = [];
      const sweep = runSweepLocal(parseSpec(`${TINY_ADDITION}grid: { hidden: [4, 8] }\n`), {
        dir, parallel: 1, threads: 1, signal: stop.signal,
        onEvent: (e) => { if (e.type !== 'warning' && e.type !== 'epoch') events.push(`${e.type} ${e.run.id}`); },
      });
      // hidden-4 ends within moments of the first write, so its write is put off; hidden-8 then runs until stopped.
      await until('sweep.json shows hidden-4 completed', () => readSweepRecord(dir)?.runs[0].status === 'completed');
      expect(readSweepRecord(dir)!.runs.map((r) => [r.id, r.status])).toEqual([['hidden-4_seed-1', 'completed'], ['hidden-8_seed-1', 'pending']]);
      expect(events).toEqual(['start hidden-4_seed-1', 'done hidden-4_seed-1', 'start hidden-8_seed-1']);
      stop.abort();
      const o = await sweep;
      expect(o.summary).toMatchObject({ completed: 1, pending: 1 });
      expect(readSweepRecord(dir)!.finishedAt).toBeNull();
    } finally {
      stop.abort();
      fake.script = null;
    }
  });
});

describe('a run another worker completes during the sweep', () => {
  it('is recorded completed at the end, though refused here as busy while that worker held it', async () => {
    fake.script = quickChild('none');
    try {
      const dir = path.join(root, 'busy');
      const other = path.join(dir, 'runs', 'hidden-4_seed-1');
      mkdirSync(other, { recursive: true });
      const now = new Date().toISOString();
      const stamp = { worker: 'other:1', runId: 'hidden-4_seed-1', host: 'otherhost', pid: 1, state: 'running', startedAt: now, updatedAt: now, epoch: null, epochs: null, attempts: 0 };
      writeFileSync(path.join(other, WORKER_FILE), JSON.stringify(stamp));
      const events: string[] = [];
      const o = await runSweepLocal(parseSpec(`${TINY_ADDITION}grid: { hidden: [4, 8] }\n`), {
        dir, parallel: 1, threads: 1,
        onEvent: (e) => {
          if (e.type === 'done' || e.type === 'failed') events.push(`${e.type} ${e.run.id}`);
          if (e.type === 'done' && e.run.id === 'hidden-8_seed-1') {
            // The other worker finishes hidden-4 meanwhile.
            writeFileSync(path.join(other, 'results.json'), results);
            writeFileSync(path.join(other, WORKER_FILE), JSON.stringify({ ...stamp, state: 'completed', attempts: 1 }));
          }
        },
      });
      expect(events).toEqual(['failed hidden-4_seed-1', 'done hidden-8_seed-1']);
      expect(o.summary).toMatchObject({ completed: 2, failed: 0, pending: 0 });
      const rec = readSweepRecord(dir)!;
      expect(rec.runs.map((r) => [r.id, r.status, r.attempts])).toEqual([['hidden-4_seed-1', 'completed', 1], ['hidden-8_seed-1', 'completed', 1]]);
      expect(rec.finishedAt).not.toBeNull();
      expect(readFileSync(path.join(dir, 'report.html'), 'utf8')).toContain('2 runs completed, 0 failed, 0 pending');
    } finally {
      fake.script = null;
    }
  });
});

describe('a run that completes as the stop comes', () => {
  it('counts as completed (attempt 1), and a sweep with nothing left then finishes with its report', async () => {
    fake.script = finishingChild();
    try {
      const dir = path.join(root, 'pool-stop');
      const stop = new AbortController();
      const events: SweepEvent['type'][] = [];
      const o = await runSweepLocal(parseSpec(TINY_ADDITION), {
        dir, parallel: 1, threads: 1, signal: stop.signal,
        onEvent: (e) => { events.push(e.type); if (e.type === 'epoch') stop.abort(); },
      });
      // (A warning too: this child writes no report.png.)
      expect(events.filter((t) => t !== 'warning')).toEqual(['start', 'epoch', 'done']);
      expect(o.summary).toMatchObject({ completed: 1, pending: 0 });
      const rec = readSweepRecord(dir)!;
      expect(rec.runs[0]).toMatchObject({ status: 'completed', attempts: 1 });
      expect(rec.finishedAt).not.toBeNull();
      expect(existsSync(path.join(dir, 'report.html'))).toBe(true);
      expect(JSON.parse(readFileSync(path.join(dir, 'runs', 'seed-1', WORKER_FILE), 'utf8')).state).toBe('completed');
    } finally {
      fake.script = null;
    }
  });

  it('rnnlab sweep says how an addition run stops (no checkpoint), then reports and exits 0 when nothing is left', async () => {
    fake.script = finishingChild();
    try {
      const dir = path.join(root, 'cli-stop');
      const specFile = path.join(root, 'tiny.yaml');
      writeFileSync(specFile, TINY_ADDITION);
      const done = run(['sweep', specFile, '--out', dir, '--parallel', '1']);
      await until('the run wrote its results.json', () => existsSync(path.join(dir, 'runs', 'seed-1', 'results.json')));
      process.emit('SIGTERM');
      const r = await done;
      expect(r.out).toContain('Stopping: each run under way stops (an addition run keeps no checkpoint: it starts over when the sweep resumes).');
      expect(r.out).not.toContain('saves a checkpoint');
      expect(r.out).toContain(`Wrote ${path.join(dir, 'sweep.json')} and ${path.join(dir, 'report.html')}.`);
      expect(r.code).toBe(0);
    } finally {
      fake.script = null;
    }
  });
});

describe('a run killed by a signal', () => {
  it("is failed naming the signal (the out-of-memory killer's SIGKILL), not a bare \"exit by signal\"", async () => {
    const script = path.join(root, 'killed_child.cjs');
    writeFileSync(script, "process.kill(process.pid, 'SIGKILL');\n");
    fake.script = script;
    try {
      const errors: string[] = [];
      const o = await runSweepLocal(parseSpec(`${TINY_ADDITION}attempts: 1\n`), {
        dir: path.join(root, 'killed'), parallel: 1, threads: 1,
        onEvent: (e) => { if (e.type === 'failed') errors.push(e.error); },
      });
      expect(o.summary).toMatchObject({ failed: 1 });
      expect(errors).toEqual(['run seed-1 failed (exit by signal SIGKILL)']);
    } finally {
      fake.script = null;
    }
  });
});
