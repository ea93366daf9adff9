/**
 * What seq2seq runs, evaluations and translations show: results.json's samples carry the beam's output (`beamGuess`)
 * as the printed lines do; the attention's source tokens are the words as written, an unknown one too (not `<unk>`);
 * and `translate --file -` answers each line as it comes, not once 64 lines came or stdin closed.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, readResults, REPO_ROOT, run, schemaProblems, tempDir } from '../cli/helpers.js';

afterAll(cleanup);

const dir = tempDir('rnnlab-s2s-r53-');
const runDir = path.join(dir, 'run');
const VOCAB = ['red', 'green', 'blue', 'cyan', 'gold', 'pink', 'gray', 'teal'];

beforeAll(async () => {
  // Three-word pairs, target = source reversed: word tokens, so a word no pair holds reads as <unk>.
  const lines: string[] = [];
  for (let i = 0; i < 240; i++) {
    const w = [VOCAB[i % 8], VOCAB[(i * 3 + 1) % 8], VOCAB[(i * 5 + 2) % 8]];
    lines.push(`${w.join(' ')}\t${[...w].reverse().join(' ')}`);
  }
  writeFileSync(path.join(dir, 'pairs.tsv'), `${lines.join('\n')}\n`);
  const r = await run(['seq2seq', '--data', path.join(dir, 'pairs.tsv'), '--tokens', 'word', '--epochs', '2', '--units', '16', '--embedding-dim', '8',
    '--lr', '0.01', '--beam', '2', '--samples', '3', '--threads', '1', '--verbose', '0', '--out', runDir]);
  expect(r.code, r.err).toBe(0);
}, 300_000);

describe('results.json samples', () => {
  it('seq2seq --beam N records each sample\'s beam output, as printed', () => {
    const rec = readResults(runDir);
    expect(schemaProblems(rec)).toEqual([]);
    expect(rec.samples).toHaveLength(3);
    for (const s of rec.samples) expect(Object.keys(s)).toEqual(['question', 'truth', 'guess', 'correct', 'beamGuess']);
  });

  it('evaluate --beam N records it; without --beam no sample has one', async () => {
    const pairs = path.join(dir, 'eval.tsv');
    writeFileSync(pairs, 'red blue gold\tgold blue red\npink teal gray\tgray teal pink\n');
    const beam = path.join(dir, 'eval-beam'), greedy = path.join(dir, 'eval-greedy');
    const e = await run(['evaluate', '--model', runDir, '--data', pairs, '--beam', '2', '--threads', '1', '--out', beam]);
    expect(e.code, e.err).toBe(0);
    const rec = readResults(beam);
    expect(schemaProblems(rec)).toEqual([]);
    expect(rec.samples.map((s: Record<string, unknown>) => typeof s.beamGuess)).toEqual(['string', 'string']);
    // The printed line shows the beam's output where it differs from greedy's: the record holds it either way.
    rec.samples.forEach((s: { guess: string; beamGuess: string }, i: number) => {
      const line = e.out.split('\n').filter((l) => l.startsWith('Question '))[i];
      if (s.beamGuess !== s.guess) expect(line).toContain(`(beam: ${s.beamGuess})`);
    });
    expect((await run(['evaluate', '--model', runDir, '--data', pairs, '--threads', '1', '--out', greedy])).code).toBe(0);
    for (const s of readResults(greedy).samples) expect(s).not.toHaveProperty('beamGuess');
  }, 120_000);
});

describe('attention over an unknown source word', () => {
  it('names the word as written: evaluate\'s details.attention, translate --show-attention (jsonl and the heatmap)', async () => {
    const pairs = path.join(dir, 'unknown.tsv');
    writeFileSync(pairs, 'red mauve gold\tgold mauve red\n');
    const out = path.join(dir, 'eval-unknown');
    const e = await run(['evaluate', '--model', runDir, '--data', pairs, '--threads', '1', '--out', out]);
    expect(e.code, e.err).toBe(0);
    expect(e.err).toMatch(/1 distinct source token\(s\) not in the model's vocabulary \("mauve"/);
    expect(readResults(out).details.attention.source).toEqual(['red', 'mauve', 'gold']);
    const j = await run(['translate', '--model', runDir, '--format', 'jsonl', '--show-attention', 'red mauve gold']);
    expect(j.code, j.err).toBe(0);
    expect(JSON.parse(j.out).attention.source).toEqual(['red', 'mauve', 'gold']);
    const t = await run(['translate', '--model', runDir, '--show-attention', 'red mauve gold']);
    expect(t.out.split('\n')[1]).toMatch(/│red +mauve +gold *$/);
    expect(t.out).not.toContain('<unk>');
  }, 60_000);
});

describe('translate --file -', () => {
  it('answers each line while stdin stays open', async () => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/rnnlab.js'), 'translate', '--model', runDir, '--file', '-', '--format', 'tsv', '--threads', '1'],
      { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    // The next line of output, or null once a minute passed (the old reader held a batch until stdin closed).
    const nextLine = (n: number) => new Promise<string | null>((resolve) => {
      const check = () => { const lines = out.split('\n'); if (lines.length > n) { clearTimeout(timer); child.stdout.off('data', onData); resolve(lines[n - 1]); } };
      const onData = (d: Buffer) => { out += d.toString(); check(); };
      const timer = setTimeout(() => { child.stdout.off('data', onData); resolve(null); }, 60_000);
      child.stdout.on('data', onData);
      check();
    });
    try {
      child.stdin.write('red blue gold\n');
      expect(await nextLine(1), err).toMatch(/^red blue gold\t/);
      child.stdin.write('pink teal gray\n');
      expect(await nextLine(2), err).toMatch(/^pink teal gray\t/);
    } finally {
      child.stdin.end();
    }
    expect(await closed, err).toBe(0);
    expect(out.split('\n')).toHaveLength(3);
  }, 180_000);

  it('a line it refuses stops it with exit code 2 while stdin stays open, after the lines before', async () => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/rnnlab.js'), 'translate', '--model', runDir, '--file', '-', '--format', 'tsv', '--threads', '1'],
      { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    // Never closed by the test: the run must end of itself (a minute at most, else the child is killed and this fails).
    child.stdin.write('red blue gold\nred\tgold\n');
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    expect(code, err).toBe(2);
    expect(out).toMatch(/^red blue gold\t[^\n]*\n$/);
    expect(err).toMatch(/^rnnlab translate: error: --format tsv: the input of \(stdin\):2 holds a tab/);
  }, 120_000);
});
