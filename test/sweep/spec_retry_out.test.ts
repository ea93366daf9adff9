/**
 * rnnlab sweep: a spec file that cannot be used is a usage error (exit 2) naming the file and the field; a run that
 * fails for a reason that goes away is tried again and recorded as completed after its second attempt; --out refuses
 * links where the sweep would write.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSweepLocal, type SweepEvent } from '../../src/sweep/pool.js';
import { readSweepRecord } from '../../src/sweep/record.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { envForFile } from '../helpers/env.js';
import { cleanup, learnableTarball, tempDir, requireFreshDist, run } from './helpers.js';

// Its sweeps run real runs, forked from dist/.
requireFreshDist();

let root: string;
beforeAll(() => { root = tempDir(); });
envForFile(() => ({ RNNLAB_CACHE: path.join(root, 'cache'), RNNLAB_OFFLINE: '1' }));
afterAll(cleanup);

function file(name: string, text: string): string {
  const f = path.join(root, name);
  writeFileSync(f, text);
  return f;
}

const ADD = 'command: addition\nflags: { digits: 1, training-size: 40, epochs: 1, hidden: 4, samples: 0 }\n';

describe('a sweep spec that cannot be used', () => {
  const cases: [string, string, string, RegExp][] = [
    ['not YAML', 'syntax.yaml', 'command: [imdb\n', /syntax\.yaml: not valid YAML or JSON/],
    ['an unknown key', 'key.yaml', `${ADD}seed: [1]\n`, /key\.yaml: unknown key 'seed'/],
    ['a bad field value', 'field.yaml', `${ADD}attempts: 0\n`, /field\.yaml: attempts must be a positive whole number, got 0/],
    ['a flag the command lacks', 'flag.yaml', `${ADD}grid: { unitz: [1, 2] }\n`, /flag\.yaml: grid: 'unitz' is not a flag of rnnlab addition/],
    ['a metric the command does not report', 'metric.yaml', `${ADD}metric: test_accuracy\n`, /metric\.yaml: metric 'test_accuracy' is not reported by rnnlab addition/],
    ['a switch given a word', 'switch.yaml', `${ADD}grid: { reverse: [true, maybe] }\n`, /switch\.yaml: grid\.reverse\[1\]: --reverse is a switch; give true or false, got "maybe"/],
    ['a value flag given true', 'valued.yaml', 'command: addition\nflags: { digits: true }\n', /valued\.yaml: flags\.digits: --digits takes a value, got true/],
    ['a value out of range', 'range.yaml', 'command: addition\nflags: { digits: 0 }\n', /range\.yaml: flags\.digits: --digits must be/],
    ['a choice not offered', 'choice.yaml', `${ADD}grid: { rnn: [lstm, foo] }\n`, /choice\.yaml: grid\.rnn\[1\]: --rnn must be one of lstm, gru, simple_rnn, got 'foo'/],
    ['a bad value in a list entry', 'list.yaml', `${ADD}list: [ { rnn: gru }, { rnn: gru, layers: -1 } ]\n`, /list\.yaml: list\[1\]\.layers: --layers must be/],
  ];
  for (const [what, name, text, message] of cases) {
    it(`exits 2 on ${what}, naming the file and the field, and writes nothing`, async () => {
      const out = path.join(root, `out-${name}`);
      const r = await run(['sweep', file(name, text), '--out', out]);
      expect(r.code, r.err).toBe(2);
      expect(r.err).toMatch(new RegExp(`^rnnlab sweep: error: .*${message.source}`));
      expect(r.err).toContain("Run 'rnnlab sweep --help' for usage.");
      expect(r.out).toBe('');
      expect(existsSync(out)).toBe(false);
    });
  }

  it('exits 2 on a spec path that is missing or a folder, naming it', async () => {
    expect(await run(['sweep', path.join(root, 'missing.yaml')])).toMatchObject({ code: 2, err: expect.stringMatching(/missing\.yaml: cannot read the sweep spec: no such file/) });
    const folder = path.join(root, 'spec-folder');
    mkdirSync(folder);
    expect(await run(['sweep', folder])).toMatchObject({ code: 2, err: expect.stringMatching(/spec-folder is a folder, not a sweep spec file/) });
  });
});

describe('a run that fails, then succeeds when tried again', () => {
  it('is retried after a data error and recorded as completed after two attempts', async () => {
    const good = readFileSync(learnableTarball(root, 20));
    // The data file is still being copied when the first attempt reads it: a truncated gzip stream, a data error (exit 1).
    const data = file('arriving.tar.gz', '');
    writeFileSync(data, good.subarray(0, Math.floor(good.length / 2)));
    const spec = parseSpec(`command: imdb
flags: { data: ${JSON.stringify(data)}, limit: 20, epochs: 1, maxlen: 8, vocab: 500, embedding_dim: 4, units: 4, model: lstm }
attempts: 3
`);
    const dir = path.join(root, 'retry');
    const events: SweepEvent[] = [];
    const o = await runSweepLocal(spec, {
      dir, parallel: 1, threads: 1,
      onEvent: (e) => {
        events.push(e);
        // The copy completes before the next attempt.
        if (e.type === 'failed' && e.retrying) writeFileSync(data, good);
      },
    });
    expect(events.filter((e) => e.type !== 'epoch').map((e) => (e.type === 'start' ? `start ${e.attempt}` : e.type))).toEqual(['start 1', 'failed', 'start 2', 'done']);
    const failed = events.find((e) => e.type === 'failed')!;
    expect(failed).toMatchObject({ retrying: true, error: expect.stringMatching(/run seed-1 failed \(exit 1\): rnnlab imdb: data error: /) });
    expect(o.summary).toMatchObject({ completed: 1, failed: 0, pending: 0 });
    expect(o.entries[0]).toMatchObject({ status: 'completed', attempts: 2 });
    const rec = readSweepRecord(dir)!;
    expect(rec.runs[0]).toMatchObject({ id: 'seed-1', status: 'completed', attempts: 2 });
    expect(rec.runs[0].value).toBeGreaterThanOrEqual(0);
    const runDir = path.join(dir, 'runs', 'seed-1');
    expect(JSON.parse(readFileSync(path.join(runDir, 'results.json'), 'utf8'))).toMatchObject({ command: 'imdb', status: 'completed' });
    expect(JSON.parse(readFileSync(path.join(runDir, 'worker.json'), 'utf8')).state).toBe('completed');
  }, 120_000);
});

describe('sweep --out and links', () => {
  const spec = () => file('links.yaml', `${ADD}seeds: [1]\n`);

  it('refuses a report.html that is a link, in a new folder and in a sweep folder, leaving its target alone', async () => {
    const victim = file('victim.html', 'not a report');
    const plain = path.join(root, 'with-link');
    mkdirSync(plain);
    symlinkSync(victim, path.join(plain, 'report.html'));
    const a = await run(['sweep', spec(), '--out', plain]);
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/--out: .*with-link already holds 'report\.html' \(a link to .*victim\.html\), which the sweep would write over/);
    // A dangling link is refused too: the sweep would create its target.
    const dangling = path.join(root, 'dangling');
    mkdirSync(dangling);
    symlinkSync(path.join(root, 'nowhere.html'), path.join(dangling, 'report.png'));
    expect(await run(['sweep', spec(), '--out', dangling])).toMatchObject({ code: 2, err: expect.stringMatching(/already holds 'report\.png'/) });
    expect(existsSync(path.join(root, 'nowhere.html'))).toBe(false);

    const sweep = path.join(root, 'sweep-folder');
    const first = await run(['sweep', spec(), '--out', sweep, '--parallel', '1']);
    expect(first.code, first.err).toBe(0);
    // The sweep's own report is replaced on a resume; a link put in its place is not written through.
    expect((await run(['sweep', spec(), '--out', sweep, '--parallel', '1'])).code).toBe(0);
    const html = path.join(sweep, 'report.html');
    unlinkSync(html);
    symlinkSync(victim, html);
    const r = await run(['sweep', spec(), '--out', sweep]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/already holds 'report\.html'/);
    expect(readFileSync(victim, 'utf8')).toBe('not a report');
  }, 60_000);

  it('refuses a sweep.json or runs that is not a plain file / folder', async () => {
    const d = path.join(root, 'odd');
    mkdirSync(d);
    mkdirSync(path.join(d, 'sweep.json'));
    writeFileSync(path.join(d, 'runs'), 'a file');
    const r = await run(['sweep', spec(), '--out', d]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/already holds 'sweep\.json', 'runs'/);
    expect(readdirSync(d).sort()).toEqual(['runs', 'sweep.json']);
  });
});

describe('sample_seed', () => {
  it('is refused without samples (it would change nothing) and when spelt twice; with samples it is kept', () => {
    const grid = 'command: imdb\ngrid: { model: [lstm, gru, cnn], units: [8, 16, 32] }\n';
    expect(() => parseSpec(`${grid}sample_seed: 3\n`, 's.yaml')).toThrow(/s\.yaml: sample_seed picks the samples drawn from grid, but there is no samples/);
    expect(() => parseSpec(`${grid}samples: 2\nsample_seed: 3\nsampleSeed: 4\n`, 's.yaml')).toThrow(/s\.yaml: 'sample_seed' and 'sampleSeed' are one key/);
    expect(parseSpec(`${grid}samples: 2\nsampleSeed: 4\n`).sampleSeed).toBe(4);
  });
});
