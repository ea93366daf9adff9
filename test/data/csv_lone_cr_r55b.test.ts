/**
 * Lone-CR line ends (old Mac files) on a stream: a row is read as soon as its CR arrives, not held until the next
 * chunk says whether an LF follows; CRLF split across two chunks is still one line end.
 */
import { describe, expect, it } from 'vitest';
import { csvRecords, type CsvItem } from '../../src/data/csv_records.js';

/** A source whose chunks are handed over one at a time, when the test says so (as stdin gives a line as it is typed). */
function typedSource() {
  const queue: (string | null)[] = [];
  let wake: (() => void) | null = null;
  const source: AsyncIterable<string> = {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        while (queue.length === 0) await new Promise<void>((r) => { wake = r; });
        const next = queue.shift();
        if (next === null || next === undefined) return;
        yield next;
      }
    },
  };
  const send = (chunk: string | null) => { queue.push(chunk); const w = wake; wake = null; w?.(); };
  return { source, send };
}

/** The next item, or 'waiting' when the reader is still waiting for more text after the source has been given time. */
async function nextOrWaiting(it: AsyncIterator<CsvItem>): Promise<CsvItem | 'waiting' | 'done'> {
  const pending = it.next();
  const waited = new Promise<'waiting'>((r) => setTimeout(() => r('waiting'), 50));
  const r = await Promise.race([pending.then((x) => (x.done ? 'done' as const : x.value)), waited]);
  if (r === 'waiting') pendingNext.set(it, pending);
  return r;
}
const pendingNext = new Map<AsyncIterator<CsvItem>, Promise<IteratorResult<CsvItem>>>();
async function next(it: AsyncIterator<CsvItem>): Promise<CsvItem | 'done'> {
  const pending = pendingNext.get(it) ?? it.next();
  pendingNext.delete(it);
  const x = await pending;
  return x.done ? 'done' : x.value;
}

describe('csvRecords on a stream with lone-CR line ends', () => {
  it('gives each row out as its CR arrives, before the next line is sent', async () => {
    const { source, send } = typedSource();
    const it = csvRecords(source, '<stdin>', ',', 1000)[Symbol.asyncIterator]();
    send('text,label\r');
    expect(await nextOrWaiting(it)).toEqual({ fields: ['text', 'label'], line: 1 });
    send('good film,1\r');
    expect(await nextOrWaiting(it)).toEqual({ fields: ['good film', '1'], line: 2 });
    send('bad film,0\r');
    expect(await nextOrWaiting(it)).toEqual({ fields: ['bad film', '0'], line: 3 });
    send(null);
    expect(await next(it)).toBe('done');
  });

  it('an LF opening the next chunk after a chunk-ending CR is the same line end (no blank row, lines counted once)', async () => {
    const { source, send } = typedSource();
    const it = csvRecords(source, '<stdin>', ',', 1000)[Symbol.asyncIterator]();
    send('a,1\r');
    expect(await nextOrWaiting(it)).toEqual({ fields: ['a', '1'], line: 1 });
    send('\nb,2\r');
    expect(await nextOrWaiting(it)).toEqual({ fields: ['b', '2'], line: 2 });
    send('\r');
    send('c,3');
    send(null);
    // CR CR is two line ends: a blank line 3 (skipped), c on line 4; the last row has no line end, read at the stream's end.
    expect(await next(it)).toEqual({ fields: ['c', '3'], line: 4 });
    expect(await next(it)).toBe('done');
  });

  it('a CR that ends the stream ends its row, and a quoted field keeps a CRLF split across chunks as one newline', async () => {
    const read = async (chunks: string[]) => {
      const out: CsvItem[] = [];
      for await (const r of csvRecords((async function* () { yield* chunks; })(), 'f.csv', ',', 1000)) out.push(r);
      return out;
    };
    expect(await read(['x,1\r', 'y,2\r'])).toEqual([{ fields: ['x', '1'], line: 1 }, { fields: ['y', '2'], line: 2 }]);
    expect(await read(['"two\r', '\nlines",1\r', '\nz,2'])).toEqual([{ fields: ['two\nlines', '1'], line: 1 }, { fields: ['z', '2'], line: 3 }]);
  });
});
