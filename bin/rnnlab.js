#!/usr/bin/env node

// Loading the modules takes a second or two, and each command installs its own stop-signal handlers only once they
// are loaded; without one, a SIGTERM then would end the process silently with 143. Nothing is written before the
// command runs, so a stop signal until then exits 130 saying so. Removed before the command runs: from there on a
// signal meets the command's own handlers (or none) exactly as before. SIGHUP goes last, so a test that sees its
// handler (in /proc/PID/status) knows all three are in place.
const EARLY_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const stoppedEarly = () => {
  process.stderr.write('rnnlab: stopped before anything was written\n');
  process.exit(130);
};
for (const sig of EARLY_SIGNALS) process.on(sig, stoppedEarly);
const handOverSignals = () => { for (const sig of EARLY_SIGNALS) process.off(sig, stoppedEarly); };

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
    if (process.listenerCount('SIGINT') > 0) process.emit('SIGINT', 'SIGINT');
    else process.exit(141);
  });
}

// Imported here, not statically: a bad RNNLAB_* variable is checked as the modules load, and must print one line.
import('../dist/cli/main.js').then(({ main }) => { handOverSignals(); return main(process.argv.slice(2)); }).then(
  (code) => { process.exitCode = code ?? 0; },
  (err) => {
    console.error(`rnnlab: ${err && err.message ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
