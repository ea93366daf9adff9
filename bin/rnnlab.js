#!/usr/bin/env node

// `rnnlab ... | head` closes the pipe early: stop quietly instead of crashing on EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err && err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

// Imported here, not statically: a bad RNNLAB_* variable is checked as the modules load, and must print one line.
import('../dist/cli/main.js').then(({ main }) => main(process.argv.slice(2))).then(
  (code) => { process.exitCode = code ?? 0; },
  (err) => {
    console.error(`rnnlab: ${err && err.message ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
