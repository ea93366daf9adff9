/** native/build.mjs reads RNNLAB_REQUIRE_NATIVE with the library's on/off rule (a node-gyp that cannot run stands in for a failed build). */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function failedBuild(value: string | undefined) {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_node_gyp: path.join(ROOT, 'no-such-node-gyp.js') };
  delete env.RNNLAB_REQUIRE_NATIVE;
  if (value !== undefined) env.RNNLAB_REQUIRE_NATIVE = value;
  return spawnSync(process.execPath, [path.join(ROOT, 'native/build.mjs')], { env, encoding: 'utf8' });
}

describe('RNNLAB_REQUIRE_NATIVE when the addon does not build', () => {
  it.each([['1', 1], ['yes', 1], ['ON', 1], [undefined, 0], ['0', 0], ['off', 0]] as const)('%s: exit %i', (value, code) => {
    const r = failedBuild(value);
    expect(r.status).toBe(code);
    expect(r.stderr).toContain('the native addon did not build');
  });

  it('a value it cannot read is named and stops the install before any build', () => {
    const r = failedBuild('maybe');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('RNNLAB_REQUIRE_NATIVE="maybe" is not valid: RNNLAB_REQUIRE_NATIVE accepts 1, true, yes, on or 0, false, no, off');
    expect(r.stderr).not.toContain('the native addon did not build');
  });
});
