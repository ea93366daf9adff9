/**
 * The dashboard's HTTP server: the single-page app, a JSON API, and server-sent event streams (every page's, and one
 * per job for the page that shows it). It binds 127.0.0.1 unless a host is given explicitly, and any bad request is a
 * 4xx with a message, never a crash.
 */
import { existsSync, mkdirSync, rmdirSync, statSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import { backendInfo } from '../backend/index.js';
import { DataError, resolveCacheDir, resolveImdbTarball } from '../data/index.js';
import { loneSurrogateProblem } from '../data/text_surrogates.js';
import { IMDB_DEFAULTS, IMDB_MODELS } from '../experiments/lab_models.js';
import { rnnlabVersion } from '../report/run.js';
import { allowAnswer, HttpError, Router, badRequest, hasBody, readJsonBody, requestUrl, requireJsonType, sendErrorPage, sendJson, sendJsonBytes, wantsPage, type RequestContext } from './http.js';
import {
  commutativity, encodeReview, longRangeGradients, MAX_GRADIENTS_WAITING, MAX_TEST_SAMPLES, MAX_TEXT_CHARS, MAX_TEXTS, parseSum, predictSentiment, predictSum, predictText, TestReviews, traceInput,
} from './inference.js';
import { GRADIENT_DEADLINE_MS, measureInProcess, type GradientItem } from './gradient_process.js';
import { MAX_PROJECTED_WORDS, projectEmbedding } from './projector.js';
import { ComputeQueue } from './compute_queue.js';
import { SweepStore } from './sweeps.js';
import { LabRunner } from './lab.js';
import { ADDITION_FORM_DEFAULTS, DEMO_JOBS, DROPOUT_RANGE, IMDB_FORM_DEFAULTS, LIMITS, OPTIMIZERS, RNN_KINDS, parseJobSpec, type JobSpec } from './job_spec.js';
import { jobNotKept, modelNewerThanRecord, restoredJobs } from './job_history.js';
import { jobEnded, JobQueue, type Broadcast, type JobSummary, type Progress } from './jobs.js';
import { savedModelDir } from './model_io.js';
import { freshParams, ModelRegistry } from './models.js';
import { Fields, PAGE_PARAMS, pageOf } from './params.js';
import { checkSameOrigin, checkToken, isLoopback, parseHost, randomToken, TOKEN_PARAM, TokenGate } from './request_guard.js';
import { RunStore } from './runs.js';
import { regularFileInside, UnsafeFileError } from './safe_files.js';
import { pathRedactor, publicPath } from './redact.js';
import { EventHub, isEventStreamSocket } from './sse.js';
import { removeStaleTemps } from './stale_temps.js';
import { SECURITY_HEADERS, sendFile, webFile } from './static.js';

export interface DashboardOptions {
  port?: number;
  /** Interface to bind; 127.0.0.1 unless given. */
  host?: string;
  runsDir?: string;
  /** The IMDb tarball or a folder holding it (as the CLI's --data). */
  dataPath?: string;
  /** A pause after every training batch, in ms: lets tests (and slow eyes) watch the curves grow; a cancel cuts it short. Default 0. */
  batchDelayMs?: number;
  /**
   * The access token every request must carry (?token= once, then a cookie). Given, it is required on any
   * interface; not given, a random one is made when the host is not loopback, and none is asked on loopback.
   */
  token?: string;
  /** The largest model (in parameters) the dashboard loads from a run folder, or trains for a job; a bigger one is a 422. */
  maxModelParams?: number;
  /** Fields that replace those of the "train demo models" jobs (tests train smaller ones); checked at start as any job. */
  demoJobs?: Partial<Record<'imdb' | 'addition', Record<string, unknown>>>;
}

export interface Dashboard {
  server: http.Server;
  url: string;
  port: number;
  host: string;
  /** The access token requests need, or null (loopback without --token). `url` carries it. */
  token: string | null;
  runs: RunStore;
  jobs: JobQueue;
  models: ModelRegistry;
  lab: LabRunner;
  close(): Promise<void>;
}

export { isLoopback } from './request_guard.js';

/** A path as the user would type it: relative to the working folder when inside it. */
export function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel === '' ? '.' : !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

async function imdbAvailable(dataPath?: string): Promise<{ available: boolean; message?: string }> {
  try {
    await resolveImdbTarball({ path: dataPath, download: false });
    return { available: true };
  } catch (e) {
    return { available: false, message: (e as Error).message };
  }
}

/** Report files and results.json of a run are read only when they are regular files inside the runs folder. */
const RUN_FILE_LIMITS = { maxBytes: 64 << 20 };

export function buildRouter(d: { runs: RunStore; jobs: JobQueue; models: ModelRegistry; hub: EventHub; lab: LabRunner; dataPath?: string; demo?: typeof DEMO_JOBS }): Router {
  const demo = d.demo ?? DEMO_JOBS;
  const { runs, jobs, models, hub, lab } = d;
  const sweeps = new SweepStore(runs.dir);
  const testSet = new TestReviews(d.dataPath);
  const gradientQueue = new ComputeQueue(MAX_GRADIENTS_WAITING, 'gradient measurements');
  const r = new Router();
  const body = (ctx: RequestContext) => readJsonBody(ctx.req);

  r.get('/api/health', () => ({ ok: true, version: rnnlabVersion(), backend: backendInfo(), jobs: jobs.list().filter((j) => j.status === 'running' || j.status === 'queued').length }));

  r.get('/api/config', async () => ({
    imdbModels: IMDB_MODELS,
    imdbDefaults: IMDB_DEFAULTS,
    imdbForm: IMDB_FORM_DEFAULTS,
    additionForm: ADDITION_FORM_DEFAULTS,
    rnnKinds: RNN_KINDS,
    optimizers: OPTIMIZERS,
    limits: LIMITS,
    dropoutRange: DROPOUT_RANGE,
    demo,
    freshModels: models.freshIds(),
    maxTextChars: MAX_TEXT_CHARS,
    imdbData: await imdbAvailable(d.dataPath),
    runsDir: publicPath(runs.dir),
  }));

  r.get('/api/runs', async (ctx) => {
    const page = pageOf(ctx.url);
    const all = await runs.list();
    return { runs: all.slice(page.offset, page.offset + page.limit), total: all.length, ...page };
  }, { query: PAGE_PARAMS });
  r.get('/api/sweeps', async () => ({ sweeps: await sweeps.list() }));
  r.get('/api/sweeps/:id', async (ctx) => ({ sweep: await sweeps.get(ctx.params.id) }));
  r.get('/api/runs/:id', async (ctx) => {
    const id = ctx.params.id;
    runs.resolve(id);
    // A plain file inside the folder, or the reason it is refused (a link out, a FIFO), before RunStore reads it.
    await regularFileInside(runs.dir, `${id}/results.json`, RUN_FILE_LIMITS);
    // Written out (and redacted) once per version of the record, off the server's thread when it is large.
    sendJsonBytes(ctx.res, 200, await runs.detailJson(id));
    return undefined;
  });
  const report = (name: string) => async (ctx: RequestContext) => {
    const id = ctx.params.id;
    runs.resolve(id);
    try {
      await sendFile(ctx.res, { root: runs.dir, rel: `${id}/${name}` }, ctx.req.method === 'HEAD');
    } catch (e) {
      if (e instanceof UnsafeFileError && e.reason === 'missing') throw new HttpError(404, `run '${id}' has no ${name}`);
      throw e;
    }
  };
  r.get('/api/runs/:id/report.html', report('report.html'));
  r.get('/api/runs/:id/report.png', report('report.png'));

  r.get('/api/lab', async () => ({ sections: await lab.sections(), run: lab.current() }));
  r.post('/api/lab/run', async (ctx) => {
    const run = await lab.start(await body(ctx));
    ctx.res.statusCode = 202;
    return { run: lab.summary(run) };
  });
  r.post('/api/lab/cancel', async (ctx) => {
    new Fields(await body(ctx)).done();
    return { run: lab.summary(lab.cancel()) };
  });

  r.get('/api/jobs', () => ({ jobs: jobs.list() }));
  /**
   * The dashboard never downloads the IMDb data (its jobs' processes run offline, and GET /api/config reports it
   * missing): an IMDb job without it is refused now, naming what was looked for, rather than failing once it runs.
   */
  const requireImdbData = async (specs: JobSpec[]) => {
    if (!specs.some((spec) => spec.config.task === 'imdb')) return;
    // A full queue is said first, as for any job.
    jobs.checkRoom(specs.length);
    const data = await imdbAvailable(d.dataPath);
    if (data.available) return;
    const looked = (data.message ?? '').split('\n').filter((l) => l.startsWith('  - ') && !l.startsWith('  - download:')).map((l) => l.slice(4));
    throw new HttpError(409, `IMDb jobs need the IMDb data, which is not on this machine, and the dashboard does not download it (checked: ${looked.join('; ')}): start rnnlab serve with --data or RNNLAB_DATA naming aclImdb_v1.tar.gz, or let \`rnnlab imdb\` download it into the cache once`);
  };

  r.post('/api/jobs', async (ctx) => {
    const spec = parseJobSpec(await body(ctx), d.runs.maxModelParams);
    await requireImdbData([spec]);
    const job = jobs.submit(spec);
    ctx.res.statusCode = 202;
    return { job };
  });
  r.post('/api/demo', async (ctx) => {
    const f = new Fields(await body(ctx), 'request');
    const task = f.oneOf('task', ['imdb', 'addition', 'both'] as const, 'both');
    f.done();
    const tasks = task === 'both' ? (['imdb', 'addition'] as const) : [task];
    const specs = tasks.map((t) => parseJobSpec({ ...demo[t] }, d.runs.maxModelParams));
    await requireImdbData(specs);
    const submitted = jobs.submitAll(specs);
    ctx.res.statusCode = 202;
    return { jobs: submitted };
  });
  /** A job by id; an id of a job the queue no longer keeps gets a 404 saying so (job_history.jobNotKept). */
  const job = <T>(id: string, act: (id: string) => T): T => {
    try {
      return act(id);
    } catch (e) {
      if (!(e instanceof HttpError) || e.status !== 404) throw e;
      throw jobNotKept(id, (runId) => runs.sourceOf(runId)) ?? e;
    }
  };
  r.get('/api/jobs/:id', (ctx) => ({ job: job(ctx.params.id, (id) => jobs.get(id)) }));
  // Cancelling takes no options: a body sent is read (JSON, within the size limit) and must hold none, so
  // {"force": true} is refused by name rather than ignored. Either route may come without a body at all (a POST still
  // declares JSON: the guard below refuses any POST that does not).
  r.post('/api/jobs/:id/cancel', async (ctx) => {
    if (hasBody(ctx.req)) new Fields(await body(ctx)).done();
    return { job: job(ctx.params.id, (id) => jobs.cancel(id)) };
  });
  // A DELETE need not declare JSON (no form on another site can send one): its body, if any, is read as JSON all the same.
  r.delete('/api/jobs/:id', async (ctx) => {
    if (hasBody(ctx.req)) new Fields(await readJsonBody(ctx.req, { requireType: false })).done();
    return { job: job(ctx.params.id, (id) => jobs.cancel(id)) };
  });

  r.get('/api/events', (ctx) => {
    hub.add(ctx.req, ctx.res, [['snapshot', { jobs: jobs.list() }]]);
    return undefined;
  });
  // One job's detail as it grows, for the page that shows it; a job already over gets its whole state, then the end.
  r.get('/api/jobs/:id/events', (ctx) => {
    const detail = job(ctx.params.id, (id) => jobs.get(id));
    const last: [string, unknown] | undefined = jobEnded(detail.status) ? ['end', { id: detail.id, status: detail.status }] : undefined;
    hub.add(ctx.req, ctx.res, [['snapshot', { job: detail }]], { topic: jobTopic(detail.id), last });
    return undefined;
  });

  // Paged as /api/runs: at thousands of runs the whole list is hundreds of kilobytes.
  r.get('/api/models', async (ctx) => {
    const page = pageOf(ctx.url);
    const all = await models.list();
    return { models: all.slice(page.offset, page.offset + page.limit), total: all.length, ...page };
  }, { query: PAGE_PARAMS });

  r.post('/api/predict/sentiment', async (ctx) => {
    const f = new Fields(await body(ctx));
    const id = wholeText(f.str('model', 200, true), 'model');
    const text = wholeText(f.str('text', MAX_TEXT_CHARS, true), 'text');
    f.done();
    return predictSentiment(await models.get(id, 'imdb'), text);
  });

  r.post('/api/predict/text', async (ctx) => {
    const f = new Fields(await body(ctx));
    const id = wholeText(f.str('model', 200, true), 'model');
    const text = f.str('text', MAX_TEXT_CHARS);
    const texts = f.strings('texts', MAX_TEXTS, MAX_TEXT_CHARS);
    f.done();
    if (text !== undefined && texts !== undefined) throw badRequest('send text (one text) or texts (a list), not both');
    if (texts === undefined && text === undefined) throw badRequest('text is required: the text to classify (or texts, a list of them)');
    if (text !== undefined && text.trim() === '') throw badRequest('text must not be empty: there is nothing to classify');
    if (texts?.length === 0) throw badRequest(`texts must hold from 1 to ${MAX_TEXTS} texts`);
    wholeText(text, 'text');
    texts?.forEach((t, i) => wholeText(t, `texts[${i}]`));
    return predictText(await models.get(id, 'text'), texts ?? [text!]);
  });

  r.post('/api/predict/sum', async (ctx) => {
    const f = new Fields(await body(ctx));
    const id = wholeText(f.str('model', 200, true), 'model');
    const query = wholeText(f.str('query', 40, true), 'query');
    f.done();
    return predictSum(await models.get(id, 'addition'), query);
  });

  r.post('/api/inspect/states', async (ctx) => {
    const f = new Fields(await body(ctx));
    const id = wholeText(f.str('model', 200, true), 'model');
    const text = wholeText(f.str('text', MAX_TEXT_CHARS), 'text');
    const query = wholeText(f.str('query', 40), 'query');
    const paddingGiven = f.has('includePadding');
    const includePadding = f.bool('includePadding', false);
    f.done();
    const entry = await models.get(id);
    if (entry.meta.task === 'imdb' && text === undefined) throw badRequest(`model '${id}' reads reviews: send text`);
    if (entry.meta.task === 'addition' && query === undefined) throw badRequest(`model '${id}' adds numbers: send query, e.g. "231+432"`);
    // A field for the other kind of model would change nothing: refused by name rather than ignored.
    if (entry.meta.task === 'imdb' && query !== undefined) throw badRequest(`model '${id}' reads reviews: query is for addition models (send text only)`);
    if (entry.meta.task === 'addition') {
      const other = [text !== undefined && 'text', paddingGiven && 'includePadding'].filter(Boolean);
      if (other.length) throw badRequest(`model '${id}' adds numbers: ${other.join(' and ')} ${other.length > 1 ? 'are' : 'is'} for IMDb models (send query only)`);
    }
    return traceInput(entry, { text, query, includePadding });
  });

  r.post('/api/inspect/gradients', async (ctx) => {
    const f = new Fields(await body(ctx));
    const named = f.strings('models', 4, 200);
    const ids = named ?? DEFAULT_GRADIENT_KINDS.map((k) => `fresh:${k}`);
    ids.forEach((id, i) => wholeText(id, `models[${i}]`));
    const text = wholeText(f.str('text', MAX_TEXT_CHARS), 'text');
    const source = f.oneOf('source', ['text', 'test'] as const, text !== undefined ? 'text' : 'test');
    // Each source reads its own fields; the other's would change nothing, so they are refused by name.
    const forText = ['text', 'label'].filter((k) => f.has(k)), forTest = ['samples'].filter((k) => f.has(k));
    const label = f.oneOf('label', ['positive', 'negative'] as const, 'positive');
    const samples = f.int('samples', 1, MAX_TEST_SAMPLES, 32);
    f.done();
    if (!ids.length) throw badRequest('models must name at least one IMDb model');
    if (source === 'text' && text === undefined) throw badRequest("source 'text' needs text");
    if (source === 'text' && forTest.length) throw badRequest("samples is the number of test reviews of source 'test'; source 'text' measures the one text sent");
    if (source === 'test' && forText.length) throw badRequest(`${forText.join(' and ')} ${forText.length > 1 ? 'are' : 'is'} for source 'text'; source 'test' measures test reviews with their own labels`);
    if (named === undefined) refuseDefaultPairOverCap(runs.maxModelParams);
    // A client that goes away (or a server that closes, which ends its connections) stops its measurement's process.
    const gone = new AbortController();
    ctx.res.once('close', () => gone.abort());
    return gradientQueue.run(async () => {
      const items: GradientItem[] = [];
      const loaded = [];
      for (const id of ids) {
        // Loaded here too, for the same refusals as every route (unknown, unfinished, too large, not IMDb).
        const entry = await models.get(id, 'imdb');
        const meta = entry.meta as Extract<typeof entry.meta, { task: 'imdb' }>;
        let batch;
        if (source === 'text') batch = { rows: [encodeReview(text!, meta).ids], labels: [label === 'positive' ? 1 : 0] };
        else {
          try {
            batch = await testSet.rows(meta, samples);
          } catch (e) {
            if (e instanceof DataError) throw new HttpError(409, `the IMDb test reviews are not available here, so measure on a typed review instead (source 'text'). ${e.message.split('\n')[0].replace(/\s*Checked:$/, '')}`);
            throw e;
          }
        }
        items.push({ id, ...batch });
        loaded.push(entry);
      }
      // The measurement holds a thread for seconds at 256 reviews: in a process of its own, which reads each model
      // from its run folder (or builds the same seeded untrained one), the server's event loop stays free.
      const { series, versions } = await measureInProcess({ runsDir: runs.dir, maxModelParams: runs.maxModelParams, items }, { deadlineMs: GRADIENT_DEADLINE_MS, signal: gone.signal });
      // A run folder rewritten meanwhile: the numbers are another model's than the one this server checked.
      const changed = loaded.find((e, i) => e.source === 'disk' && e.version !== versions[i]);
      if (changed) throw new HttpError(409, `the model of run '${changed.id}' changed on disk while it was measured; try again`);
      return { source, samples: series[0]?.samples ?? 0, series };
    });
  });

  r.post('/api/inspect/long-range', async (ctx) => {
    new Fields(await body(ctx)).done();
    const runs = await longRangeGradients();
    return { steps: runs[0].initial.norms.length, runs: runs.map((r) => ({ cell: r.cell, className: r.initial.className, accuracy: r.accuracy, forgetGate: r.forgetGate ?? null,
      initial: { h: r.initial.norms, c: r.initial.cellNorms ?? null, x: r.initial.inputNorms },
      trained: { h: r.trained.norms, c: r.trained.cellNorms ?? null, x: r.trained.inputNorms } })) };
  });

  r.post('/api/inspect/embedding', async (ctx) => {
    const f = new Fields(await body(ctx));
    const id = wholeText(f.str('model', 200, true), 'model');
    const words = f.int('words', 2, MAX_PROJECTED_WORDS, 300);
    const query = wholeText(f.str('query', 100), 'query');
    f.done();
    const entry = await models.get(id, 'imdb');
    return projectEmbedding(entry.model, words, query);
  });

  r.post('/api/inspect/commutativity', async (ctx) => {
    const f = new Fields(await body(ctx));
    const id = wholeText(f.str('model', 200, true), 'model');
    const query = wholeText(f.str('query', 40), 'query');
    const aIn = f.int('a', 0, 99999);
    const bIn = f.int('b', 0, 99999);
    f.done();
    const entry = await models.get(id, 'addition');
    const meta = entry.meta as Extract<typeof entry.meta, { task: 'addition' }>;
    let a: number, b: number;
    if (query !== undefined && (aIn !== undefined || bIn !== undefined)) throw badRequest('send query ("231+432") or both a and b, not both forms');
    if (query !== undefined) ({ a, b } = parseSum(query, meta.digits));
    else if (aIn !== undefined && bIn !== undefined) [a, b] = [aIn, bIn];
    else throw badRequest('send query ("231+432") or both a and b');
    return commutativity(entry, a, b);
  });
  return r;
}

/** The pair `POST /api/inspect/gradients` measures when no models are named: SimpleRNN against LSTM, untrained. */
const DEFAULT_GRADIENT_KINDS = ['simple_rnn', 'lstm'] as const;

/**
 * Under a small --max-model-params the default pair's untrained networks may be over the cap. The client named no
 * model, so the 422 says where the one refused came from and how to measure others, as the dashboard's gradients view
 * says which untrained model is over the cap: measuring only the one left would answer another question than the pair.
 */
function refuseDefaultPairOverCap(limit: number | undefined): void {
  if (limit === undefined) return;
  const over = DEFAULT_GRADIENT_KINDS.map((kind) => ({ id: `fresh:${kind}`, params: freshParams(kind) })).filter((m) => m.params > limit);
  if (!over.length) return;
  const count = (n: number) => n.toLocaleString('en-US');
  const which = over.length === 1
    ? `the untrained model '${over[0].id}' has ${count(over[0].params)} parameters,`
    : `the untrained models ${over.map((m) => `'${m.id}' (${count(m.params)} parameters)`).join(' and ')} are`;
  throw new HttpError(422, `${which} over this dashboard's limit of ${count(limit)} (rnnlab serve --max-model-params), and ` +
    `${over.length === 1 ? 'it is one of' : 'they are'} the default pair (${DEFAULT_GRADIENT_KINDS.map((k) => `fresh:${k}`).join(', ')}) measured when models is not sent: ` +
    'send models, naming IMDb models within the limit (GET /api/models lists them)');
}

/**
 * A text holding half a character (a JSON escape such as "\ud83d" without its other half) is refused as
 * `rnnlab predict` refuses it in a JSON Lines file, in the same words: scored, it would read as an unknown token.
 * A model id holding one is refused alike (no run folder can be named so): a 404 would echo it as if it were a name.
 */
function wholeText<T extends string | undefined>(text: T, field: string): T {
  const problem = text === undefined ? null : loneSurrogateProblem(text, `field '${field}'`);
  if (problem !== null) throw badRequest(problem);
  return text;
}

function hostHeaderCount(req: IncomingMessage): number {
  let n = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i].toLowerCase() === 'host') n++;
  return n;
}

