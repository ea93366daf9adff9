/**
 * A failed run's recorded reason is its error's message, not the last lines of a stack: with RNNLAB_DEBUG=1 the
 * run's CLI prints its stack after the message, and a Node crash ends with frames and "Node.js vNN".
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineSplitter } from '../../src/line_splitter.js';
import { explainingLines, failureReason } from '../../src/sweep/execute.js';
import { runSweepLocal, type SweepEvent } from '../../src/sweep/pool.js';
import { readSweepRecord } from '../../src/sweep/record.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { envForFile } from '../helpers/env.js';
import { cleanup, requireFreshDist, tempDir } from './helpers.js';

requireFreshDist();

let root: string;
beforeAll(() => { root = tempDir(); });
afterAll(() => cleanup());
envForFile(() => ({ RNNLAB_DEBUG: '1', RNNLAB_CACHE: path.join(root, 'cache') }));

describe('a sweep whose run fails with a stack on its stderr', () => {
  it('records and reports the error message as the run\'s reason, no stack frame', async () => {
    const bad = path.join(root, 'bad.tar.gz');
    writeFileSync(bad, 'not a tarball\n');
    const spec = parseSpec(`command: imdb
flags: { data: ${JSON.stringify(bad)}, limit: 40, epochs: 1, maxlen: 8, vocab: 500, embedding_dim: 4, units: 4, model: lstm }
attempts: 1
`);
    const dir = path.join(root, 'sweep');
    const events: SweepEvent[] = [];
    const out = await runSweepLocal(spec, { dir, parallel: 1, threads: 1, onEvent: (e) => events.push(e) });
    expect(out.summary).toMatchObject({ completed: 0, failed: 1 });
    const message = `${bad} is truncated: the archive ends inside a header (at byte 14)`;
    const want = `run seed-1 failed (exit 1): rnnlab imdb: data error: ${message}`;
    const run = readSweepRecord(dir)!.runs[0];
    expect(run).toMatchObject({ status: 'failed', attempts: 1 });
    expect(run.error).toBe(want);
    const failed = events.find((e) => e.type === 'failed');
    expect(failed?.type === 'failed' && failed.error).toBe(want);
  }, 120_000);
});

describe('failureReason', () => {
  it('keeps the message of a Node crash, not its source excerpt, frames or version trailer', () => {
    // Node's report of an uncaught error, as lineSplitter hands it over (trimmed, blank lines dropped, frames left out).
    const lines = [
      'Epoch 1/2 done',
      'file:///app/dist/layers/dense.js:41',
      'throw new Error(`Dense: units must be a positive integer, got ${units}`);',
      '^',
      'Error: Dense: units must be a positive integer, got 0',
      'Node.js v20.11.0',
    ];
    expect(failureReason(lines)).toBe('Epoch 1/2 done | Error: Dense: units must be a positive integer, got 0');
  });

  // Node 20's stderr for three crashes, verbatim but for the file names: the reason is the error's message alone.
  const reasonOf = (stderr: string) => {
    const explains = explainingLines();
    const kept: string[] = [];
    const split = lineSplitter((line) => { if (explains(line)) kept.push(line); });
    split.push(stderr);
    split.flush();
    return failureReason(kept);
  };

  it("leaves out an unhandled 'error' event's heading, frames and the error's properties", () => {
    expect(reasonOf(`node:events:502
      throw er; // Unhandled 'error' event
      ^

Error: ENOENT: no such file or directory, open '/nonexistent-dir/x.txt'
Emitted 'error' event on WriteStream instance at:
    at emitErrorNT (node:internal/streams/destroy:169:8)
    at emitErrorCloseNT (node:internal/streams/destroy:128:3)
    at process.processTicksAndRejections (node:internal/process/task_queues:82:21) {
  errno: -2,
  code: 'ENOENT',
  syscall: 'open',
  path: '/nonexistent-dir/x.txt'
}

Node.js v20.20.2
`)).toBe("Error: ENOENT: no such file or directory, open '/nonexistent-dir/x.txt'");
  });

  it('leaves out the last frame and the property block of an error with a code, nested ones too', () => {
    const frames = `    at file:///app/crash.mjs:3:50
    at ModuleJob.run (node:internal/modules/esm/module_job:325:25)
    at async ModuleLoader.import (node:internal/modules/esm/loader:606:24)
    at async asyncRunEntryPointWithESMLoader (node:internal/modules/run_main:117:5) {`;
    const crash = (props: string) => `file:///app/crash.mjs:3
setTimeout(() => { throw e; });
                   ^

Error: units must be a positive integer, got 0
${frames}
${props}
}

Node.js v20.20.2
`;
    expect(reasonOf(crash("  code: 'ERR_BAD_UNITS'"))).toBe('Error: units must be a positive integer, got 0');
    expect(reasonOf(crash(`  code: 'Y',
  info: {
    a: { b: 1 },
    list: [
      'item0',  'item1',
      'item2',  'item3'
    ]
  },
  [cause]: Error: inner
  ${frames}
    code: 'X'
  }`))).toBe('Error: units must be a positive integer, got 0 | [cause]: Error: inner');
  });

  it("keeps the message of the error's cause, and of the cause's cause, but not the frames they share", () => {
    expect(reasonOf(`/app/crash.cjs:2
throw new Error('could not save the checkpoint', { cause: e });
^

Error: could not save the checkpoint
    at Object.<anonymous> (/app/crash.cjs:2:7)
    at Module._compile (node:internal/modules/cjs/loader:1521:14)
    ... 4 lines matching cause stack trace ...
    at node:internal/main/run_main_module:28:49 {
  [cause]: Error: ENOSPC: no space left on device, write
      at Object.<anonymous> (/app/crash.cjs:1:25)
      at Module._compile (node:internal/modules/cjs/loader:1521:14)
      at Module._extensions..js (node:internal/modules/cjs/loader:1623:10)
      at Module.load (node:internal/modules/cjs/loader:1266:32)
      at Module._load (node:internal/modules/cjs/loader:1091:12)
      at Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:164:12)
      at node:internal/main/run_main_module:28:49 {
    code: 'ENOSPC'
  }
}

Node.js v20.20.2
`)).toBe('Error: could not save the checkpoint | [cause]: Error: ENOSPC: no space left on device, write');
    expect(reasonOf(`file:///app/crash.mjs:2
try { load(); } catch (e) { throw new Error('could not save the checkpoint', { cause: new Error('write failed', { cause: e }) }); }
                                  ^

Error: could not save the checkpoint
    at file:///app/crash.mjs:2:35
    at ModuleJob.run (node:internal/modules/esm/module_job:325:25) {
  [cause]: Error: write failed
      at file:///app/crash.mjs:2:87
      at ModuleJob.run (node:internal/modules/esm/module_job:325:25) {
    [cause]: Error: disk full
        at load (file:///app/crash.mjs:1:25)
        at ModuleJob.run (node:internal/modules/esm/module_job:325:25)
  }
}

Node.js v20.20.2
`)).toBe('Error: could not save the checkpoint | [cause]: Error: write failed | [cause]: Error: disk full');
    // A cause that is no error is printed as a value; one that is an object opens a block, which says nothing on its own line.
    const withCause = (cause: string) => `Error: outer
    at [eval]:1:7
    at node:internal/main/eval_string:51:3 {
${cause}
}
`;
    expect(reasonOf(withCause("  [cause]: 'the disk is full'"))).toBe("Error: outer | [cause]: 'the disk is full'");
    expect(reasonOf(withCause("  [cause]: {\n    code: 1\n  }"))).toBe('Error: outer');
  });

  it('leaves out the frame of a task in Promise.all', () => {
    expect(reasonOf(`file:///app/crash.mjs:4
await Promise.all([task()]);
                  ^

Error: boom in a task
    at file:///app/crash.mjs:4:93
    at async Promise.all (index 0)
    at async file:///app/crash.mjs:4:37

Node.js v20.20.2
`)).toBe('Error: boom in a task');
  });

  it('keeps every line of a message that spans lines, and a heading that says something new', () => {
    expect(failureReason(['rnnlab train: error: first line', 'second line', 'RangeError: other']))
      .toBe('rnnlab train: error: first line | second line | RangeError: other');
  });
});
