/**
 * The Lab view: the sections of examples/lab8 with their source, and one quick run at a time of one section
 * (`node scripts/lab.mjs <id> --quick`) in a child process whose output streams to every page as events.
 * The command is fixed: a request chooses only a section id, checked against the list.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { HttpError, badRequest } from './http.js';
import { childEnv } from './job_process.js';
import { DECIMAL } from './params.js';

/** The package root: the same two levels up from src/server and dist/server. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RUNNER = path.join(ROOT, 'scripts/lab.mjs');
const COMPILED_SECTIONS = path.join(ROOT, 'dist/examples/lab8/sections.js');
/** A page opened mid-run gets the output so far; a runaway section cannot grow the server's memory past this. */
const MAX_KEPT_OUTPUT = 256 * 1024;

export interface LabSectionSource { id: number; title: string; file: string; source: string }

export type LabRunStatus = 'running' | 'completed' | 'failed' | 'cancelled';

export interface LabRun {
  run: number;
  section: number;
  status: LabRunStatus;
  exitCode: number | null;
  startedAt: string;
  finishedAt: string | null;
  output: string;
}

type Emit = (event: string, data: unknown) => void;

async function compiledSections(): Promise<{ labSections(): LabSectionSource[] }> {
  if (!existsSync(COMPILED_SECTIONS)) throw new HttpError(409, 'the lab examples are not compiled: run `npm run lab:build` first');
  return import(pathToFileURL(COMPILED_SECTIONS).href);
}

export class LabRunner {
  private child: ChildProcess | null = null;
  private last: LabRun | null = null;
  private runs = 0;

  /** `dataPath` is the dashboard's --data, handed to the sections that read IMDb. */
  constructor(private readonly emit: Emit, private readonly dataPath?: string) {}

  async sections(): Promise<LabSectionSource[]> {
    return (await compiledSections()).labSections();
  }

  /** The id of the running section's process, or null (tests read its environment). */
  pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** The current or last run, with its output so far; null before the first. */
  current(): LabRun | null {
    return this.last;
  }

  async start(body: Record<string, unknown>): Promise<LabRun> {
    const extra = Object.keys(body).filter((k) => k !== 'section');
    if (extra.length) throw badRequest(`unknown field${extra.length > 1 ? 's' : ''} in the request: ${extra.join(', ')}`);
    const ids = (await this.sections()).map((s) => s.id);
    // As a job's fields (params.ts): a number may come as decimal text, and null or "" is left out.
    const sent = body.section;
    const section = typeof sent === 'string' && DECIMAL.test(sent) ? Number(sent) : sent;
    if (section === undefined || section === null || section === '') throw badRequest(`section is required: one of the lab's section numbers ${ids[0]} to ${ids[ids.length - 1]}`);
    if (typeof section !== 'number' || !ids.includes(section)) {
      // JSON.parse reads 1e400 as Infinity, which JSON.stringify would write as null: a number is named as itself.
      const got = typeof sent === 'number' ? String(sent) : JSON.stringify(sent)?.slice(0, 40);
      throw badRequest(`section must be one of the lab's section numbers ${ids[0]} to ${ids[ids.length - 1]}, got ${got}`);
    }
    if (this.child) throw new HttpError(409, `section ${this.last?.section} is still running: wait for it or cancel it`);
    const args = [RUNNER, String(section), '--quick', ...(this.dataPath ? ['--data', this.dataPath] : [])];
    const run: LabRun = { run: ++this.runs, section, status: 'running', exitCode: null, startedAt: new Date().toISOString(), finishedAt: null, output: '' };
    // The environment a training job's process gets (job_process.ts): the sections train and read data, and have no
    // business with the access token or anything else the server was started with. Offline as the jobs are: the
    // dashboard never downloads the IMDb data (a section that needs it and finds none fails, saying so).
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...childEnv(), RNNLAB_OFFLINE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.last = run;
    let cancelled = false;
    const onData = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      if (run.output.length < MAX_KEPT_OUTPUT) run.output += text.slice(0, MAX_KEPT_OUTPUT - run.output.length);
      this.emit('lab-output', { run: run.run, section, stream, text });
    };
    child.stdout!.on('data', onData('stdout'));
    child.stderr!.on('data', onData('stderr'));
    const finish = (status: LabRunStatus, exitCode: number | null) => {
      if (run.finishedAt) return;
      this.child = null;
      Object.assign(run, { status, exitCode, finishedAt: new Date().toISOString() });
      this.emit('lab-status', this.summary(run));
    };
    child.on('error', (e) => {
      run.output += `\nlab: could not start the section: ${e.message}\n`;
      finish('failed', null);
    });
    child.on('close', (code) => finish(cancelled ? 'cancelled' : code === 0 ? 'completed' : 'failed', code));
    this.cancelChild = () => {
      cancelled = true;
      child.kill('SIGTERM');
    };
    this.emit('lab-status', this.summary(run));
    return run;
  }

  private cancelChild: () => void = () => undefined;

  /** Stops the running section; an error when none runs. */
  cancel(): LabRun {
    if (!this.child || !this.last) throw new HttpError(409, 'no lab section is running');
    this.cancelChild();
    return this.last;
  }

  /** The run without its output (events carry the output piece by piece). */
  summary(run: LabRun): Omit<LabRun, 'output'> {
    const { output: _output, ...rest } = run;
    return rest;
  }

  /** Ends a running section with the server; resolves once it has exited. */
  async close(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    this.cancelChild();
    await exited;
  }
}