function errorStatus(e: unknown): { status: number; message: string } {
  if (e instanceof HttpError) return { status: e.status, message: e.message };
  if (e instanceof DataError) return { status: 400, message: e.message };
  // The details (and the machine's paths in them) go to the server's log, not to the client.
  return { status: 500, message: 'internal error; the log of rnnlab serve has the details' };
}

/**
 * Node's defaults give a client 60 s to send its headers and 5 minutes for a whole request, and take any number of
 * connections: a few thousand slow clients would hold the server's file descriptors (and then it could not read a run).
 * The API's requests are small (bodies at most 1 MiB), so these are generous for any real client; an event stream is
 * a request received in full at once, so the timeouts do not end it. Browsers open at most 6 connections per host.
 * writeStallMs bounds a client that stops reading its answer (dropStalledWriters).
 */
export const SERVER_LIMITS = { headersTimeoutMs: 20_000, requestTimeoutMs: 60_000, maxConnections: 256, checkEveryMs: 1_000, unreadLingerMs: 1_000, writeStallMs: 60_000 };

/** Sockets answered for the last time: what the parser makes of the bytes still coming is no request, and no error. */
const lingering = new WeakSet<Duplex>();

/**
 * The server's one way to close a connection once its last answer is written (`last`, on a raw socket, or one already
 * ended). A socket closed with bytes unread makes the kernel send a reset, and a client still writing (fetch and
 * http.request send the whole body before they read; a client pipelines) then loses the answer with it. So the answer
 * ends with a half-close, what still comes is read and dropped, and a moment after the answer is written the
 * connection is destroyed however much is still coming: a client cannot hold it by sending on, nor (as after end()
 * alone) by never closing its side, which would keep it counted against maxConnections.
 */
