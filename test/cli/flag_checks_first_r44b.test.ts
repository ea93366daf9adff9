/**
 * A command's flag checks come before its default run folder is made: with a working folder where `runs` is a file
 * (no default folder can be made), a bad flag combination is still reported as itself, not as the folder's error.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, afterEach, expect, it } from 'vitest';
import { removeDir, tempDir } from '../io/helpers.js';
import { run } from './helpers.js';

const root = tempDir('rnnlab-flag-order-');
const savedCwd = process.cwd();
afterEach(() => process.chdir(savedCwd));
afterAll(() => removeDir(root));

it('experiment digitwise: --test-digits below --digits is the error, though runs/ cannot be made', async () => {
  process.chdir(root);
  writeFileSync('runs', 'not a folder');
  const { code, err } = await run(['experiment', 'digitwise', '--digits', '3', '--test-digits', '1']);
  expect(code).toBe(2);
  expect(err).toContain('--test-digits 1 is below --digits 3');
  expect(err).not.toContain('default run folder');
});
