/**
 * The one JSON parse for the files runs and sweeps leave (results.json, sweep.json, worker.json), used by the CLI and
 * the server alike: JSON.parse keeps the last of a key given twice in one object silently, so a file that says two
 * things would be read as one of them. Such a file is refused, naming it and the key, in the words the server uses for
 * a request body that does the same (repeatedKeyProblem).
 */

/** A JSON file that gives a key twice in one object; the message names the file, the key and where it is. */
export class RepeatedKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RepeatedKeyError';
  }
}

/**
 * `text` parsed as JSON; `name` (the file, as the caller shows it) leads a RepeatedKeyError's message:
 * `results.json gives the key "status" more than once`, with where when not at the top (` (at metrics.loss)`).
 * Text that is not JSON throws JSON.parse's SyntaxError, which each caller words as it did.
 */
export function parseJsonOnce(text: string, name: string): unknown {
  const value: unknown = JSON.parse(text);
  const repeated = repeatedKeyProblem(text);
  if (repeated !== null) throw new RepeatedKeyError(`${name} ${repeated}`);
  return value;
}

/** The deepest nesting of arrays and objects in a JSON text, counted without recursion (strings skipped). */
export function jsonDepth(text: string, stopAt = Infinity): number {
  let depth = 0, max = 0, inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) max = depth;
      if (max > stopAt) return max;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/** A key as a step of a path: `.name` where it reads as one, else quoted (`[""]`, `["a.b"]`, `["0"]`, not an index). */
const keyStep = (key: string): string => (/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`);

/**
 * The first key an object of a valid JSON text repeats, with where it is (`a.b[2].task`, `[""][""]`), or null.
 * JSON.parse keeps the last of them silently, so {"task":"addition","task":"imdb"} would be read as an IMDb job.
 * Without recursion, as jsonDepth. A key repeated at the top has its own step for path (`task`, `[""]`).
 */
export function repeatedKey(text: string): { key: string; path: string } | null {
  // One frame per open object (its keys, the key last read, and whether a key comes next: after `{` and each `,`)
  // or array (the index of the item being read). Numbers and literals need no state: none stands where a key would.
  const frames: { keys: Set<string> | null; at: string | number; keyNext: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c ? 2 : 1;
      const top = frames[frames.length - 1];
      if (top?.keys && top.keyNext) {
        const raw = text.slice(i + 1, j);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(i, j + 1)) as string) : raw;
        if (top.keys.has(key)) {
          const steps = frames.map((f, d) => (d === frames.length - 1 ? keyStep(key) : typeof f.at === 'number' ? `[${f.at}]` : keyStep(f.at)));
          return { key, path: steps.join('').replace(/^\./, '') };
        }
        top.keys.add(key);
        top.at = key;
        top.keyNext = false;
      }
      i = j;
    } else if (c === 0x7b) frames.push({ keys: new Set(), at: '', keyNext: true });
    else if (c === 0x5b) frames.push({ keys: null, at: 0, keyNext: false });
    else if (c === 0x7d || c === 0x5d) frames.pop();
    else if (c === 0x2c) {
      const top = frames[frames.length - 1];
      if (top.keys) top.keyNext = true;
      else (top.at as number)++;
    }
  }
  return null;
}

/**
 * What is wrong with a valid JSON text that repeats a key (repeatedKey), as words to follow the text's name: `gives the
 * key "task" more than once`, with where when not at the top (` (at runs[0].task)`); null when no key repeats. The
 * request bodies and the files the server reads say it the same way.
 */
export function repeatedKeyProblem(text: string): string | null {
  const repeated = repeatedKey(text);
  if (repeated === null) return null;
  const at = repeated.path === keyStep(repeated.key).replace(/^\./, '') ? '' : ` (at ${repeated.path.slice(0, 200)})`;
  return `gives the key ${JSON.stringify(repeated.key.slice(0, 100))} more than once${at}`;
}
