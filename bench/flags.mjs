// The benchmark scripts' command-line parsing, shared so that every script follows the CLI's rules: each flag it
// accepts works, anything else (an unknown flag, a missing or bad value, a stray argument, a flag given twice) is
// refused with a message naming the flag and exit code 2 before any timing starts, and --help is generated from
// the same table the parser reads, so it cannot list a flag that does not exist or miss one that does.
// No imports of dist/ or the addon here: tests parse command lines without loading kernels.
import { existsSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export class UsageError extends Error {
  exitCode = 2;
}

const camel = (name) => name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());

// Decimal spellings only, as the CLI takes them: Number() alone also reads '0x10' (16), '0b11', '0o7' and '1e3' as an integer.
const INTEGER = /^\s*[+-]?\d+\s*$/;
const DECIMAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;

// kind -> [how --help shows the value, parse(text) returning the value or throwing a message that follows "must be"]
const KINDS = {
  bool: null,
  int: (f) => (s) => {
    const v = Number(s);
    if (!INTEGER.test(s) || !Number.isInteger(v) || v < (f.min ?? -Infinity)) throw `an integer${f.min !== undefined ? ` >= ${f.min}` : ''}`;
    return v;
  },
  positive: () => (s) => {
    const v = Number(s);
    if (!DECIMAL.test(s) || !(Number.isFinite(v) && v > 0)) throw 'a number > 0';
    return v;
  },
  fraction: () => (s) => {
    const v = Number(s);
    if (!DECIMAL.test(s) || !(Number.isFinite(v) && v >= 0 && v < 1)) throw 'a number from 0 up to (not including) 1';
    return v;
  },
  text: () => (s) => s,
  file: () => (s) => s,
  dir: () => (s) => s,
  path: () => (s) => s, // a file or a folder
  json: () => (s) => {
    let v;
    try { v = JSON.parse(s); } catch { throw 'a JSON object'; }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw 'a JSON object';
    return v;
  },
  // Comma-separated: each item one of f.choices, or an integer >= f.min (f.item: 'int'), or matching f.pattern.
  list: (f) => (s) => {
    const items = s.split(',');
    const what = f.choices ? `a comma-separated list of ${f.choices.join(', ')}`
      : f.item === 'int' ? `a comma-separated list of integers >= ${f.min ?? 1}` : `a comma-separated list of ${f.itemHelp}`;
    for (const it of items) {
      const ok = f.choices ? f.choices.includes(it)
        : f.item === 'int' ? /^\s*-?\d+\s*$/.test(it) && Number(it) >= (f.min ?? 1) : f.pattern.test(it);
      // One item is the whole value, which the message quotes after "got": naming it twice says nothing more.
      if (!ok) throw items.length === 1 ? what : `${what} (${it === '' ? 'an empty item' : `'${it}'`} is not)`;
    }
    if (new Set(items).size !== items.length) throw `${what}, each at most once`;
    return f.item === 'int' ? items.map(Number) : items;
  },
};

/**
 * Parses argv (without node and the script) by spec = { name, usage, summary, notes, flags: { name: { kind, value, help,
 * default, min, choices, item, pattern, itemHelp, needs: [other flags] } } }. Returns { opts, given }: opts has
 * every flag's value or default under its camelCase name, given the names on the command line. Throws
 * UsageError; checks no files (checkPaths does, so that documented command lines parse with placeholder paths).
 */
