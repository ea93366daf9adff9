/** Bad values on the command line: exit code 2 and a message naming the flag and what it accepts, before any work. */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

async function cli(argv: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const code = await main(argv, { out: { write: () => true }, err: { write: (s: string) => { err += s; return true; } } });
  return { code, err };
}

describe('bad command-line values', () => {
  const cases: [string[], RegExp][] = [
    [['--batch-size', '0'], /--batch-size must be a positive integer, got '0'/],
    [['--batch-size', '-8'], /--batch-size must be a positive integer, got '-8'/],
    [['--batch-size', 'lots'], /--batch-size expects a positive integer, got 'lots'/],
    [['--batch-size', '2.5'], /--batch-size expects a positive integer, got '2.5'/],
    [['--epochs', '0'], /--epochs must be a positive integer, got '0'/],
    [['--epochs', '-1'], /--epochs must be a positive integer, got '-1'/],
    [['--epochs', 'ten'], /--epochs expects a positive integer, got 'ten'/],
    [['--maxlen', '0'], /--maxlen must be an integer from 1 to 100000, got '0'/],
    [['--maxlen', ''], /--maxlen expects an integer from 1 to 100000, got ''/],
    [['--lr', '0'], /--lr must be a number > 0 that float32 holds \(about 3\.4e38 at most\), got '0'/],
    [['--vocab', '3'], /--vocab must be an integer from 4 to 100000, got '3'/],
    [['--resume', 'no/such/folder'], /--resume: no such file or folder: no\/such\/folder/],
  ];
  for (const [flags, message] of cases) {
    it(`rnnlab imdb --model lstm ${flags.join(' ')}`, async () => {
      const r = await cli(['imdb', '--model', 'lstm', ...flags]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).toMatch(/Run 'rnnlab imdb --help' for usage\./);
    });
  }
});
