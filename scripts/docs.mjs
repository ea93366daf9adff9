#!/usr/bin/env node
/**
 * `npm run docs`: runs every sample command of docs/CLI.md (the built CLI, bin/rnnlab.js) in a scratch folder and
 * rewrites the sample blocks with what they print now, so the samples are never stale. Data: the real
 * aclImdb_v1.tar.gz when RNNLAB_DATA names it (the file or its folder), else the synthetic tarball the tests use
 * (test/helpers/synthetic_imdb.ts); either is placed in the scratch folder as aclImdb_v1.tar.gz, which is what the
 * samples' `--data` names. CLI.md is written only when every sample ends with the exit code it documents.
 */
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, realpathSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFiles, findSamples, normaliseOutput, renderSample, replaceBetween, replaceSamples, splitArgs } from './docs_samples.mjs';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const CLI_MD = join(ROOT, 'docs', 'CLI.md');
const BIN = join(ROOT, 'bin', 'rnnlab.js');
const TARBALL = 'aclImdb_v1.tar.gz';
// One thread and one instruction set: training is deterministic per seed, thread count and ISA (the avx512 and
// avx2 kernels differ in the last bits), so every machine prints the same numbers. avx2 is the path most x86 CPUs
// have; an RNNLAB_ISA given (portable on a CPU without it) replaces it, and the page's note names the one used.
const THREADS = '1';
const ISA = process.env.RNNLAB_ISA || 'avx2';

/** The real tarball from RNNLAB_DATA (a file, or a folder holding it), or null. */
function realTarball() {
  const given = process.env.RNNLAB_DATA;
  if (!given) return null;
  const file = existsSync(given) && statSync(given).isDirectory() ? join(given, TARBALL) : given;
  if (!existsSync(file)) throw new Error(`RNNLAB_DATA=${given}: no ${TARBALL} there`);
  return resolve(file);
}

/** Writes the synthetic tarball with the tests' own generator, loaded through vite (it is TypeScript). */
async function writeSynthetic(dir) {
  const { createServer } = await import('vite');
  const server = await createServer({
    root: ROOT, configFile: false, logLevel: 'error', appType: 'custom',
    server: { middlewareMode: true, hmr: false }, optimizeDeps: { noDiscovery: true, include: [] },
  });
  try {
    const helper = await server.ssrLoadModule('/test/helpers/synthetic_imdb.ts');
    helper.writeSyntheticImdb(dir);
    return `the synthetic tarball the tests use (test/helpers/synthetic_imdb.ts: ${4 * helper.SYNTHETIC_PER_FOLDER} made-up labelled reviews in the aclImdb layout, so the accuracies say little about the real data)`;
  } finally {
    await server.close();
  }
}

function run(command, cwd, env) {
  const logFile = join(cwd, '.sample-output');
  const fd = openSync(logFile, 'w');
  try {
    const args = splitArgs(command).slice(1);
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', fd, fd], timeout: 600_000 });
    if (r.error) throw new Error(`${command}: ${r.error.message}`);
    return { exitCode: r.status ?? 1, output: readFileSync(logFile, 'utf8') };
  } finally {
    closeSync(fd);
    rmSync(logFile, { force: true });
  }
}

async function main() {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const markdown = readFileSync(CLI_MD, 'utf8');
  const samples = findSamples(markdown);
  if (samples.length === 0) throw new Error('docs/CLI.md: no <!-- sample: rnnlab ... --> markers');
  const scratch = mkdtempSync(join(tmpdir(), 'rnnlab-docs-'));
  // Ctrl-C skips `finally`: remove the scratch folder (runs, cache, a symlinked tarball) here too.
  process.once('SIGINT', () => {
    rmSync(scratch, { recursive: true, force: true });
    process.exit(130);
  });
  try {
    const real = realTarball();
    let data;
    if (real) {
      symlinkSync(real, join(scratch, TARBALL));
      data = `the real ${TARBALL} (the Large Movie Review Dataset, 25,000 training and 25,000 test reviews)`;
    } else {
      data = await writeSynthetic(scratch);
    }
    for (const f of findFiles(markdown)) writeFileSync(join(scratch, f.name), f.content);
    const env = { ...process.env, RNNLAB_CACHE: join(scratch, 'cache'), RNNLAB_THREADS: THREADS, RNNLAB_ISA: ISA, RNNLAB_OFFLINE: '1' };
    delete env.RNNLAB_DATA;
    const scratchDirs = [realpathSync(scratch), scratch];
    const today = new Date().toISOString().slice(0, 10);
    const blocks = [];
    for (const sample of samples) {
      process.stderr.write(`$ ${sample.command}\n`);
      const { exitCode, output } = run(sample.command, scratch, env);
      if (exitCode !== sample.exitCode) {
        process.stderr.write(output);
        throw new Error(`${sample.command}: exit code ${exitCode}, docs/CLI.md expects ${sample.exitCode}; CLI.md left as it was`);
      }
      blocks.push(renderSample(sample, normaliseOutput(output, { scratchDirs, today }), exitCode));
    }
    const sentence = `
The samples on this page were made by \`npm run docs\` on ${data}, with RNNLAB_THREADS=${THREADS}, RNNLAB_ISA=${ISA} and the cache in a scratch folder (shown as \`.\`).
`;
    const next = replaceBetween(replaceSamples(markdown, blocks), 'samples-data', sentence);
    writeFileSync(`${CLI_MD}.tmp`, next);
    renameSync(`${CLI_MD}.tmp`, CLI_MD);
    process.stderr.write(`Rewrote ${samples.length} samples in docs/CLI.md\n`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`npm run docs: ${e.message}\n`);
  process.exitCode = 1;
});