function closeAfterLinger(socket: Duplex, last?: string): void {
  lingering.add(socket);
  const linger = () => setTimeout(() => socket.destroy(), SERVER_LIMITS.unreadLingerMs).unref();
  if (!socket.writableEnded) socket.end(last);
  if (socket.writableFinished) linger();
  else socket.once('finish', linger);
}

/**
 * Sends a last answer on a raw connection (a CONNECT's, or one whose request Node's parser refused). No parser reads
 * it any more (a CONNECT's socket is handed over; a refused one's would only refuse again), so the rest is dropped as
 * it comes.
 */
function answerAndClose(socket: Duplex, answer: string): void {
  socket.removeAllListeners('data');
  socket.on('data', () => {});
  socket.resume();
  closeAfterLinger(socket, answer);
}

/**
 * Node ends every answer that closes its connection (the request asked to, or the answer says `connection: close`)
 * with destroySoon(), which destroys the socket as soon as the answer is written: it closes as the others do instead,
 * while the parser goes on reading (and dropping) what follows.
 */
function lingerOnClose(socket: Socket): void {
  socket.destroySoon = () => closeAfterLinger(socket);
}

/**
 * A client that stops reading an answer larger than the kernel's buffers holds its connection (and a slot under
 * maxConnections) for as long as it keeps it open: the answer never finishes, so neither the linger above nor
 * keep-alive's timeout starts, and Node's request timeouts are over once the request has arrived. Node's socket
 * timeout would count idleness both ways and so cut an event stream with nothing to send, or a request the server
 * takes long to answer; what counts here is whether the client takes what is waiting for it. A connection whose
 * pending output has not moved for `stallMs` is destroyed. Progress shows when a write completes (the kernel took all
 * of it): answers are written a piece at a time (sendBody), so a client reading steadily, however slowly, shows
 * progress with every piece it takes.
 */
