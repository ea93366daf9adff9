/**
 * What every run leaves behind in its output folder: results.json (config, history, metrics, timing,
 * engine and machine), report.html (self-contained) and report.png (the curves).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { backendInfo } from '../backend/index.js';
import { allCharts, renderHtml, type ReportDoc } from './html.js';
import { svgToPng } from './png.js';
import { chartGridSvg } from './svg.js';

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

/** runs/<timestamp>-<name>, the timestamp in local time and safe in file names. */
export function defaultOutDir(name: string, now = new Date(), base = 'runs'): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  return path.join(base, `${stamp}-${name.replace(/[^A-Za-z0-9_.-]+/g, '_')}`);
}

/** JSON with typed arrays as arrays and non-finite numbers as null (JSON has no NaN). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
    if (typeof v === 'number' && !Number.isFinite(v)) return null;
    return v;
  }, 2);
}

export interface RunFiles { dir: string; results: string; html: string; png: string | null; pngError?: string }

/** Writes results.json, report.html and report.png into dir (created as needed). */
export function writeRun(dir: string, results: Record<string, unknown>, doc: ReportDoc): RunFiles {
  mkdirSync(dir, { recursive: true });
  const files: RunFiles = { dir, results: path.join(dir, 'results.json'), html: path.join(dir, 'report.html'), png: path.join(dir, 'report.png') };
  writeFileSync(files.results, toJson(results) + '\n');
  const env = results.environment as Environment | undefined;
  const full: ReportDoc = {
    ...doc,
    config: doc.config ?? (results.config as Record<string, unknown> | undefined),
    environment: doc.environment ?? (env ? {
      engine: `${env.engine.backend} (${env.engine.isa}, ${env.engine.threads} thread${env.engine.threads === 1 ? '' : 's'})`,
      cpu: `${env.cpu} x ${env.cpuCount}`, node: env.node, platform: `${env.platform}-${env.arch}`, rnnlab: env.rnnlab,
      started: results.startedAt, finished: results.finishedAt,
    } : undefined),
  };
  writeFileSync(files.html, renderHtml(full));
  try {
    writeFileSync(files.png!, svgToPng(chartGridSvg(allCharts(full))));
  } catch (e) {
    files.png = null;
    files.pngError = (e as Error).message;
  }
  return files;
}
