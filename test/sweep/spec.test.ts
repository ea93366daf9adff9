import { describe, expect, it } from 'vitest';
import { combinations, expandRuns, runArgv } from '../../src/sweep/expand.js';
import { parseSpec, SweepSpecError } from '../../src/sweep/spec.js';

const BASE = 'command: imdb\nflags: { limit: 2000, epochs: 2, maxlen: 200 }\n';

describe('sweep spec parsing', () => {
  it('reads the issue\'s YAML example and fills in defaults', () => {
    const s = parseSpec(`${BASE}grid: { model: [lstm, gru], units: [32, 100] }\nseeds: [1, 2, 3]\nmetric: test_accuracy\n`);
    expect(s.command).toBe('imdb');
    expect(s.flags).toEqual({ limit: 2000, epochs: 2, maxlen: 200 });
    expect(s.grid).toEqual({ model: ['lstm', 'gru'], units: [32, 100] });
    expect(s.seeds).toEqual([1, 2, 3]);
    expect(s).toMatchObject({ metric: 'test_accuracy', goal: 'max', attempts: 3, samples: null });
  });

  it('reads JSON too, with snake_case flag names turned into the CLI\'s kebab-case', () => {
    const s = parseSpec(JSON.stringify({ command: 'addition', flags: { training_size: 500, batchSize: 32 }, metric: 'val_loss' }));
    expect(s.flags).toEqual({ 'training-size': 500, 'batch-size': 32 });
    expect(s.goal).toBe('min');
    expect(s.seeds).toEqual([1]);
  });

  it.each([
    ['command: fly\n', /command must be one of imdb, addition/],
    [`${BASE}grdi: { units: [1] }\n`, /unknown key 'grdi'/],
    [`${BASE}grid: { units: 32 }\n`, /grid\.units must be a non-empty list/],
    [`${BASE}grid: { units: [] }\n`, /grid\.units must be a non-empty list/],
    [`${BASE}grid: {}\n`, /grid must name at least one flag to vary/],
    [`${BASE}grid: { units: [32, 32] }\n`, /grid\.units lists a value twice \(32 and 32\)/],
    [`${BASE}grid: { reverse: [true, 'true'] }\n`, /grid\.reverse lists a value twice \(true and "true"\)/],
    [`${BASE}grid: { epochs: [1, 2] }\n`, /grid\.epochs also appears in flags/],
    [`${BASE}grid: { units: [[1]] }\n`, /grid\.units\[0\] must be a string, a number or true\/false/],
    [`${BASE}seeds: [1, 1]\n`, /seeds lists a seed twice \(1\)/],
    [`${BASE}seeds: [1.5]\n`, /seeds\[0\] must be a whole number/],
    [`${BASE}seeds: []\n`, /seeds must be a non-empty list/],
    [`${BASE}samples: 3\n`, /samples draws from grid, but there is no grid/],
    [`${BASE}grid: { units: [1, 2] }\nsamples: 0\n`, /samples must be a positive whole number/],
    [`${BASE}goal: up\n`, /goal must be max or min/],
    // null is a value given, refused as samples: null is, never read as the key left out (the default).
    [`${BASE}metric: null\n`, /metric must be a metric name such as test_accuracy, got null$/],
    [`${BASE}goal: null\n`, /goal must be max or min, got null$/],
    [`${BASE}sample_seed: null\n`, /sample_seed picks the samples drawn from grid, but there is no samples$/],
    [`${BASE}grid: { units: [1, 2] }\nsamples: 1\nsample_seed: null\n`, /sample_seed must be a whole number from -9007199254740991 to 9007199254740991, got null$/],
    [`${BASE}grid: { units: [1, 2] }\nsamples: 1\nsampleSeed: null\n`, /sampleSeed must be a whole number from -9007199254740991 to 9007199254740991, got null$/],
    [`${BASE}attempts: -1\n`, /attempts must be a positive whole number/],
    ['command: imdb\nflags: { out: x }\n', /flags: 'out' is set by the sweep itself/],
    ['command: imdb\nflags: { seed: 3 }\n', /use the top-level seeds list/],
    ['command: imdb\nlist: [ { units: 3 }, 5 ]\n', /list\[1\] must be a mapping/],
    ['command: imdb\nflags: [1, 2]\n', /flags must be a mapping/],
    ['command: [imdb\n', /not valid YAML or JSON/],
    ['command: imdb\ncommand: addition\n', /not valid YAML or JSON/],
    ['- 1\n- 2\n', /the spec must be a mapping/],
  ])('refuses %j naming the key', (text, message) => {
    expect(() => parseSpec(text, 'my.yaml')).toThrow(SweepSpecError);
    expect(() => parseSpec(text, 'my.yaml')).toThrow(message);
    expect(() => parseSpec(text, 'my.yaml')).toThrow(/^my\.yaml: /);
  });
});

