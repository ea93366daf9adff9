/** The README's "Using rnnlab from your own project" example, run exactly as written, in a project that installed rnnlab by path. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, syntheticImdbTarball } from '../helpers/imdb.js';

const SECTION = '## Using rnnlab from your own project';

/** The first ```js block of the README section, as text. */
function readmeExample(readme: string): string {
  const at = readme.indexOf(SECTION);
  if (at < 0) throw new Error(`README.md has no "${SECTION}" section`);
  const block = /```js\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!block) throw new Error(`README.md's "${SECTION}" section has no js code block`);
  return block[1];
}

const built = existsSync(join(REPO_ROOT, 'dist/index.js'));
const project = mkdtempSync(join(tmpdir(), 'rnnlab-readme-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe("README's example", () => {
  it('is a complete ES module that imports rnnlab and loads the data through its public API', () => {
    const code = readmeExample(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'));
    expect(code).toMatch(/^import \* as rl from 'rnnlab';$/m);
    for (const api of ['rl.datasets.imdb.load(', 'rl.preprocessing.padSequences(', 'model.fit(xTrain, yTrain']) expect(code).toContain(api);
  });

  // The package's entry point is the compiled dist/, which `npm ci` (prepare) and `npm run build` write.
  it.skipIf(!built)('runs as written on the synthetic IMDb tarball and prints a test accuracy (needs dist/: npm run build)', () => {
    mkdirSync(join(project, 'node_modules'));
    // What `npm install /path/to/rnnlab` does: a link to the checkout.
    symlinkSync(REPO_ROOT, join(project, 'node_modules', 'rnnlab'), 'dir');
    writeFileSync(join(project, 'package.json'), '{ "name": "my-project", "private": true }\n');
    writeFileSync(join(project, 'sentiment.mjs'), readmeExample(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')));
    const env = { ...process.env, RNNLAB_DATA: syntheticImdbTarball(), RNNLAB_CACHE: join(project, 'cache'), RNNLAB_OFFLINE: '1' };
    const r = spawnSync(process.execPath, ['sentiment.mjs'], { cwd: project, env, encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    const m = /^test loss (\d+\.\d{4}), test accuracy (\d+\.\d\d)%$/.exec(r.stdout.trim());
    expect(m, r.stdout).not.toBeNull();
    // The synthetic reviews say "great" or "awful" often enough for two epochs to learn them.
    expect(Number(m![2])).toBeGreaterThan(60);
  });
});
