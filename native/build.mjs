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

/** src/env.ts's on/off rule (dist is not built yet when this runs at install). */
function requireNative() {
  const v = (process.env.RNNLAB_REQUIRE_NATIVE ?? '').trim().toLowerCase();
  if (v === '' || ['0', 'false', 'no', 'off'].includes(v)) return false;
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  console.error(`rnnlab: RNNLAB_REQUIRE_NATIVE=${JSON.stringify(process.env.RNNLAB_REQUIRE_NATIVE)} is not valid: it accepts 1, true, yes, on or 0, false, no, off`);
  process.exit(1);
}