describe('sweep expansion', () => {
  it('crosses the grid with the seeds: 2 models × 2 units × 3 seeds = 12 runs with stable, distinct ids', () => {
    const s = parseSpec(`${BASE}grid: { model: [lstm, gru], units: [32, 100] }\nseeds: [1, 2, 3]\n`);
    const runs = expandRuns(s);
    expect(runs).toHaveLength(12);
    expect(new Set(runs.map((r) => r.id)).size).toBe(12);
    expect(runs[0]).toMatchObject({ id: 'model-lstm_units-32_seed-1', axes: { model: 'lstm', units: 32 }, seed: 1 });
    expect(runs[0].flags).toEqual({ limit: 2000, epochs: 2, maxlen: 200, model: 'lstm', units: 32 });
    expect(expandRuns(s).map((r) => r.id)).toEqual(runs.map((r) => r.id));
  });

  it('random search draws distinct combinations, reproducibly per sample_seed', () => {
    const text = `${BASE}grid: { model: [lstm, gru, simple_rnn], units: [8, 16, 32, 64] }\nsamples: 5\n`;
    const a = combinations(parseSpec(text));
    expect(a).toHaveLength(5);
    expect(new Set(a.map((c) => JSON.stringify(c))).size).toBe(5);
    expect(combinations(parseSpec(text))).toEqual(a);
    expect(combinations(parseSpec(`${text}sample_seed: 7\n`))).not.toEqual(a);
    expect(combinations(parseSpec(`${BASE}grid: { units: [1, 2] }\nsamples: 9\n`))).toHaveLength(2);
  });

  it('adds list entries after the grid and drops repeats', () => {
    const s = parseSpec(`command: imdb\ngrid: { model: [lstm] }\nlist: [ { model: lstm }, { model: cnn, units: 250 } ]\n`);
    expect(combinations(s)).toEqual([{ model: 'lstm' }, { model: 'cnn', units: 250 }]);
  });

  it('keeps runs whose values slug alike apart', () => {
    const runs = expandRuns(parseSpec('command: imdb\ngrid: { data: [a/b, a_b] }\n'));
    expect(runs).toHaveLength(2);
    expect(runs[0].id).not.toBe(runs[1].id);
  });

  it('turns a run into the command line the CLI takes', () => {
    const s = parseSpec('command: imdb\nflags: { mask_zero: true, validate: false, limit: 5 }\ngrid: { model: [lstm] }\nseeds: [4]\n');
    expect(runArgv(expandRuns(s)[0], 'out/x', 1)).toEqual(['imdb', '--mask-zero', '--no-validate', '--limit', '5', '--model', 'lstm', '--seed', '4', '--out', 'out/x', '--threads', '1', '--verbose', '2']);
  });
});

describe('sweep seeds and run folder names', () => {
  it('takes the seeds the commands\' --seed takes: negative ones too, but none beyond a safe integer', () => {
    expect(parseSpec(`${BASE}seeds: [-1, 0, ${Number.MAX_SAFE_INTEGER}]\n`).seeds).toEqual([-1, 0, Number.MAX_SAFE_INTEGER]);
    expect(() => parseSpec(`${BASE}seeds: [1, 100000000000000000000]\n`, 's.yaml')).toThrow(/^s\.yaml: seeds\[1\] must be a whole number from -9007199254740991 to 9007199254740991, got 100000000000000000000$/);
    expect(() => parseSpec(`${BASE}seeds: [2.5]\n`, 's.yaml')).toThrow(/s\.yaml: seeds\[0\] must be a whole number/);
  });

  it('refuses a setting whose run folder name would be longer than a file name may be, naming its entry', () => {
    const long = (c: string) => c.repeat(40);
    const flags = Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f'].map((k) => [`${k}-flag`, long(k)]));
    const ok = parseSpec(JSON.stringify({ command: 'imdb', list: [{ model: 'gru' }, Object.fromEntries(Object.entries(flags).slice(0, 4))] }), 's.json');
    expect(expandRuns(ok, 's.json').map((r) => Buffer.byteLength(r.id) <= 255)).toEqual([true, true]);
    const tooLong = parseSpec(JSON.stringify({ command: 'imdb', list: [{ model: 'gru' }, flags] }), 's.json');
    expect(() => expandRuns(tooLong, 's.json')).toThrow(SweepSpecError);
    expect(() => expandRuns(tooLong, 's.json')).toThrow(/^s\.json: list\[1\] gives a run whose folder name is 294 bytes \(a-flag-aaaa.*\.\.\.\); a file name may have at most 255/);
    const grid = parseSpec(JSON.stringify({ command: 'imdb', grid: Object.fromEntries(Object.entries(flags).map(([k, v]) => [k, [v]])) }), 's.json');
    expect(() => expandRuns(grid, 's.json')).toThrow(/^s\.json: grid gives a run whose folder name is 294 bytes/);
  });
});
