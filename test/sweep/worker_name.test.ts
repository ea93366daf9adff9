/** `rnnlab worker --name`: an empty or blank name (which would label log lines and sweep.json's runs with nothing) is refused. */
import { describe, expect, it } from 'vitest';
import { run } from './helpers.js';

describe('rnnlab worker --name', () => {
  it.each(['', '  '])('refuses %j with exit code 2 naming --name, before connecting', async (name) => {
    const r = await run(['worker', '--queue', 'redis://127.0.0.1:1', '--name', name]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^rnnlab worker: error: --name must not be empty \(leave it out for HOST:PID\)/);
    expect(r.out).toBe('');
  });
});