function dropStalledWriters(server: http.Server, stallMs: number, everyMs: number): void {
  const marks = new Map<Socket, { taken: number; at: number }>();
  server.on('connection', (socket: Socket) => {
    marks.set(socket, { taken: 0, at: performance.now() });
    socket.once('close', () => marks.delete(socket));
  });
  // One timer for every connection; performance.now() does not jump when the wall clock is set. Started once the
  // server listens: one that fails to listen never closes, and would leave its timer (and itself) behind.
  server.once('listening', () => {
    const timer = setInterval(() => {
      const now = performance.now();
      for (const [socket, mark] of marks) {
        if (socket.destroyed) continue;
        const pending = socket.writableLength;
        // bytesWritten counts what was handed to the socket, writableLength what of it the kernel has not yet taken.
        const taken = socket.bytesWritten - pending;
        if (pending === 0 || taken !== mark.taken) Object.assign(mark, { taken, at: now });
        else if (now - mark.at >= stallMs) socket.destroy();
      }
    }, everyMs).unref();
    server.once('close', () => clearInterval(timer));
  });
}

/** The answers to requests Node's parser refuses before the router sees them. */
const CLIENT_ERRORS: Record<string, [string, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: ['408 Request Timeout', 'the request did not arrive in time'],
  HPE_HEADER_OVERFLOW: ['431 Request Header Fields Too Large', 'the request headers are too large'],
};

