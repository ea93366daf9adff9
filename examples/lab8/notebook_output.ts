/**
 * Imported by the notebook's setup cell (not by the sections): makes each cell's printed output land in that cell
 * on Deno's Jupyter kernel. Elsewhere (`npm run lab`, plain Deno) it does nothing.
 *
 * Why: the kernel hands console output to a channel that another thread forwards to Jupyter, and reports the cell
 * finished without waiting for that channel to drain (it only sleeps 5 ms). Lines still queued then are dropped by
 * the client (they arrive after the cell went idle) or land under the next cell (they are labelled with the newest
 * request). And `process.stdout.write`, where fit's progress goes, reaches no cell at all.
 *
 * So here every console method and process.stdout/stderr.write is collected into whole lines, sent in few messages,
 * and the kernel's last step of a cell (publishing its result) first waits for those messages to leave. The wait
 * is a time allowance: the kernel offers no way to learn when its channel is empty.
 */
type Stream = 'stdout' | 'stderr';
interface JupyterInternals { inspectArgs?: (args: unknown[]) => string; jupyter: { broadcastResult: (...a: unknown[]) => Promise<unknown> } }
interface DenoLike { internal: symbol; inspect(v: unknown): string; jupyter?: { broadcast(type: string, content: unknown): unknown } }

const deno = (globalThis as { Deno?: DenoLike }).Deno;
const found = deno?.jupyter ? (deno as unknown as Record<symbol, Partial<JupyterInternals> | undefined>)[deno.internal] : undefined;
// The end-of-cell step is a Deno internal (the pinned deno devDependency has it): another Deno without it runs the
// notebook as before, said once, rather than failing the setup cell.
const internals = typeof found?.jupyter?.broadcastResult === 'function' ? found as JupyterInternals : undefined;
if (deno?.jupyter && internals === undefined) {
  console.warn('notebook_output: this Deno kernel has no broadcastResult to wait on; printed lines may land under the next cell or be lost, and fit\'s progress is not shown');
}

/** Whether this process is Deno's Jupyter kernel (and output goes through the workaround below). */
export const inJupyterKernel = internals !== undefined;

/** Milliseconds the end of a cell waits for its last message to be forwarded: a floor, plus some per message. */
function drainAllowance(messages: number): number {
  return messages === 0 ? 0 : 200 + 5 * messages;
}

if (deno && internals) {
  const broadcast = deno.jupyter!.broadcast.bind(deno.jupyter);
  const pending: Record<Stream, string> = { stdout: '', stderr: '' };
  let order: Stream[] = [];
  let sentSinceCellEnd = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  // Complete lines go out together after the current task; a partial line waits for its newline (or the cell's end).
  const send = (all: boolean) => {
    timer = undefined;
    for (const name of order) {
      const text = pending[name];
      const cut = all ? text.length : text.lastIndexOf('\n') + 1;
      if (cut === 0) continue;
      pending[name] = text.slice(cut);
      // A live progress bar redraws its line after a \r: the cell keeps what the line ends as.
      broadcast('stream', { name, text: text.slice(0, cut).split('\n').map((l) => l.slice(l.lastIndexOf('\r') + 1)).join('\n') });
      sentSinceCellEnd++;
    }
    order = order.filter((n) => pending[n] !== '');
  };
  const write = (name: Stream, text: string) => {
    if (text === '') return;
    if (pending[name] === '') order.push(name);
    pending[name] += text;
    timer ??= setTimeout(() => send(false), 0);
  };
  // As Deno's own console formats (%s and the like included), where the kernel offers its formatter.
  const inspectArgs = internals.inspectArgs ?? ((args: unknown[]) => args.map((a) => (typeof a === 'string' ? a : deno.inspect(a))).join(' '));
  const format = (args: unknown[]) => `${inspectArgs(args)}\n`;

  for (const m of ['log', 'info', 'debug'] as const) console[m] = (...a: unknown[]) => write('stdout', format(a));
  for (const m of ['warn', 'error'] as const) console[m] = (...a: unknown[]) => write('stderr', format(a));
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = process[name] as unknown as { write: (chunk: unknown, ...rest: unknown[]) => boolean };
    stream.write = (chunk: unknown, ...rest: unknown[]) => {
      write(name, typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk as Uint8Array));
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    };
  }

  const publishResult = internals.jupyter.broadcastResult;
  internals.jupyter.broadcastResult = async (...args: unknown[]) => {
    if (timer !== undefined) clearTimeout(timer);
    send(true);
    const wait = drainAllowance(sentSinceCellEnd);
    sentSinceCellEnd = 0;
    if (wait > 0) await new Promise((done) => setTimeout(done, wait));
    return publishResult(...args);
  };
}
