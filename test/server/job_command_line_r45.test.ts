/**
 * A dashboard IMDb job's command line runs as it is in the terminal, for every model: it holds no option that
 * `rnnlab imdb` refuses for that model (--embedding-dim for ff_raw, which has no Embedding), and the job's config
 * holds the same options, with the values its run records in results.json.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addFlags, booleanValues } from '../../src/cli/flags.js';
import { checkModelFlags, IMDB_FLAGS } from '../../src/cli/imdb.js';
import { EMBEDDING_MODELS, IMDB_MODELS, MASK_READING_MODELS, STACKABLE_MODELS, type ImdbModelName } from '../../src/experiments/lab_models.js';
import { commandLine, parseJobSpec, type ImdbJobConfig } from '../../src/server/job_spec.js';
import { trainJob } from '../../src/server/train.js';
import { finished, imdbDataPath, post, useTestServer } from './helpers.js';

/** `rnnlab imdb ARGS` read by the CLI's own flags and checked as the command checks them before it trains. */
function imdbCli(argv: readonly string[]): { flags: Record<string, unknown>; given: (k: string) => boolean } {
  const c = addFlags(new Command('imdb'), IMDB_FLAGS, 'imdb').exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} });
  c.parse(booleanValues(c, argv, 'imdb'), { from: 'user' });
  const flags = c.opts();
  checkModelFlags([flags.model as ImdbModelName], flags, c, 'imdb', IMDB_FLAGS);
  return { flags, given: (k) => c.getOptionValueSource(k) === 'cli' };
}

/** Every option the model takes, each away from its default; a small run. */
function everyOption(model: ImdbModelName): Record<string, unknown> {
  return {
    task: 'imdb', model, epochs: 1, batchSize: 8, limit: 16, maxlen: 6, vocab: 40, units: 2, dropout: 0.1, optimizer: 'rmsprop', lr: 0.01, seed: 3, validate: false,
    ...(EMBEDDING_MODELS.includes(model) ? { embeddingDim: 3 } : {}),
    ...(MASK_READING_MODELS.includes(model) ? { maskZero: true } : {}),
    ...(STACKABLE_MODELS.includes(model) ? { layers: 2 } : {}),
  };
}

/** The job's options as the CLI reads them from its command line (`limit: null` is no --limit). */
function expectSameOptions(config: ImdbJobConfig, cli: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(config)) if (k !== 'task') expect([k, cli[k] ?? null]).toEqual([k, v ?? null]);
}

describe('an IMDb job\'s command line', () => {
  it.each(IMDB_MODELS)('runs as it is for %s, with the defaults and with every option it takes', (model) => {
    for (const body of [{ task: 'imdb', model }, everyOption(model)]) {
      const { config } = parseJobSpec(body);
      const line = commandLine(config).split(' ');
      expect(line.slice(0, 2)).toEqual(['rnnlab', 'imdb']);
      const cli = imdbCli(line.slice(2));
      expectSameOptions(config as ImdbJobConfig, cli.flags);
      expect(cli.given('embeddingDim')).toBe(EMBEDDING_MODELS.includes(model));
      expect('embeddingDim' in config).toBe(EMBEDDING_MODELS.includes(model));
    }
  });

  it('for ff_raw leaves out the embedding size, which the CLI refuses there', () => {
    const { config } = parseJobSpec({ task: 'imdb', model: 'ff_raw', units: 2 });
    expect(config).not.toHaveProperty('embeddingDim');
    expect(commandLine(config)).toBe('rnnlab imdb --model ff_raw --epochs 10 --batch-size 128 --maxlen 500 --vocab 10000 --units 2 --validate --seed 1');
    expect(() => imdbCli([...commandLine(config).split(' ').slice(2), '--embedding-dim', '100'])).toThrow('--embedding-dim changes nothing for ff_raw');
  });
});

describe.skipIf(imdbDataPath() === undefined)('an IMDb job\'s config', () => {
  it.each(IMDB_MODELS)('is what results.json records for %s, option by option', async (model) => {
    const config = parseJobSpec(everyOption(model)).config as ImdbJobConfig;
    const recorded = (await trainJob(config, {}, imdbDataPath())).body.config as Record<string, unknown>;
    expectSameOptions(config, recorded);
    if (!EMBEDDING_MODELS.includes(model)) expect(recorded.embeddingDim).toBeNull();
  }, 60000);
});

describe.skipIf(imdbDataPath() === undefined)('a dashboard ff_raw job', () => {
  const s = useTestServer();

  it('records a command line the CLI takes, and the config its results.json holds', async () => {
    const r = await post(s.base, '/api/jobs', { task: 'imdb', model: 'ff_raw', limit: 32, maxlen: 10, vocab: 50, units: 2, epochs: 1, batchSize: 16, name: 'ffraw' });
    expect(r.status).toBe(202);
    const job = await finished(s.base, r.body.job.id, 120000);
    expect(job.status).toBe('completed');
    const record = JSON.parse(readFileSync(join(s.runsDir, job.runId, 'results.json'), 'utf8'));
    expect(['rnnlab', ...record.argv].join(' ')).toBe(job.command);
    expect(record.argv).not.toContain('--embedding-dim');
    const cli = imdbCli(record.argv.slice(1));
    expectSameOptions(job.config, cli.flags);
    expectSameOptions(job.config, record.config);
    const report = readFileSync(join(s.runsDir, job.runId, 'report.html'), 'utf8');
    expect(report).toContain(job.command);
    expect(report).not.toContain('--embedding-dim');
  }, 150000);
});
