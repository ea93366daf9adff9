/** `rnnlab version`: the package version (also `rnnlab --version`). */
import type { Command } from 'commander';
import { rnnlabVersion } from '../report/run.js';
import type { CliContext } from './context.js';

export function register(program: Command, ctx: CliContext): void {
  program.command('version').description('Print rnnlab\'s version.').action(() => {
    ctx.out.write(`${rnnlabVersion()}\n`);
    ctx.exitCode = 0;
  });
}
