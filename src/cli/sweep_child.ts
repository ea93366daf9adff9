/**
 * The process a sweep runs one training run in: the ordinary CLI, plus one rule — when the parent's pipe on
 * stdin closes (the pool or worker died, even by kill -9), this run stops too, so a retried run never races an
 * orphan writing the same folder.
 */
import { main } from './main.js';

process.stdin.on('end', () => process.exit(137));
process.stdin.on('error', () => process.exit(137));
process.stdin.resume();

/**
 * Exits once stdout and stderr have handed over everything written to them: process.exit right after the last
 * write can drop the run's last lines when the parent reads slowly (its worker.json then shows an early epoch).
 */
export function exitAfterFlush(code: number): void {
  let pending = 2;
  const done = () => { if (--pending === 0) process.exit(code); };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

main(process.argv.slice(2)).then(
  (code) => exitAfterFlush(code ?? 0),
  (err) => {
    process.stderr.write(`rnnlab: ${err instanceof Error ? err.message : String(err)}\n`);
    exitAfterFlush(1);
  },
);
