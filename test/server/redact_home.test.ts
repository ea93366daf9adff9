/**
 * A folder under the home folder (the IMDb cache, ~/.cache/rnnlab) is named ~/… in the dashboard's answers: it used
 * to be shortened to its last name, so the page said "put it in the cache folder rnnlab", which reads as ./rnnlab.
 * The home folder itself stays hidden.
 */
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pathRedactor, publicPath } from '../../src/server/redact.js';

describe('folders under the home folder', () => {
  const cache = join(homedir(), '.cache', 'rnnlab');
  beforeEach(() => {
    // Working elsewhere than the home folder, as a server started in a project folder does.
    vi.spyOn(process, 'cwd').mockReturnValue(join(tmpdir(), 'rnnlab-working-elsewhere'));
  });
  afterEach(() => vi.restoreAllMocks());

  it('are named from ~, with nothing of the home folder\'s own path', () => {
    expect(publicPath(cache)).toBe('~/.cache/rnnlab');
    const said = pathRedactor([cache])(`cache folder: no ${cache}/aclImdb_v1.tar.gz; put it in the cache folder ${cache}.`);
    expect(said).toBe('cache folder: no ~/.cache/rnnlab/aclImdb_v1.tar.gz; put it in the cache folder ~/.cache/rnnlab.');
  });

  it('keep their names relative to the working folder when inside it, and other folders their last name', () => {
    const work = join(tmpdir(), 'rnnlab-working-elsewhere');
    expect(publicPath(join(work, 'runs'))).toBe('runs');
    expect(publicPath(work)).toBe('.');
    expect(publicPath(join(tmpdir(), 'elsewhere', 'data'))).toBe('data');
  });

  it('a home folder that is the root (a daemon\'s) does not show every folder in full as ~/...', () => {
    const home = process.env.HOME;
    process.env.HOME = '/';
    try {
      expect(publicPath('/srv/data/secret-project/runs')).toBe('runs');
      expect(pathRedactor(['/srv/data/secret-project/runs'])('failed at /srv/data/secret-project/runs/x')).toBe('failed at runs/x');
    } finally {
      process.env.HOME = home;
    }
  });
});
