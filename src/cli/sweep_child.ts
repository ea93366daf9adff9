/**
 * The process a sweep runs one training run in: the ordinary CLI, plus one rule — when the parent's pipe on
 * stdin closes (the pool or worker died, even by kill -9), this run stops too, so a retried run never races an
 * orphan writing the same folder.
 */
import { main } from './main.js';

process.stdin.on('end', () => process.exit(137));
process.stdin.on('error', () => process.exit(137));
process.stdin.resume();

main(process.argv.slice(2)).then(
  (code) => process.exit(code ?? 0),
  (err) => {
    process.stderr.write(`rnnlab: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
