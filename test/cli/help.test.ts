import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { REPO_ROOT, run } from './helpers.js';

describe('rnnlab help', () => {
  it('`help experiment NAME` shows that experiment\'s own help, like `experiment NAME --help`', async () => {
    const viaHelp = await run(['help', 'experiment', 'digitwise']);
    const viaFlag = await run(['experiment', 'digitwise', '--help']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.out).toContain('Usage: rnnlab experiment digitwise');
    expect(viaHelp.out).toBe(viaFlag.out);
  });

  it('`help imdb` is `imdb --help`', async () => {
    expect((await run(['help', 'imdb'])).out).toBe((await run(['imdb', '--help'])).out);
  });

  it('the command list gives every command a capitalised sentence with a full stop', () => {
    const silent = { write: () => true };
    const program = buildProgram({ out: silent, err: silent });
    const listed = new Map(program.createHelp().visibleCommands(program).map((c) => [c.name(), c.summary() || c.description()]));
    for (const name of listed.keys()) expect(listed.get(name), name).toMatch(/^[A-Z].*\.$/);
  });

  it('worker and sweep say --queue takes rediss:// (TLS) too, as it does', async () => {
    for (const cmd of ['worker', 'sweep']) expect((await run([cmd, '--help'])).out, cmd).toMatch(/--queue <URL>[^\n]*(\n {20,}[^\n]*)*rediss:\/\//);
    const { redisUrlProblem } = await import('../../src/sweep/queue.js');
    expect(redisUrlProblem('rediss://127.0.0.1:6380')).toBeNull();
  });

  it('a bad RNNLAB_* variable met while the modules load prints one line naming it, no stack trace', () => {
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/rnnlab.js'), 'version'], {
      encoding: 'utf8', env: { ...process.env, RNNLAB_THREADS: 'abc' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^rnnlab: RNNLAB_THREADS="abc" is not valid/)]);
  });
});
