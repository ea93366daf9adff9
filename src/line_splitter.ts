/**
 * Splits a child process's output into lines across chunks: a pipe hands over whatever it holds, so a line ("Epoch
 * 1500/1500") may arrive in two chunks; the part after the last line break waits for the next chunk, and flush()
 * gives what is left when the stream ends. Blank lines are dropped and each line is trimmed.
 *
 * A leaf shared by sweep runs (their progress lines) and the dashboard's jobs (their crash notes).
 */
export function lineSplitter(onLine: (line: string) => void): { push(chunk: Buffer | string): void; flush(): void } {
  let rest = '';
  const emit = (raw: string) => { const line = raw.trim(); if (line) onLine(line); };
  return {
    push(chunk) {
      const parts = (rest + chunk.toString()).split(/\r|\n/);
      rest = parts.pop() ?? '';
      for (const p of parts) emit(p);
    },
    flush() {
      const last = rest;
      rest = '';
      emit(last);
    },
  };
}