export function parseFlags(spec, argv) {
  const opts = {}, given = new Set();
  for (const [name, f] of Object.entries(spec.flags)) {
    if (!(f.kind in KINDS)) throw new Error(`bench/flags: ${name} has an unknown kind ${f.kind}`);
    opts[camel(name)] = f.kind === 'bool' ? false : Array.isArray(f.default) ? [...f.default] : f.default;
  }
  const fail = (m) => { throw new UsageError(`${spec.name}: ${m} (--help lists the flags)`); };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) fail(`unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const f = Object.hasOwn(spec.flags, name) ? spec.flags[name] : undefined;
    if (!f) fail(`unknown flag --${name}`);
    if (given.has(name)) fail(`--${name} is given twice`);
    given.add(name);
    if (f.kind === 'bool') {
      if (eq >= 0) fail(`--${name} takes no value`);
      opts[camel(name)] = true;
      continue;
    }
    let text;
    if (eq >= 0) text = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) text = argv[++i];
    else fail(`--${name} needs a value (${f.value})`);
    try {
      opts[camel(name)] = KINDS[f.kind](f)(text);
    } catch (why) {
      if (typeof why !== 'string') throw why;
      fail(`--${name} must be ${why}, got '${text}'`);
    }
  }
  for (const name of given) {
    for (const other of spec.flags[name].needs ?? []) if (!given.has(other)) fail(`--${name} needs --${other}`);
  }
  return { opts, given };
}

/** Refuses (UsageError) a given file or dir flag whose path is not there, before anything is timed. */
export function checkPaths(spec, { opts, given }) {
  for (const name of given) {
    const { kind } = spec.flags[name];
    if (kind !== 'file' && kind !== 'dir' && kind !== 'path') continue;
    const p = opts[camel(name)];
    const st = existsSync(p) ? statSync(p) : null;
    if (!st || (kind === 'file' && !st.isFile()) || (kind === 'dir' && !st.isDirectory())) {
      throw new UsageError(`${spec.name}: --${name}: no ${kind === 'path' ? 'file or folder' : kind === 'file' ? 'file' : 'folder'} at ${p}`);
    }
  }
}

/** The addon build a flag (--addon, --against) names; a file that is not one is refused naming the flag. */
export function loadAddonFlag(spec, flag, file) {
  let addon;
  try {
    addon = createRequire(import.meta.url)(path.resolve(file));
  } catch (e) {
    throw new UsageError(`${spec.name}: ${flag}: ${file} is not a loadable build of the addon (${e.message.split('\n')[0]})`);
  }
  // require() also loads .js and .json files: only an object with the addon's entry points is a build of it.
  if (typeof addon?.info !== 'function' || typeof addon?.gemm !== 'function') throw new UsageError(`${spec.name}: ${flag}: ${file} is not a build of the addon (no info() and gemm())`);
  return addon;
}

/**
 * The IMDb data from --data or, without it, RNNLAB_DATA (the tarball or a folder holding it, as `rnnlab imdb`
 * takes); exits 2, naming which one, when neither names something that is there or pathProblem (the loader's
 * imdbPathProblem, passed in as this file imports no dist/) finds it cannot be the data: a folder without the tarball.
 */
export function dataFileOrExit(spec, flagValue, pathProblem) {
  const from = flagValue !== undefined ? '--data' : 'RNNLAB_DATA';
  const p = flagValue ?? process.env.RNNLAB_DATA;
  try {
    if (!p) throw new UsageError(`${spec.name}: --data PATH (aclImdb_v1.tar.gz) or RNNLAB_DATA is needed`);
    if (!existsSync(p)) throw new UsageError(`${spec.name}: ${from}: no file or folder at ${p}`);
    const why = pathProblem(p);
    if (why !== undefined) throw new UsageError(`${spec.name}: ${from}: ${why}: ${p}`);
  } catch (e) {
    exitOnUsage(e);
    throw e;
  }
  return p;
}

/** --help's text, from the table parseFlags reads. */
export function helpText(spec) {
  const rows = Object.entries(spec.flags).map(([name, f]) => {
    const left = `  --${name}${f.kind === 'bool' ? '' : ` ${f.value}`}`;
    const shown = Array.isArray(f.default) ? f.default.join(',') : typeof f.default === 'object' ? JSON.stringify(f.default) : f.default;
    // The parser's lower bound, from the same field it reads, so help cannot promise a value the parser refuses.
    const least = f.kind === 'int' && f.min !== undefined ? `at least ${f.min}` : '';
    const notes = [least, f.default === undefined ? '' : `default ${shown}`].filter(Boolean);
    return `${left.padEnd(28)} ${f.help}${notes.length ? ` (${notes.join('; ')})` : ''}`;
  });
  return [`usage: ${spec.usage}`, '', spec.summary, '', 'flags:', ...rows, `${'  --help'.padEnd(28)} this text`, ...(spec.notes ? ['', spec.notes] : [])].join('\n');
}

/**
 * What a script calls first: prints --help and exits 0, or refuses a bad command line with exit code 2; else
 * returns parseFlags' opts (with the given names as opts.given).
 */
export function parseOrExit(spec, argv) {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(helpText(spec));
    process.exit(0);
  }
  // Scripts that run at the top level (no runMain) end on a failure the same way.
  if (!process.listenerCount('uncaughtException')) process.on('uncaughtException', (e) => exitOnError(e, spec.name));
  try {
    const parsed = parseFlags(spec, argv);
    checkPaths(spec, parsed);
    return { ...parsed.opts, given: parsed.given };
  } catch (e) {
    exitOnUsage(e);
    throw e;
  }
}

/** Ends the process with code 2 and the message alone for a UsageError; leaves other errors to the caller. */
export function exitOnUsage(e) {
  if (e instanceof UsageError) {
    console.error(e.message);
    process.exit(2);
  }
}

/** Whether the module at url is the script node was started with (through a symlinked path too). */
export function isMain(url) {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(url));
  } catch {
    return false;
  }
}

/** RNNLAB_DEBUG as src/env.ts reads it (an on/off value): failures then print their stack trace too. */
function debugStacks() {
  return ['1', 'true', 'yes', 'on'].includes((process.env.RNNLAB_DEBUG ?? '').trim().toLowerCase());
}

/**
 * How a benchmark script ends on a failure, as the CLI: a UsageError exits 2 with its message; anything else prints
 * one line (the message, led by the script's name) and exits 1, with the stack trace only under RNNLAB_DEBUG.
 */
export function exitOnError(e, script = `bench/${path.basename(process.argv[1] ?? 'script')}`) {
  exitOnUsage(e);
  const message = e instanceof Error ? e.message : String(e);
  console.error(message.startsWith('bench/') ? message : `${script}: ${message}`);
  if (debugStacks() && e?.stack) console.error(e.stack);
  process.exit(1);
}

/**
 * Ends the process with code 2 where mixed_bfloat16 cannot run (bf16: the addon's bf16Support(), passed in as this
 * file loads no addon): the policy would fall back to float32, and the figures would compare float32 with itself.
 */
export function exitUnlessBf16(spec, bf16) {
  if (bf16.ok) return;
  console.error(`${spec.name}: mixed_bfloat16 cannot run here (it needs ${bf16.reason}); nothing to compare`);
  process.exit(2);
}

/** How a script's main runs: exitOnError ends it on a failure. */
export function runMain(main) {
  main().catch((e) => exitOnError(e));
}
