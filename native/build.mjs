// Builds the native addon with the node-gyp that npm ships. A failed build is not fatal:
// rnnlab then runs on its TypeScript reference kernels and says so at startup.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// Read first: a value it cannot read stops the install before any build, whether or not the build would succeed.
const nativeRequired = requireNative();
let gyp = process.env.npm_config_node_gyp;
if (!gyp) {
  try { gyp = require.resolve('node-gyp/bin/node-gyp.js'); } catch { gyp = undefined; }
}
const args = gyp ? [gyp, 'rebuild'] : null;
const r = args
  ? spawnSync(process.execPath, args, { stdio: 'inherit' })
  : spawnSync('node-gyp', ['rebuild'], { stdio: 'inherit', shell: true });
if (r.status !== 0) {
  console.warn('rnnlab: the native addon did not build; rnnlab will run on the slower TypeScript reference kernels.');
  if (nativeRequired) process.exit(1);
}

/**
 * src/env.ts's envFlag written out again, since dist is not built yet when this runs at install: the same spellings
 * and the same message. test/env/flag_spellings.test.ts checks that the two agree.
 */
function requireNative() {
  const name = 'RNNLAB_REQUIRE_NATIVE';
  const on = ['1', 'true', 'yes', 'on'], off = ['0', 'false', 'no', 'off'];
  const v = (process.env[name] ?? '').trim();
  if (v === '' || off.includes(v.toLowerCase())) return false;
  if (on.includes(v.toLowerCase())) return true;
  console.error(`rnnlab: ${name}=${JSON.stringify(v)} is not valid: ${name} accepts ${on.join(', ')} or ${off.join(', ')} (\`npm install\` fails when the native addon does not build)`);
  process.exit(1);
}
