/** Seeded structural and byte-level mutations of JSON documents and binary files, for the fuzz tests. */
import { Random } from '../../src/random.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const STRINGS = ['', 'x', 'LSTM', 'GRU', 'Dense', 'Embedding', 'Bidirectional', 'TimeDistributed', 'InputLayer', 'Sequential', 'relu',
  'hard_sigmoid', 'same', 'causal', 'float32', 'int32', 'string', 'weights.bin', '../weights.bin', '/etc/passwd', 'concat', 'ave', 'a/b', 'null', '\u0000'];
const NUMBERS = [0, -1, 1, 2, 3, 0.5, -0.5, 1e9, -1e9, 2 ** 31, 2 ** 53, 1e308, -0, 7, 100];

export function randomValue(r: Random, depth = 0): Json {
  switch (r.int(depth > 1 ? 4 : 6)) {
    case 0: return null;
    case 1: return r.next() < 0.5;
    case 2: return NUMBERS[r.int(NUMBERS.length)];
    case 3: return STRINGS[r.int(STRINGS.length)];
    case 4: return Array.from({ length: r.int(3) }, () => randomValue(r, depth + 1));
    default: return { [STRINGS[r.int(STRINGS.length)]]: randomValue(r, depth + 1) };
  }
}

/** Every container and key path in doc, so a mutation can pick one uniformly. */
function paths(doc: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(doc)) doc.forEach((v, i) => paths(v, [...at, i], out));
  else if (doc && typeof doc === 'object') for (const [k, v] of Object.entries(doc)) paths(v, [...at, k], out);
  return out;
}

function get(doc: Json, p: (string | number)[]): Json {
  let cur: Json = doc;
  for (const k of p) cur = (cur as Record<string | number, Json>)[k];
  return cur;
}

/** One structural change: drop, replace, retype, duplicate or perturb a value somewhere in the document. */
export function mutateJson(doc: Json, r: Random): Json {
  const copy = structuredClone(doc);
  const all = paths(copy).filter((p) => p.length > 0);
  if (all.length === 0) return randomValue(r);
  const p = all[r.int(all.length)];
  const parent = get(copy, p.slice(0, -1)) as Record<string | number, Json> | Json[];
  const key = p[p.length - 1];
  const old = (parent as Record<string | number, Json>)[key];
  switch (r.int(7)) {
    case 0:
      if (Array.isArray(parent)) parent.splice(key as number, 1); else delete (parent as Record<string, Json>)[key as string];
      break;
    case 1:
      (parent as Record<string | number, Json>)[key] = randomValue(r);
      break;
    case 2:
      if (typeof old === 'number') (parent as Record<string | number, Json>)[key] = [old * 2, old + 1, -old, old - 1, Math.floor(old / 2), old * 1000][r.int(6)];
      else if (typeof old === 'string') (parent as Record<string | number, Json>)[key] = [old + 'x', old.toUpperCase(), old.slice(1), ''][r.int(4)];
      else if (typeof old === 'boolean') (parent as Record<string | number, Json>)[key] = !old;
      else (parent as Record<string | number, Json>)[key] = randomValue(r);
      break;
    case 3:
      if (Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(old));
      else (parent as Record<string, Json>)[`${key}_copy`] = structuredClone(old);
      break;
    case 4:
      (parent as Record<string | number, Json>)[key] = Array.isArray(old) ? (old.length ? old[0] : {}) : [old];
      break;
    case 5:
      (parent as Record<string | number, Json>)[key] = typeof old === 'number' ? String(old) : typeof old === 'string' && /^-?\d/.test(old) ? Number(old) : null;
      break;
    default:
      if (Array.isArray(old) && old.length > 1) old.reverse();
      else (parent as Record<string | number, Json>)[key] = randomValue(r);
  }
  return copy;
}

/** Byte-level damage to text or binary data: flips, truncation, insertions, deletions. */
export function mutateBytes(data: Buffer, r: Random): Buffer {
  const b = Buffer.from(data);
  switch (r.int(5)) {
    case 0: {
      const k = 1 + r.int(4);
      for (let i = 0; i < k && b.length; i++) b[r.int(b.length)] ^= 1 << r.int(8);
      return b;
    }
    case 1: return b.subarray(0, r.int(b.length + 1));
    case 2: {
      const at = r.int(b.length + 1);
      return Buffer.concat([b.subarray(0, at), Buffer.from(STRINGS[r.int(STRINGS.length)] + '"{[,'.charAt(r.int(4))), b.subarray(at)]);
    }
    case 3: {
      const at = r.int(b.length + 1);
      return Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + r.int(16)))]);
    }
    default:
      return Buffer.concat([b, Buffer.alloc(1 + r.int(8), r.int(256))]);
  }
}
