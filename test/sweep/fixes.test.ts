import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SweepStore } from '../../src/server/sweeps.js';
import { combinations, expandRuns } from '../../src/sweep/expand.js';
import { lineSplitter } from '../../src/line_splitter.js';
import { runSweepLocal, type SweepEvent } from '../../src/sweep/pool.js';
import { readSweepRecord } from '../../src/sweep/record.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { cleanup, tempDir, requireFreshDist, run } from './helpers.js';

// Its sweeps run real runs, forked from dist/.
requireFreshDist();

let root: string;
beforeAll(() => { root = tempDir(); });
afterAll(() => cleanup());

const ADD = 'command: addition\nflags: { digits: 1, training-size: 40, epochs: 2, hidden: 4, samples: 0, batch-size: 16 }\n';
function specFile(name: string, text: string): string {
  const f = path.join(root, name);
  writeFileSync(f, text);
  return f;
}
/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

describe('sweep spec checks against the command', () => {
  it('refuses a flag the command does not take, naming the file, the key and the nearest flag', async () => {
    const f = specFile('typo.yaml', `${ADD}grid: { rnnn: [lstm, gru] }\n`);
    const r = await run(['sweep', f, '--out', path.join(root, 'typo-out')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/typo\.yaml: grid: 'rnnn' is not a flag of rnnlab addition \(did you mean 'rnn'\?\)/);
    expect(existsSync(path.join(root, 'typo-out'))).toBe(false);
  });

  it('refuses commands a sweep cannot run', () => {
    expect(() => parseSpec('command: train\n', 's.yaml')).toThrow(/s\.yaml: command must be one of imdb, addition, got "train"/);
  });

  it('refuses two keys that name one flag, naming both', () => {
    expect(() => parseSpec(`command: addition\ngrid: { rnn: [lstm], RNN: [gru] }\n`, 's.yaml')).toThrow(/s\.yaml: grid: 'rnn' and 'RNN' both name the flag --rnn/);
    expect(() => parseSpec(`command: addition\nflags: { training-size: 40, training_size: 60 }\n`, 's.yaml')).toThrow(/'training-size' and 'training_size' both name the flag --training-size/);
  });

  it('refuses a metric the command does not report, naming the file and the nearest metric', () => {
    expect(() => parseSpec('command: addition\nmetric: per_char_acuracy\n', 's.yaml')).toThrow(/s\.yaml: metric 'per_char_acuracy' is not reported by rnnlab addition \(did you mean 'per_char_accuracy'\?\)/);
    expect(parseSpec('command: addition\nmetric: perCharAccuracy\n').metric).toBe('perCharAccuracy');
  });

  it('samples a huge grid without building it, and refuses a huge grid without samples', () => {
    const axes = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`a${i}`, Array.from({ length: 10 }, (_, k) => k)]));
    const t = Date.now();
    const spec = parseSpec(JSON.stringify({ command: 'imdb', grid: axes, samples: 5 }));
    const combos = combinations(spec);
    expect(combos).toHaveLength(5);
    expect(new Set(combos.map((c) => JSON.stringify(c))).size).toBe(5);
    expect(combinations(spec)).toEqual(combos);
    expect(Date.now() - t).toBeLessThan(2000);
    expect(() => parseSpec(JSON.stringify({ command: 'imdb', grid: axes }), 'huge.json')).toThrow(/huge\.json: grid has 1,000,000,000 combinations; a sweep runs at most 100,000 settings/);
  });

  it('a sample of a small grid is the same as before (indices into the full grid)', () => {
    const spec = parseSpec('command: imdb\ngrid: { model: [lstm, gru, cnn], units: [8, 16, 32] }\nsamples: 4\nsample_seed: 3\n');
    const all = combinations({ ...spec, samples: null });
    const picked = combinations(spec);
    expect(picked).toHaveLength(4);
    for (const c of picked) expect(all).toContainEqual(c);
  });
});

