/**
 * An unknown command (or experiment, or sub-command) with --help, -h or --version is the unknown-command usage error
 * it is without them (exit code 2), not the program's help or version with exit code 0: a script that checks
 * `rnnlab X --help` must not take X for a command.
 */
import { describe, expect, it } from 'vitest';
import { run } from './helpers.js';

describe('an unknown command with --help, -h or --version', () => {
  it.each([
    [['report', '--help'], ['report']],
    [['foo', '-h'], ['foo']],
    [['foo', '--version'], ['foo']],
    [['foo', '-v', '--epochs', '2'], ['foo', '--epochs', '2']],
    [['experiment', 'nosuch', '--help'], ['experiment', 'nosuch']],
    [['experiment', 'nosuch', '-h', '--limit', '5'], ['experiment', 'nosuch', '--limit', '5']],
    [['cache', 'bogus', '--help'], ['cache', 'bogus']],
  ])('%j exits 2 with the error of %j', async (argv, without) => {
    const plain = await run(without);
    expect(plain.code).toBe(2);
    expect(plain.err).toMatch(/: error: unknown (command|experiment) '(report|foo|nosuch|bogus)'/);
    const r = await run(argv);
    expect(r).toEqual(plain);
    expect(r.out).toBe('');
  });

  it('a known command\'s help and the version still exit 0', async () => {
    for (const argv of [['imdb', '--help'], ['experiment', 'digitwise', '-h'], ['cache', 'ls', '--help'], ['experiment', '--help'], ['--help'], ['--version'], ['help', 'imdb']]) {
      const r = await run(argv);
      expect([argv, r.code, r.err]).toEqual([argv, 0, '']);
      expect(r.out).not.toBe('');
    }
  });
});