/** The runs folder could not be made: nothing was bound, and the message names the folder (not the port). */
export class RunsFolderError extends Error {
  constructor(message: string, readonly code: string | undefined) {
    super(message);
    this.name = 'RunsFolderError';
  }
}

const FOLDER_REASONS: Record<string, string> = {
  EACCES: 'permission denied', EPERM: 'permission denied', EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full', ENOTDIR: 'a part of its path is a file', EEXIST: 'a file of that name is in the way',
  // Under /proc and similar file systems a folder that exists refuses new folders with ENOENT.
  ENOENT: 'no folder can be made there',
};

/**
 * Makes the runs folder and any missing folder above it, one level at a time: Node's recursive mkdir never returns
 * under a folder such as /proc, where making a folder fails with ENOENT although its parent exists. Returns the
 * folders it made, outermost first.
 */
function makeRunsDir(runsDir: string): string[] {
  const made: string[] = [];
  try {
    const missing: string[] = [];
    for (let p = runsDir; !existsSync(p) && path.dirname(p) !== p; p = path.dirname(p)) missing.unshift(p);
    for (const p of missing) {
      try {
        mkdirSync(p);
        made.push(p);
      } catch (e) {
        // Made meanwhile by another process: fine when it is a folder.
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(p).isDirectory()) throw e;
      }
    }
    if (!statSync(runsDir).isDirectory()) throw Object.assign(new Error(`${runsDir} is a file`), { code: 'EEXIST' });
    return made;
  } catch (e) {
    removeEmptyFolders(made);
    const code = (e as NodeJS.ErrnoException).code;
    throw new RunsFolderError(`cannot make the runs folder ${displayPath(runsDir)}: ${FOLDER_REASONS[code ?? ''] ?? (e as Error).message}`, code);
  }
}

