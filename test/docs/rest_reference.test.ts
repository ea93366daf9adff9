/**
 * docs/CLI.md's REST table has one row per route server.ts serves, and no row for a route it does not: a route added
 * without its row (or a row left for a route removed) fails here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/imdb.js';

const read = (rel: string) => readFileSync(path.join(REPO_ROOT, rel), 'utf8');

it('every route of the server has its row in the REST table, and every row a route', () => {
  const routes = [...read('src/server/server.ts').matchAll(/\br\.(get|post|delete)\(\s*'([^']+)'/g)].map((m) => `${m[1].toUpperCase()} ${m[2]}`);
  const section = read('docs/CLI.md').split('### The REST API')[1]?.split('\n## ')[0] ?? '';
  const rows = [...section.matchAll(/^\| `(GET|POST|DELETE)` \| `([^`]+)` \|/gm)].map((m) => `${m[1]} ${m[2]}`);
  expect(routes.length).toBeGreaterThan(20);
  expect(new Set(rows).size, 'a route with two rows').toBe(rows.length);
  expect([...rows].sort()).toEqual([...routes].sort());
});