describe('sweep --out and the folder lock', () => {
  const f = () => specFile('one.yaml', `${ADD}seeds: [1]\n`);

  it('refuses --out that is a file or below a file, with exit 2 naming --out', async () => {
    const file = path.join(root, 'afile');
    writeFileSync(file, 'x');
    const a = await run(['sweep', f(), '--out', file]);
    expect(a).toMatchObject({ code: 2, err: expect.stringMatching(/--out: .*afile is a file, not a folder/) });
    expect(a.out).toBe('');
    expect(await run(['sweep', f(), '--out', path.join(file, 'x')])).toMatchObject({ code: 2, err: expect.stringMatching(/--out: cannot make the folder .*afile is a file/) });
  });

  it('refuses a folder holding a report or results that are not its own, changing nothing', async () => {
    const d = path.join(root, 'mine');
    mkdirSync(d);
    writeFileSync(path.join(d, 'report.html'), 'my own report');
    const r = await run(['sweep', f(), '--out', d]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--out: .*mine already holds 'report\.html'/);
    expect(readFileSync(path.join(d, 'report.html'), 'utf8')).toBe('my own report');
    expect(readdirSync(d)).toEqual(['report.html']);
  });

  it('refuses a second sweep into a folder a live sweep holds, naming --out and its pid; takes over a stale lock', async () => {
    const d = path.join(root, 'locked');
    mkdirSync(d);
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      writeFileSync(path.join(d, '.sweep.lock'), `${holder.pid}\n`);
      const r = await run(['sweep', f(), '--out', d]);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`--out: another sweep (pid ${holder.pid}) is running in ${d}`);
      expect(existsSync(path.join(d, 'runs'))).toBe(false);
    } finally {
      holder.kill('SIGKILL');
    }
    writeFileSync(path.join(d, '.sweep.lock'), `${deadPid()}\n`);
    const ok = await run(['sweep', f(), '--out', d, '--parallel', '1']);
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^done: seed-1/m);
    expect(existsSync(path.join(d, '.sweep.lock'))).toBe(false);
  }, 60_000);

  it('refuses flags that would have no effect: --threads with --queue, --queue-name without --queue', async () => {
    expect(await run(['sweep', f(), '--queue', 'redis://127.0.0.1:1', '--detach', '--threads', '7'])).toMatchObject({ code: 2, err: expect.stringMatching(/--threads sizes the local pool/) });
    expect(await run(['sweep', f(), '--queue-name', 'q'])).toMatchObject({ code: 2, err: expect.stringMatching(/--queue-name needs --queue/) });
  });

  it('refuses a --queue-name BullMQ cannot use (empty, or with a colon) before connecting or writing anything', async () => {
    const out = path.join(root, 'bad-queue-name');
    for (const [name, why] of [['', /--queue-name must not be empty/], ['a:b', /--queue-name must not contain ':'/]] as const) {
      expect(await run(['sweep', f(), '--out', out, '--queue', 'redis://127.0.0.1:1', '--queue-name', name, '--detach'])).toMatchObject({ code: 2, err: expect.stringMatching(why) });
      expect(await run(['worker', '--queue', 'redis://127.0.0.1:1', '--queue-name', name])).toMatchObject({ code: 2, err: expect.stringMatching(why) });
    }
    expect(existsSync(out)).toBe(false);
  });

  it('gives up on an unreachable Redis after a bounded wait, naming --queue', async () => {
    const saved = process.env.RNNLAB_QUEUE_CONNECT_MS;
    process.env.RNNLAB_QUEUE_CONNECT_MS = '700';
    try {
      const t = Date.now();
      const r = await run(['sweep', f(), '--out', path.join(root, 'unreach'), '--queue', 'redis://127.0.0.1:1', '--detach']);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/--queue: cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\) after 0\.7 s/);
      expect(Date.now() - t).toBeLessThan(5000);
      const w = await run(['worker', '--queue', 'redis://127.0.0.1:1']);
      expect(w).toMatchObject({ code: 1, err: expect.stringMatching(/--queue: cannot reach Redis/) });
    } finally {
      if (saved === undefined) delete process.env.RNNLAB_QUEUE_CONNECT_MS;
      else process.env.RNNLAB_QUEUE_CONNECT_MS = saved;
    }
  });
});