/**
 * Removes the folders a start made (outermost first) when it fails, innermost first; one that is no longer empty
 * (another process wrote into it meanwhile) is left as it is, with the folders above it.
 */
function removeEmptyFolders(made: readonly string[]): void {
  for (const p of [...made].reverse()) {
    try {
      rmdirSync(p);
    } catch {
      return;
    }
  }
}

/** A job's stream in the event hub (GET /api/jobs/:id/events). */
const jobTopic = (id: string) => `job:${id}`;

/**
 * Where the queue's events go. The general stream (every page's) carries each job's summary and its progress; a
 * job's own stream also its epochs (histograms, samples) and batch points, and ends after the job's last state.
 */
function jobEvents(hub: EventHub, jobs: () => JobQueue): Broadcast {
  return (event, data) => {
    const { id } = data as { id: string };
    const topic = jobTopic(id);
    if (event === 'batches') {
      hub.broadcast('progress', { id, progress: (data as { progress: Progress | null }).progress });
      hub.broadcast(event, data, topic);
    } else if (event === 'epoch') {
      hub.broadcast(event, data, topic);
      // The job list's summary counts epochs and shows the last one's numbers.
      hub.broadcast('job', jobs().summary(id));
    } else {
      hub.broadcast(event, data);
      hub.broadcast(event, data, topic);
      const { status } = data as JobSummary;
      if (event === 'job' && jobEnded(status)) hub.endTopic(topic, ['end', { id, status }]);
    }
  };
}

/** 50 million parameters (200 MB of float32): ten times the lab's largest model, far below what would exhaust memory. */
export const DEFAULT_MAX_MODEL_PARAMS = 50_000_000;

/** The demo jobs with the given fields replaced; an unknown task or an invalid job is an error naming it. */
function demoJobs(overrides: DashboardOptions['demoJobs'] = {}, maxParams = DEFAULT_MAX_MODEL_PARAMS): typeof DEMO_JOBS {
  const out = { ...DEMO_JOBS };
  for (const [task, fields] of Object.entries(overrides)) {
    if (task !== 'imdb' && task !== 'addition') throw new Error(`demoJobs: unknown task '${task}' (imdb or addition)`);
    const job = { ...DEMO_JOBS[task], ...fields, task };
    try { parseJobSpec(job, maxParams); } catch (e) { throw new Error(`demoJobs.${task}: ${(e as Error).message}`); }
    out[task] = job;
  }
  return out;
}

