#!/usr/bin/env node
// Dynamic, as main.js below: without a built dist/ this is one line and exit 1, not a stack.
const { commandEnded, commandListeners, dispatchPendingSignals, installEarlyStop } = await import('../dist/cli/early_stop.js').catch((err) => {
  console.error(`rnnlab: ${err && err.message ? err.message : String(err)}`);
  process.exit(1);
});

// Loading the modules takes a second or two, and each command installs its own stop-signal handlers only once it
// runs (some, such as predict, never). A stop signal no such handler takes exits 130 with a line saying what it cut
// (src/cli/early_stop.ts, which holds one listener throughout and notes the first output, so that no signal is dropped,
// meets Node's silent default, or claims nothing was written after the command printed).
installEarlyStop();

// `rnnlab ... | head` closes the pipe early. A command that only prints (predict, tokenize, evaluate, ...) has given
// what was read and stops quietly. One that trains or writes a run must not end as a success with its run cut short:
// it is stopped as Ctrl-C stops it (a checkpoint kept, files written whole; its own handlers do that) and exits 141
// (128 + SIGPIPE, as a Unix tool killed by the closed pipe), saying so on stderr while stderr is open.
const RUN_COMMANDS = new Set(['imdb', 'compare', 'addition', 'train', 'seq2seq', 'experiment', 'sweep', 'worker', 'serve']);
const args = process.argv.slice(2);
const runs = RUN_COMMANDS.has(args[0]) && !args.includes('--help') && !args.includes('-h');
const closed = new Set();
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (!err || err.code !== 'EPIPE') throw err;
    if (!runs) process.exit(process.exitCode ?? 0);
    const first = closed.size === 0;
    closed.add(stream);
    if (!first) return;
    const which = stream === process.stdout ? 'stdout' : 'stderr';
    if (!closed.has(process.stderr)) process.stderr.write(`rnnlab ${args[0]}: ${which} was closed (e.g. by | head); stopping the run as Ctrl-C does (exit code 141)\n`);
    process.on('exit', () => { process.exitCode = 141; });
    if (commandListeners('SIGINT') > 0) process.emit('SIGINT', 'SIGINT');
    else process.exit(141);
  });
}

// Imported here, not statically: a bad RNNLAB_* variable is checked as the modules load, and must print one line.
// A signal that came while they loaded is answered before the command runs; one that came while a command that never
// waits ran, before the exit code is set.
import('../dist/cli/main.js').then(async ({ main }) => { await dispatchPendingSignals(); return main(process.argv.slice(2)); }).then(
  async (code) => {
    commandEnded();
    await dispatchPendingSignals();
    process.exitCode = code ?? 0;
  },
  (err) => {
    console.error(`rnnlab: ${err && err.message ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
