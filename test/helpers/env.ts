/** Environment variables for one test file. */
import { afterAll, beforeAll } from 'vitest';

/**
 * Sets the variables values() gives (undefined: unset) before the file's tests, and restores what they were after.
 * values runs in beforeAll, so it can use folders an earlier beforeAll made.
 */
export function envForFile(values: () => Record<string, string | undefined>): void {
  const saved: Record<string, string | undefined> = {};
  const put = (k: string, v: string | undefined) => { if (v === undefined) delete process.env[k]; else process.env[k] = v; };
  beforeAll(() => {
    for (const [k, v] of Object.entries(values())) {
      saved[k] = process.env[k];
      put(k, v);
    }
  });
  afterAll(() => { for (const [k, v] of Object.entries(saved)) put(k, v); });
}