describe('sweep runs on the local pool', () => {
  it('never retries a run whose child exits with a usage error (exit 2)', async () => {
    const spec = parseSpec(`command: addition\nflags: { digits: 1, training-size: 5, epochs: 1, hidden: 4 }\nattempts: 3\n`);
    const dir = path.join(root, 'usage');
    const events: SweepEvent[] = [];
    const o = await runSweepLocal(spec, { dir, parallel: 1, threads: 1, onEvent: (e) => events.push(e) });
    expect(events.filter((e) => e.type === 'start')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'failed')).toMatchObject([{ retrying: false, error: expect.stringMatching(/exit 2/) }]);
    expect(o.entries[0]).toMatchObject({ status: 'failed', attempts: 1 });
  }, 60_000);

  it('records the final epoch, reports a run lacking the metric without aborting, resumes with another metric, and cleans stale temp files', async () => {
    const dir = path.join(root, 'full');
    const spec = parseSpec(`${ADD.replace('epochs: 2', 'epochs: 3')}grid: { rnn: [lstm, gru] }\nmetric: per_char_accuracy\n`);
    const first = await runSweepLocal(spec, { dir, parallel: 2, threads: 1 });
    expect(first.entries.map((e) => e.status)).toEqual(['completed', 'completed']);
    const runs = expandRuns(spec);
    for (const r of runs) {
      const stamp = JSON.parse(readFileSync(path.join(dir, 'runs', r.id, 'worker.json'), 'utf8'));
      expect(stamp).toMatchObject({ state: 'completed', epoch: 3, epochs: 3 });
    }
    // One run's results.json loses the metric; the other is left "running" by a dead worker with a temp file.
    const a = path.join(dir, 'runs', runs[0].id), b = path.join(dir, 'runs', runs[1].id);
    const res = JSON.parse(readFileSync(path.join(a, 'results.json'), 'utf8'));
    delete res.metrics.exactMatchAccuracy;
    writeFileSync(path.join(a, 'results.json'), JSON.stringify(res));
    const dead = deadPid();
    const tmp = `.rnnlab-tmp-worker.json-${dead}-0123abcd`;
    writeFileSync(path.join(b, tmp), '{');
    // Left by the dead worker two hours ago: a fresher one could be a live worker's (elsewhere) write in progress.
    utimesSync(path.join(b, tmp), new Date(Date.now() - 2 * 3600e3), new Date(Date.now() - 2 * 3600e3));
    const stamp = JSON.parse(readFileSync(path.join(b, 'worker.json'), 'utf8'));
    writeFileSync(path.join(b, 'worker.json'), JSON.stringify({ ...stamp, state: 'running', pid: dead }));

    const other = { ...spec, metric: 'exact_match_accuracy' };
    const events: SweepEvent[] = [];
    const second = await runSweepLocal(other, { dir, parallel: 1, threads: 1, onEvent: (e) => events.push(e) });
    const failed = events.filter((e) => e.type === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ retrying: false, error: expect.stringMatching(/reports no metric 'exact_match_accuracy'/) });
    expect(second.entries.map((e) => e.status)).toEqual(['failed', 'completed']);
    expect(readSweepRecord(dir)?.finishedAt).not.toBeNull();
    expect(existsSync(path.join(b, tmp))).toBe(false);
    expect(JSON.parse(readFileSync(path.join(b, 'worker.json'), 'utf8')).state).toBe('completed');
  }, 120_000);
});

describe('a malformed sweep.json', () => {
  it('is named with its field by the CLI and listed as invalid by the dashboard', async () => {
    const runs = path.join(root, 'dash');
    const good = readSweepRecordText();
    for (const [name, patch] of [['s1', { summary: {} }], ['s2', { runs: [{ id: 'x' }, 5, null] }]] as const) {
      mkdirSync(path.join(runs, name), { recursive: true });
      writeFileSync(path.join(runs, name, 'sweep.json'), JSON.stringify({ ...good, ...patch }));
    }
    const list = await new SweepStore(runs).list();
    expect(list.map((s) => [s.id, s.error])).toEqual(expect.arrayContaining([
      ['s1', 's1/sweep.json: summary.rows is not a list'],
      ['s2', 's2/sweep.json: runs[0].status is not pending, completed or failed'],
    ]));
    const r = await run(['sweep', specFile('m.yaml', ADD), '--out', path.join(runs, 's1')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/s1\/sweep\.json: summary\.rows is not a list/);
  });
});

function readSweepRecordText(): Record<string, unknown> {
  return {
    schemaVersion: 1, kind: 'sweep', spec: parseSpec(ADD), createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', finishedAt: null,
    runs: [], summary: null,
  };
}

describe('reading a run\'s output', () => {
  it('joins lines split across chunks', () => {
    const lines: string[] = [];
    const s = lineSplitter((l) => lines.push(l));
    s.push('Epoch 1499/1500\nEpoch 15');
    s.push('00/1500\r\n');
    s.push('Accuracy: 9');
    s.flush();
    expect(lines).toEqual(['Epoch 1499/1500', 'Epoch 1500/1500', 'Accuracy: 9']);
  });
});