export async function startDashboard(o: DashboardOptions = {}): Promise<Dashboard> {
  const demo = demoJobs(o.demoJobs, o.maxModelParams);
  const host = o.host ?? '127.0.0.1';
  const loopback = isLoopback(host);
  const token = o.token !== undefined ? checkToken(o.token) : loopback ? null : randomToken();
  const runsDir = path.resolve(o.runsDir ?? 'runs');
  // A start that fails (a port in use, an unknown host) leaves no folder of its making behind.
  const madeFolders = makeRunsDir(runsDir);
  // Before anything reads or writes the folders: what interrupted writes of processes now gone left behind.
  removeStaleTemps(runsDir, (line) => console.error(`rnnlab serve: ${line}`));
  // Answers and events name the runs, data and cache folders (and anything under them) relative to where the user works.
  const redactFolders = [runsDir, o.dataPath && path.resolve(o.dataPath), resolveCacheDir()];
  const redact = pathRedactor(redactFolders);
  const hub = new EventHub(redact);
  const runs = new RunStore(runsDir, o.maxModelParams ?? DEFAULT_MAX_MODEL_PARAMS);
  runs.redactFolders = redactFolders;
  const models = new ModelRegistry(runs);
  const restored = restoredJobs(runs.records(), (id) => savedModelDir(path.join(runsDir, id)) !== null, (id) => modelNewerThanRecord(path.join(runsDir, id)));
  const jobs: JobQueue = new JobQueue(runsDir, jobEvents(hub, () => jobs), o.dataPath, o.batchDelayMs ?? 0, restored);
  runs.trainingHere = (id) => jobs.writingRun(id);
  runs.jobFailure = (id) => jobs.list().find((j) => j.runId === id && j.status === 'failed')?.error ?? null;
  const lab = new LabRunner((ev, data) => hub.broadcast(ev, data), o.dataPath && path.resolve(o.dataPath));
  const router = buildRouter({ runs, jobs, models, hub, lab, dataPath: o.dataPath, demo });
  let gate: TokenGate | null = null;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = requestUrl(req.url);
    // Node keeps the first of several Host headers; RFC 9112 makes more than one a 400, and which one counts must not be a guess.
    if (hostHeaderCount(req) > 1) throw new HttpError(400, 'more than one Host header');
    const hostHeader = parseHost(req.headers.host);
    if (!hostHeader) throw new HttpError(400, `malformed Host header '${(req.headers.host ?? '').slice(0, 200)}'`);
    // Bound to loopback, accept only loopback names: a web page elsewhere cannot reach us through DNS rebinding.
    if (loopback && !isLoopback(hostHeader.name)) {
      throw new HttpError(403, `this dashboard answers only to localhost; got Host '${req.headers.host ?? ''}'`);
    }
    if (token !== null) (gate ??= new TokenGate(token, (server.address() as AddressInfo).port)).check(req, res, url);
    checkSameOrigin(req);
    if (!url.pathname.startsWith('/api/')) {
      if (req.method === 'OPTIONS') return allowAnswer(['GET', 'HEAD'])({ req, res, url, params: {} });
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, `${req.method} is not allowed on ${url.pathname}`, { allow: 'GET, HEAD, OPTIONS' });
      await sendFile(res, webFile(url.pathname), req.method === 'HEAD').catch((e) => {
        throw e instanceof UnsafeFileError ? new HttpError(404, `no such file: ${url.pathname}`) : e;
      });
      return;
    }
    // The route first: a POST where none is taken is a 404 or a 405 whatever its body's type.
    const { handler, params, query } = router.match(req.method ?? 'GET', url.pathname);
    if (req.method === 'POST') requireJsonType(req);
    // The API reads its fields from JSON bodies, and a few listings their page from the query: any other query
    // parameter would be accepted and ignored.
    const stray = [...new Set(url.searchParams.keys())].filter((k) => k !== TOKEN_PARAM && !query.includes(k));
    if (stray.length) {
      const takes = query.length ? `${url.pathname} takes only ${query.join(' and ')} in its query` : `${url.pathname} takes no query parameters`;
      throw badRequest(`${takes} (got ${stray.map((k) => `'${k.slice(0, 100)}'`).join(', ')}); send fields in a JSON body`);
    }
    const value = await handler({ req, res, url, params });
    if (value !== undefined && !res.headersSent) sendJson(res, res.statusCode === 200 ? 200 : res.statusCode, value, redact);
  };

  // Connections with a response not yet finished (Node keeps this only in a private field).
  const answering = new WeakMap<object, ServerResponse>();
  // Connections whose parser refused bytes behind an answer still going: the refusal follows that answer.
  const refusing = new WeakSet<object>();
  const server = http.createServer({
    headersTimeout: SERVER_LIMITS.headersTimeoutMs,
    requestTimeout: SERVER_LIMITS.requestTimeoutMs,
    connectionsCheckingInterval: SERVER_LIMITS.checkEveryMs,
  }, (req, res) => {
    const socket = req.socket;
    const before = answering.get(socket);
    answering.set(socket, res);
    res.once('close', () => {
      if (answering.get(socket) === res) answering.delete(socket);
    });
    // Node parses a request pipelined behind another (even behind the rest of a refused body, read and dropped) and
    // hands it over at once, but never writes its answer once an earlier one closed the connection. So a request
    // waits for the answer before it, and one whose answer could never be sent is not acted on: a client retrying
    // it must not have queued a job twice.
    if (before) before.once('close', () => serve(req, res));
    else serve(req, res);
  });
  const serve = (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    if (socket.destroyed || socket.writableEnded) {
      // Its body is still read (and dropped): unread bytes would make the close a reset that loses the last answer.
      req.resume();
      return;
    }
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const answer = handle(req, res);
    // An event stream that began behind bytes the parser refused: it ends after its opening, and the refusal follows.
    if (refusing.has(socket) && isEventStreamSocket(socket)) hub.endOn(socket);
    answer.catch((e) => {
      const { status, message } = errorStatus(e);
      // A body left unread (a 413 sent as soon as its length passed the limit) is not read to its end: the connection
      // closes after the answer (lingerOnClose), what comes meanwhile read and dropped.
      if (!req.complete) {
        if (!res.headersSent) res.setHeader('connection', 'close');
        req.resume();
      }
      // A refusal the server chose (a 503 when full) is no fault of its own: only the unexpected gets a stack in the log.
      if (status >= 500 && !(e instanceof HttpError)) console.error(`rnnlab serve: ${req.method} ${req.url}: ${(e as Error)?.stack ?? String(e)}`);
      if (!res.headersSent) {
        if (e instanceof HttpError) for (const [k, v] of Object.entries(e.headers)) res.setHeader(k, v);
        if (wantsPage(req)) sendErrorPage(res, status, message, redact);
        else sendJson(res, status, { error: message, status }, redact);
      } else res.end();
    });
  };
  server.maxConnections = SERVER_LIMITS.maxConnections;
  server.on('connection', lingerOnClose);
  dropStalledWriters(server, SERVER_LIMITS.writeStallMs, SERVER_LIMITS.checkEveryMs);
  // Without a listener Node closes a CONNECT's connection without a word: it gets the 405 other unserved methods get.
  server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    // Node hands the socket over with no error listener: a client resetting it must not take the server down.
    socket.on('error', () => socket.destroy());
    const text = JSON.stringify({ error: `${req.method} is not allowed here (this is no proxy)`, status: 405 });
    const headers = { ...SECURITY_HEADERS, allow: 'GET, HEAD, OPTIONS', 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text), connection: 'close' };
    answerAndClose(socket, `HTTP/1.1 405 Method Not Allowed\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${text}`);
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (lingering.has(socket)) return;
    // A request is answered before the connection is judged for the bytes after it, an event stream as any other: it
    // never ends by itself, so the bytes refused end it once its headers and what is queued for it are written; then
    // the requests pipelined behind it are answered, in order, and the refusal follows them (below). Nothing is ever
    // written into a stream.
    if (isEventStreamSocket(socket)) {
      if (!socket.writable) {
        socket.destroy(err);
        return;
      }
      hub.endOn(socket);
    }
    // A body that stops arriving: its handler is still waiting for it and has answered nothing, so the client is told
    // why (rather than finding the connection cut), and the connection closes once that is sent.
    const waiting = answering.get(socket);
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT' && waiting && !waiting.headersSent && socket.writable) {
      waiting.setHeader('connection', 'close');
      sendJson(waiting, 408, { error: `the request body did not arrive within ${server.requestTimeout / 1000} s`, status: 408 });
      return;
    }
    // Bytes after a request that asked to close: that request is still answered (RFC 9112 9.6), then the connection
    // closes (lingerOnClose) and nothing after it is processed: the parser refuses each further piece, and that is all.
    if (err.code === 'HPE_CLOSED_CONNECTION' && waiting) return;
    if (!socket.writable) {
      socket.destroy(err);
      return;
    }
    const [status, text] = CLIENT_ERRORS[err.code ?? ''] ?? ['400 Bad Request', 'malformed HTTP request'];
    const refuse = () => answerAndClose(socket, `HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-type: text/plain\r\n\r\n${text}\n`);
    if (!waiting) return refuse();
    // Bad bytes behind requests still being answered (pipelined in the same write): those answers go first, whole,
    // then the refusal, unless the last of them closed the connection (it lingers). The parser refuses each further
    // piece meanwhile: one refusal is pending.
    if (refusing.has(socket)) return;
    refusing.add(socket);
    waiting.once('close', () => {
      if (socket.writable && !lingering.has(socket)) refuse();
    });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      removeEmptyFolders(madeFolders);
      reject(e);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(o.port ?? 8787, host);
  });
  const addr = server.address() as AddressInfo;
  const shown = addr.address.includes(':') ? `[${addr.address}]` : addr.address;
  const url = `http://${shown === '[::]' ? '[::1]' : shown === '0.0.0.0' ? '127.0.0.1' : shown}:${addr.port}/${token === null ? '' : `?${TOKEN_PARAM}=${token}`}`;
  let closing: Promise<void> | null = null;
  return {
    server, url, port: addr.port, host, token, runs, jobs, models, lab,
    close() {
      closing ??= (async () => {
        await Promise.all([jobs.close(), lab.close()]);
        hub.close();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), 1000);
        await closed;
        clearTimeout(force);
      })();
      return closing;
    },
  };
}
