// Builds the native addon with the node-gyp that npm ships. A failed build is not fatal:
// rnnlab then runs on its TypeScript reference kernels and says so at startup.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
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
  if (process.env.RNNLAB_REQUIRE_NATIVE === '1') process.exit(1);
}
