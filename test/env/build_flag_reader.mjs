// Runs native/build.mjs once per value of RNNLAB_REQUIRE_NATIVE, all in this one process, and prints what each run
// did as JSON: its exit status, its stderr and the build it started (null: none). Used by flag_spellings.test.ts,
// which checked each value in a process of its own before (about 50 processes).
//
// The build is never run: spawnSync answers as a node-gyp that failed, and records what it was asked to run.
// process.exit ends the run of that value only (it throws, which rejects the import), so every value gets its turn.
// Usage: node build_flag_reader.mjs BUILD_MJS VALUES_JSON (null in VALUES_JSON: the variable unset)
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import { pathToFileURL } from 'node:url';

const [buildFile, valuesJson] = process.argv.slice(2);
const values = JSON.parse(valuesJson);

let spawned = null;
let stderr = '';
childProcess.spawnSync = (command, args) => {
  spawned = [command, ...args];
  return { status: 1, signal: null, stdout: null, stderr: null };
};
// build.mjs imports spawnSync by name: the named export must follow the patched property.
syncBuiltinESMExports();
const writeOut = process.stdout.write.bind(process.stdout);
const writeErr = process.stderr.write.bind(process.stderr);
process.stderr.write = (chunk) => { stderr += String(chunk); return true; };
class Exit { constructor(code) { this.code = code; } }
process.exit = (code) => { throw new Exit(code ?? process.exitCode ?? 0); };

const results = [];
for (const [i, value] of values.entries()) {
  spawned = null;
  stderr = '';
  if (value === null) delete process.env.RNNLAB_REQUIRE_NATIVE;
  else process.env.RNNLAB_REQUIRE_NATIVE = value;
  let status = 0;
  try {
    // A new query makes a new module instance, so build.mjs runs again from its first line.
    await import(`${pathToFileURL(buildFile).href}?value=${i}`);
  } catch (e) {
    if (!(e instanceof Exit)) {
      // stderr is captured: say it on the real one, and fail the whole run.
      writeErr(`build_flag_reader: value ${JSON.stringify(value)}: ${e?.stack ?? e}\n`);
      process.exitCode = 1;
      break;
    }
    status = e.code;
  }
  results.push({ status, stderr, spawned });
}
writeOut(`${JSON.stringify(results)}\n`);
