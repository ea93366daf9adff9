/**
 * Spec values and messages: a list entry that repeats a grid point spelled otherwise is refused naming both, a value
 * that starts with '-' reaches its run as a value, .nan/.inf are named as numbers, and a syntax error shows its line.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandRuns, runArgv } from '../../src/sweep/expand.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { cleanup, run, sweepSpec, tempDir, TINY_ADDITION } from './helpers.js';

let root: string;
beforeAll(() => { root = tempDir(); });
afterAll(() => cleanup());

const ADD = TINY_ADDITION;
const sweep = (name: string, text: string) => sweepSpec(root, name, text);

describe('a list entry the command reads as a grid point', () => {
  it('written otherwise ("0.010" for 0.01) is refused, naming the entry and the grid values', async () => {
    const s = sweep('mix', `${ADD}grid: { lr: [0.01] }\nlist: [ { lr: "0.010" } ]\n`);
    const r = await s.result;
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${s.spec}: list[0] {"lr":"0.010"} and the grid's point at grid.lr[0] (0.01) are the same setting as the command reads them`);
    expect(existsSync(s.out)).toBe(false);
    const two = await sweep('mix2', `${ADD}grid: { rnn: [lstm, gru], lr: [0.1, 0.01] }\nlist: [ { hidden: 4 }, { lr: "1e-2", rnn: gru } ]\n`).result;
    expect(two.code).toBe(2);
    expect(two.err).toContain('list[1] {"lr":"1e-2","rnn":"gru"} and the grid\'s point at grid.lr[1] (0.01), grid.rnn[1] ("gru") are the same setting');
  });

  it('is not refused when it differs from every grid point, or is written as the grid does', async () => {
    // An imdb spec whose runs lack --model is refused by the check that follows this one: reaching it shows this one passed.
    const grid = 'command: imdb\nflags: { epochs: 1 }\ngrid: { units: [4], lr: [0.01] }\n';
    const apart = await sweep('apart', `${grid}list: [ { units: 5, lr: "0.010" }, { units: 4, lr: "0.010", model: lstm } ]\n`).result;
    expect(apart.code).toBe(2);
    expect(apart.err).toContain('rnnlab imdb needs --model (list[0] has none)');
    const alike = await sweep('alike', `${grid}list: [ { lr: 0.01, units: "4" } ]\n`).result;
    expect(alike.err).toContain('rnnlab imdb needs --model (list[0] has none)');
  });
});

describe('a value that starts with -', () => {
  it('reaches the run joined to its flag, so the run reads it as the value', async () => {
    const spec = parseSpec('command: imdb\nflags: { model: lstm, epochs: 1 }\ngrid: { data: ["--help", "-x.tar.gz"], units: [-3] }\n');
    const argvs = expandRuns(spec).map((r) => runArgv(r, path.join(root, r.id), 1));
    expect(argvs[0].slice(0, 5)).toEqual(['imdb', '--model', 'lstm', '--epochs', '1']);
    expect(argvs.map((a) => a.filter((x) => x.startsWith('--data') || x.startsWith('--units')))).toEqual([['--data=--help', '--units=-3'], ['--data=-x.tar.gz', '--units=-3']]);
    const r = await run(argvs[0]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--data: no such file or folder: --help');
  });
});

describe('spec messages', () => {
  it('name .nan and .inf as numbers that are not finite', () => {
    expect(() => parseSpec('command: addition\nflags: { lr: .nan }\n', 's.yaml')).toThrow('s.yaml: flags.lr must be a finite number, got NaN');
    expect(() => parseSpec('command: addition\ngrid: { lr: [0.1, -.inf] }\n', 's.yaml')).toThrow('s.yaml: grid.lr[1] must be a finite number, got -Infinity');
    expect(() => parseSpec('command: addition\nlist: [ { lr: .inf } ]\n', 's.yaml')).toThrow('s.yaml: list[0].lr must be a finite number, got Infinity');
    expect(() => parseSpec('command: addition\ngrid: { lr: [[1]] }\n', 's.yaml')).toThrow('grid.lr[0] must be a string, a number or true/false');
  });

  it('show a YAML/JSON syntax error whole, with the line it points at', () => {
    let message = '';
    try { parseSpec('{"command":"addition",\n  "grid": {"lr": [1]\n', 's.json'); } catch (e) { message = (e as Error).message; }
    expect(message).toMatch(/^s\.json: not valid YAML or JSON: .* at line \d+, column \d+:\n/);
    expect(message).toContain('"grid": {"lr": [1]');
    expect(message).toMatch(/\^$/);
  });
});
