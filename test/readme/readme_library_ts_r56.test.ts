/**
 * README's "The library" ```ts block typechecks as a strict TypeScript user's file against the public types
 * ('rnnlab' resolved to src/index.ts), with the tensors it says come from elsewhere declared.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/imdb.js';
import { strictDiagnostics } from '../helpers/strict_ts.js';

const SECTION = '## The library';

/** The first ```ts block of the section, and the declarations of the tensors its comment leaves to the reader. */
function libraryExample(readme: string): string {
  const at = readme.indexOf(SECTION);
  expect(at, `README.md's "${SECTION}" section`).toBeGreaterThan(0);
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(at));
  expect(block, `a \`\`\`ts block under "${SECTION}"`).not.toBeNull();
  return `${block![1]}\ndeclare const xTrain: rl.Tensor, yTrain: rl.Tensor, xTest: rl.Tensor, yTest: rl.Tensor;\nexport {};\n`;
}

describe("README's library example", () => {
  it('typechecks as strict TypeScript (evaluate\'s Scalar | Scalar[] result destructured with a cast, as tfjs users write)', () => {
    const code = libraryExample(readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8'));
    expect(code).toMatch(/^import \* as rl from 'rnnlab';$/m);
    expect(strictDiagnostics(code, 'test/readme/__readme_library.mts')).toEqual([]);
  }, 120_000);
});
