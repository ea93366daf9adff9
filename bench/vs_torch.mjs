// bench/run.mjs --vs-torch: the PyTorch reference (torch_reference.py, from the course's reference material, not in
// this repository) run with Debian's /usr/bin/python3 (or RNNLAB_TORCH_PYTHON), and the ratios to rnnlab's figures. Everything it needs is
// checked before rnnlab's timings start, so a missing piece costs seconds, not the whole run; a ratio is printed
// only from two measured, positive figures.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './flags.mjs';

export const PYTHON = '/usr/bin/python3';
const SETUP = 'apt-get install -y python3-torch libopenblas0-pthread';
const PYTHON_VAR = 'RNNLAB_TORCH_PYTHON';

/**
 * The interpreter --vs-torch runs: RNNLAB_TORCH_PYTHON (src/env.ts registers it; read here directly, since the
 * bench's flag tests load this file without a build), a path or a command name on PATH, else PYTHON. A value that
 * names no executable file is a UsageError naming the variable, before anything is timed.
 */
export function torchPython(env = process.env) {
  const v = (env[PYTHON_VAR] ?? '').trim();
  if (v === '') return PYTHON; // `VAR=` in a shell means "not set", as for every RNNLAB_* variable
  const bad = (why) => new UsageError(`bench/run.mjs: ${PYTHON_VAR}=${JSON.stringify(v)} is not valid: ${why} (${PYTHON_VAR} names the Python interpreter with torch that --vs-torch runs; default ${PYTHON})`);
  const candidates = v.includes('/') ? [path.resolve(v)] : (env.PATH ?? '').split(path.delimiter).filter(Boolean).map((d) => path.join(d, v));
  const found = candidates.find((f) => existsSync(f));
  if (!found) throw bad(v.includes('/') ? 'there is no file at that path' : 'no such command on PATH');
  if (statSync(found).isDirectory()) throw bad(`${found} is a folder, not an interpreter`);
  try { accessSync(found, constants.X_OK); } catch { throw bad(`${found} is not executable`); }
  return found;
}

/** Where run.mjs looks without --torch-script: the course's reference folder beside the checkout. */
export const DEFAULT_TORCH_SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared/reference/torch_reference.py');

/** Refuses (UsageError, exit 2) when the script, the interpreter or torch is missing; returns torch's version. */
export function checkTorch({ script, python = PYTHON, given = false }) {
  if (!existsSync(script)) {
    throw new UsageError(`bench/run.mjs: --vs-torch needs the PyTorch reference script, and there is none at ${script}`
      + (given ? ' (--torch-script)' : ' (pass --torch-script PATH)'));
  }
  if (!existsSync(python)) throw new UsageError(`bench/run.mjs: --vs-torch runs ${python}, which is not installed (${SETUP})`);
  const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    const why = r.error?.message ?? (r.stderr.trim().split('\n').pop() || `\`import torch\` exited with ${r.status ?? r.signal}`);
    throw new UsageError(`bench/run.mjs: --vs-torch needs torch for ${python}: ${why} (${SETUP})`);
  }
  return r.stdout.trim();
}

/** Runs the reference on the names; returns its JSON lines, each checked to be one the names asked for. */
export function runTorch({ script, python = PYTHON, steps, budget, names }) {
  const r = spawnSync(python, [script, '--steps', String(steps), '--budget', String(budget), ...names], { encoding: 'utf8' });
  if (r.error) throw new Error(`bench/run.mjs: could not start ${python}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`bench/run.mjs: the PyTorch reference ${script} failed (exit ${r.status}):\n${r.stderr}`);
  const lines = r.stdout.trim().split('\n').filter((l) => l.trim() !== '');
  const out = lines.map((l) => {
    try { return JSON.parse(l); } catch { throw new Error(`bench/run.mjs: the PyTorch reference printed a line that is not JSON: ${l}`); }
  });
  const missing = names.filter((n) => !out.some((t) => t.model === n));
  if (missing.length) throw new Error(`bench/run.mjs: the PyTorch reference gave no figures for ${missing.join(', ')}`);
  return out;
}

const measured = (v) => typeof v === 'number' && Number.isFinite(v) && v > 0;

/**
 * The ratio lines: per model rnnlab's fit and trainOnBatch ms over torch's step ms (targets[model]: the most the
 * fit ratio may be), per GEMM shape rnnlab's GFLOP/s over torch's (gemmTarget: the least). Throws, naming the case,
 * when either side lacks a measured figure, instead of printing a NaN or a ratio to zero.
 */
export function ratioLines({ ours, gemm, theirs, targets, gemmTarget }) {
  const rows = [];
  const need = (v, what) => {
    if (!measured(v)) throw new Error(`bench/run.mjs: no ratio for ${what}: the figure is ${typeof v === 'number' ? v : JSON.stringify(v)}, not a measured time or rate`);
    return v;
  };
  for (const t of theirs) {
    if (t.model === 'gemm' && gemm) {
      for (const [shape, g] of Object.entries(gemm.gflops)) {
        const ratio = +(need(g, `gemm ${shape} (rnnlab)`) / need(t.gflops?.[shape], `gemm ${shape} (torch)`)).toFixed(2);
        rows.push({ ratio: 'gemm', shape, rnnlab_gflops: g, torch_gflops: t.gflops[shape], rnnlab_over_torch: ratio, target: `>= ${gemmTarget}`, met: ratio >= gemmTarget });
      }
    } else if (ours[t.model]) {
      const o = ours[t.model], theirMs = need(t.ms_per_step, `${t.model} (torch ms_per_step)`);
      const ratio = +(need(o.ms_per_step, `${t.model} (rnnlab ms_per_step)`) / theirMs).toFixed(3);
      const tobRatio = +(need(o.train_on_batch_ms_per_step, `${t.model} (rnnlab train_on_batch_ms_per_step)`) / theirMs).toFixed(3);
      const target = targets[t.model];
      rows.push({ ratio: t.model, rnnlab_s_per_epoch: o.s_per_epoch, torch_s_per_epoch: t.s_per_epoch,
        rnnlab_over_torch: ratio, train_on_batch_over_torch: tobRatio, target: `<= ${target}`, met: ratio <= target });
    }
  }
  return rows;
}
