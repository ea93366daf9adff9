/** The machine and engine a run ran on, and rnnlab's version: recorded in every results.json. */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { backendInfo } from '../backend/index.js';

export interface Environment {
  engine: ReturnType<typeof backendInfo>;
  cpu: string;
  cpuCount: number;
  node: string;
  platform: string;
  arch: string;
  rnnlab: string;
  hostMemoryGiB: number;
}

let version: string | undefined;

/** rnnlab's version, from package.json (same relative path from src/report and dist/report). */
export function rnnlabVersion(): string {
  if (version === undefined) {
    try {
      const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../package.json');
      version = (JSON.parse(readFileSync(pkg, 'utf8')) as { version?: string }).version ?? '0.0.0';
    } catch {
      version = '0.0.0';
    }
  }
  return version;
}

export function environment(): Environment {
  const cpus = os.cpus();
  return {
    engine: backendInfo(),
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cpuCount: cpus.length,
    node: process.version,
    platform: os.platform(),
    arch: os.arch(),
    rnnlab: rnnlabVersion(),
    hostMemoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
  };
}
