/**
 * A command's flag checks come before its default run folder is made: with a working folder where `runs` is a file
 * (no default folder can be made), a bad flag combination is still reported as itself, not as the folder's error.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, afterEach, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { removeDir, tempDir } from '../io/helpers.js';

const root = tempDir('rnnlab-flag-order-');
const savedCwd = process.cwd();
afterEach(() => process.chdir(savedCwd));
afterAll(() => removeDir(root));

it('experiment digitwise: --test-digits below --digits is the error, though runs/ cannot be made', async () => {
  process.chdir(root);
  writeFileSync('runs', 'not a folder');
  let err = '';
  const code = await main(['experiment', 'digitwise', '--digits', '3', '--test-digits', '1'], { out: { write: () => true }, err: { write: (s: string) => { err += s; return true; } } });
  expect(code).toBe(2);
  expect(err).toContain('--test-digits 1 is below --digits 3');
  expect(err).not.toContain('default run folder');
});
