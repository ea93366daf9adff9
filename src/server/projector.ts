/**
 * The embedding projector: a trained model's Embedding rows for the most frequent words, projected onto their
 * first two principal components (deterministic: the covariance's eigenvectors by Jacobi rotations, each
 * signed so its first non-zero entry is positive), and a word's nearest neighbours by cosine in the full space.
 */
import { getIndexWord, sharedWordIndex } from '../data/imdb_words.js';
import { IMDB_IDS } from '../data/imdb_tokenize.js';
import type { Sequential } from '../models/sequential.js';
import { badRequest, HttpError } from './http.js';

export interface Projection {
  layer: string;
  dim: number;
  /** The words, most frequent first; points[i] is words[i]. */
  words: string[];
  points: [number, number][];
  /** Fraction of the variance of the chosen rows along each axis. */
  explained: [number, number];
  query: string | null;
  neighbours: { word: string; cosine: number }[];
}

/** The most words one projection shows (POST /api/inspect/embedding's `words`). */
export const MAX_PROJECTED_WORDS = 2000;

/** Eigen-decomposition of a symmetric matrix (row-major, n×n) by cyclic Jacobi rotations: values descending, vectors as rows, each with its first non-zero entry positive. */
export function symmetricEigen(a: Float64Array, n: number): { values: number[]; vectors: Float64Array[] } {
  const m = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p], mkq = m[k * n + q];
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k], mqk = m[q * n + k];
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p], vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => m[y * n + y] - m[x * n + x] || x - y);
  const vectors = order.map((j) => {
    const col = Float64Array.from({ length: n }, (_, k) => v[k * n + j]);
    const lead = col.find((x) => Math.abs(x) > 1e-6) ?? 0;
    if (lead < 0) for (let k = 0; k < n; k++) col[k] = -col[k];
    return col;
  });
  return { values: order.map((j) => m[j * n + j]), vectors };
}

/** Rows (n×d, row-major) onto their first two principal components. */
export function pca2(rows: Float64Array, n: number, d: number): { points: [number, number][]; explained: [number, number] } {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mean[k] += rows[i * d + k] / n;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const xa = rows[i * d + a] - mean[a];
      for (let b = a; b < d; b++) cov[a * d + b] += (xa * (rows[i * d + b] - mean[b])) / Math.max(1, n - 1);
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) cov[a * d + b] = cov[b * d + a];
  const { values, vectors } = symmetricEigen(cov, d);
  const total = values.reduce((s, x) => s + Math.max(0, x), 0) || 1;
  const axis = (j: number, i: number) => {
    let s = 0;
    for (let k = 0; k < d; k++) s += (rows[i * d + k] - mean[k]) * (vectors[j]?.[k] ?? 0);
    return s;
  };
  return {
    points: Array.from({ length: n }, (_, i) => [axis(0, i), d > 1 ? axis(1, i) : 0] as [number, number]),
    explained: [Math.max(0, values[0] ?? 0) / total, Math.max(0, values[1] ?? 0) / total],
  };
}

/** The n most frequent words with the model's vectors for them; the query's neighbours among them. */
export function projectEmbedding(model: Sequential, count: number, query?: string): Projection {
  const layer = model.layers.find((l) => l.className === 'Embedding') as (Sequential['layers'][number] & { embeddings: { values: ArrayLike<number>; shape: number[] } }) | undefined;
  if (!layer) throw new HttpError(422, 'this model has no Embedding layer (the lab\'s ff_raw reads raw ids): pick a model that learns word vectors');
  const [rowsInLayer, d] = layer.embeddings.shape;
  const index = getIndexWord();
  const first = IMDB_IDS.indexFrom + 1; // id 4 is the most frequent word
  const n = Math.max(0, Math.min(count, rowsInLayer - first, index.length));
  if (n < 2) throw badRequest(`the Embedding has ${rowsInLayer} rows: too few words to project`);
  const w = layer.embeddings.values;
  const rows = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) rows[i * d + k] = w[(first + i) * d + k];
  const words = Array.from({ length: n }, (_, i) => index[first + i - IMDB_IDS.indexFrom]);
  const { points, explained } = pca2(rows, n, d);
  const q = query?.trim().toLowerCase() || null;
  let neighbours: Projection['neighbours'] = [];
  if (q !== null) {
    const at = words.indexOf(q);
    if (at < 0) throw badRequest(notShown(q, n, Math.min(rowsInLayer - first, index.length - 1)));
    const norm = (i: number) => Math.sqrt(rows.subarray(i * d, (i + 1) * d).reduce((s, x) => s + x * x, 0)) || 1;
    const qn = norm(at);
    neighbours = words.map((word, i) => {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += rows[at * d + k] * rows[i * d + k];
      return { word, cosine: dot / (qn * norm(i)) };
    }).filter((_, i) => i !== at).sort((a, b) => b.cosine - a.cosine || a.word.localeCompare(b.word)).slice(0, 10);
  }
  return { layer: layer.name, dim: d, words, points, explained, query: q, neighbours };
}

/**
 * Why the query is not among the `shown` words, out of the `known` words the model has rows for (the most frequent
 * first): asking for more words helps only for a word the model knows within MAX_PROJECTED_WORDS of the top.
 */
function notShown(q: string, shown: number, known: number): string {
  const rank = sharedWordIndex().get(q);
  if (rank === undefined || rank > known) {
    const where = rank === undefined ? 'it is no word of the IMDb word index' : `it is number ${rank} by frequency`;
    return `'${q}' is not in this model's vocabulary, its ${known} most frequent IMDb words (${where}); try another word`;
  }
  if (rank > MAX_PROJECTED_WORDS) {
    return `'${q}' is number ${rank} by frequency, beyond the ${MAX_PROJECTED_WORDS} most frequent words a projection shows; try a more frequent word`;
  }
  return `'${q}' is not among the ${shown} most frequent words shown (it is number ${rank}); ask for ${rank} or more words`;
}
