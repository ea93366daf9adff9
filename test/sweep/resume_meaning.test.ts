/**
 * Resuming compares specs by the runs they make (each run's folder and command line), not by their text: a value
 * written as "8" for 8, or a samples count past the grid, changes no run and resumes; a real change is refused,
 * naming it. samples above the grid's size is said, when the sweep starts, in the printed summary, sweep.json and report.html.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { specNotes } from '../../src/sweep/expand.js';
import { runSweepLocal } from '../../src/sweep/pool.js';
import { specMismatch, type SweepRecord } from '../../src/sweep/record.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { cleanup, requireFreshDist, tempDir } from './helpers.js';

requireFreshDist();
afterAll(cleanup);

const recordOf = (text: string) => ({ schemaVersion: 1, kind: 'sweep', spec: parseSpec(text), createdAt: 'x', updatedAt: 'x', finishedAt: null, runs: [], summary: null }) as SweepRecord;
const base = 'command: addition\nflags: { digits: 1, training-size: 40, epochs: 1, samples: 0 }\n';

async function sweep(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(['sweep', ...args], { out: { write: (s: string) => (out += s) }, err: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

describe('resuming a sweep with a spec written otherwise', () => {
  it('resumes when no run\'s folder or command line changes', () => {
    const dir = tempDir();
    const old = recordOf('command: addition\nflags: { digits: 1, training-size: 40, epochs: 1, hidden: 8 }\ngrid: { rnn: [lstm, gru], layers: [1, 2] }\nsamples: 3\nsample_seed: 4\n');
    const same = (text: string) => specMismatch(dir, parseSpec(text), old);
    expect(same('command: addition\nflags: { digits: "1", training_size: 40, hidden: "8", epochs: 1 }\ngrid: { rnn: [lstm, gru], layers: ["1", 2] }\nsamples: 3\nsample_seed: 4\n')).toBeNull();
    // Over the whole grid, any samples count past its size runs the same 4 settings.
    const whole = recordOf(`${base}grid: { hidden: [4, 5], rnn: [lstm, gru] }\nsamples: 5\n`);
    expect(specMismatch(dir, parseSpec(`${base}grid: { hidden: [4, 5], rnn: [lstm, gru] }\nsamples: 9\nsample_seed: 7\n`), whole)).toBeNull();
    expect(specMismatch(dir, parseSpec(`${base}grid: { hidden: [4, 5], rnn: [lstm, gru] }\n`), whole)).toBeNull();
  });

  it('refuses a change that makes other runs, naming it with both values as written', () => {
    const dir = tempDir();
    const old = recordOf(`${base}grid: { hidden: [4, 5], rnn: [lstm, gru] }\n`);
    const why = (text: string) => specMismatch(dir, parseSpec(text), old);
    const file = path.join(dir, 'sweep.json');
    // "04" is read as 4 by the command, but names another folder (hidden-04_...): other runs.
    expect(why(`${base}grid: { hidden: ["04", 5], rnn: [lstm, gru] }\n`)).toBe(
      `${file} holds a sweep with another spec (grid.hidden is ["04",5] here, [4,5] in the folder's sweep); use another --out, or the same spec to resume it`);
    expect(why(`${base.replace('epochs: 1', 'epochs: "2"')}grid: { hidden: ["4", 5], rnn: [lstm, gru] }\n`)).toBe(
      `${file} holds a sweep with another spec (flags.epochs is "2" here, 1 in the folder's sweep); use another --out, or the same spec to resume it`);
    expect(why(`${base}grid: { rnn: [lstm, gru], hidden: [4, 5] }\n`)).toBe(
      `${file} holds a sweep with another spec (grid's axes are in the order rnn, hidden here, hidden, rnn in the folder's sweep); use another --out, or the same spec to resume it`);
    expect(why(`${base}grid: { hidden: [4, 5], rnn: [lstm, gru] }\nsamples: 2\n`)).toContain("(samples is 2 here, null in the folder's sweep)");
  });

  it('rnnlab sweep resumes a finished sweep whose spec now says hidden: "4" and training_size, running nothing again', async () => {
    const root = tempDir();
    const dir = path.join(root, 'sweep');
    const first = path.join(root, 'first.yaml'), alias = path.join(root, 'alias.yaml');
    writeFileSync(first, 'command: addition\nflags: { digits: 1, training-size: 40, epochs: 1, hidden: 4, samples: 0 }\n');
    writeFileSync(alias, 'command: addition\nflags: { digits: 1, training_size: 40, epochs: 1, hidden: "4", samples: 0 }\n');
    expect((await sweep([first, '--out', dir, '--parallel', '1', '--threads', '1'])).code).toBe(0);
    const r = await sweep([alias, '--out', dir, '--parallel', '1', '--threads', '1']);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain('already done: seed-1');
  }, 60_000);
});

describe('samples above the grid\'s size', () => {
  it('is said, not silently narrowed: every setting runs once, and the note is printed and recorded', async () => {
    expect(specNotes(parseSpec(`${base}grid: { rnn: [lstm, gru] }\nsamples: 2\n`))).toEqual([]);
    const note = '(samples: 5 asked; the grid holds 2 setting(s), so all 2 are run and sample_seed picks none)';
    expect(specNotes(parseSpec(`${base}grid: { rnn: [lstm, gru] }\nsamples: 5\n`))).toEqual([note]);
    const root = tempDir();
    const dir = path.join(root, 'sweep');
    const file = path.join(root, 'spec.yaml');
    writeFileSync(file, `${base}grid: { rnn: [lstm, gru] }\nsamples: 5\nsample_seed: 3\n`);
    const r = await sweep([file, '--out', dir, '--parallel', '2', '--threads', '1']);
    expect(r.code).toBe(0);
    // Said when the sweep starts (right under its first line) and again before the ranked table.
    expect(r.out).toMatch(new RegExp(`Sweep of 2 run\\(s\\)[^\\n]*\\n${note.replace(/[()]/g, '\\$&')}\\n`));
    expect(r.out).toContain(`\n\n${note}\n`);
    const rec = JSON.parse(readFileSync(path.join(dir, 'sweep.json'), 'utf8')) as SweepRecord;
    expect(rec.runs.map((x) => x.id)).toEqual(['rnn-lstm_seed-1', 'rnn-gru_seed-1']);
    expect(rec.summary?.notes).toEqual([note]);
    expect(readFileSync(path.join(dir, 'report.html'), 'utf8')).toContain('samples: 5 asked; the grid holds 2 setting(s)');
    // Without the note's cause there is no note, in sweep.json either.
    const plain = await runSweepLocal(parseSpec(`${base}grid: { rnn: [lstm] }\n`), { dir: path.join(root, 'plain'), parallel: 1, threads: 1 });
    expect(plain.record.summary).not.toHaveProperty('notes');
  }, 60_000);
});
