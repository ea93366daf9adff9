/** The embedding projector's numbers: PCA by Jacobi rotations against closed forms, and neighbours by cosine. */
import { describe, expect, it } from 'vitest';
import { layers } from '../../src/layers/index.js';
import { Sequential } from '../../src/models/sequential.js';
import { pca2, projectEmbedding, symmetricEigen } from '../../src/server/projector.js';

describe('symmetricEigen', () => {
  it('finds the eigenpairs of [[2, 1], [1, 2]], largest first, each signed so its first non-zero entry is positive', () => {
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
    expect(values[0]).toBeCloseTo(3, 12);
    expect(values[1]).toBeCloseTo(1, 12);
    expect([...vectors[0]].map((v) => v * Math.SQRT2)).toEqual([expect.closeTo(1, 12), expect.closeTo(1, 12)]);
    expect([...vectors[1]].map((v) => v * Math.SQRT2)).toEqual([expect.closeTo(1, 12), expect.closeTo(-1, 12)]);
  });

  it('diagonalises a 5×5 matrix: A v = λ v for every pair', () => {
    const n = 5;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = Math.sin(i * 3 + j * 7 + 1);
    const { values, vectors } = symmetricEigen(a, n);
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let j = 0; j < n; j++) av += a[i * n + j] * vectors[k][j];
        expect(av).toBeCloseTo(values[k] * vectors[k][i], 10);
      }
    }
    expect(values).toEqual([...values].sort((x, y) => y - x));
  });
});

describe('pca2', () => {
  it('recovers the two directions of largest spread and their share of the variance', () => {
    // Points a·u + b·v + offset in 4-D, u and v orthonormal, a spread wider than b; a third direction adds a little.
    const u = [0.5, 0.5, 0.5, 0.5], v = [0.5, -0.5, 0.5, -0.5], w = [0.5, 0.5, -0.5, -0.5];
    // a, b and c are uncorrelated (orthogonal, mean 0), so the principal axes are exactly u, v and w.
    const a = [-3, -1, 1, 3], b = [1, -1, -1, 1], c = [-0.1, 0.3, -0.3, 0.1];
    const n = a.length, d = 4;
    const rows = new Float64Array(n * d);
    for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) rows[i * d + k] = 7 + a[i] * u[k] + b[i] * v[k] + c[i] * w[k];
    const { points, explained } = pca2(rows, n, d);
    const mean = (x: number[]) => x.reduce((s, y) => s + y, 0) / x.length;
    const ma = mean(a), mb = mean(b);
    // The sign rule makes each axis's first non-zero entry positive: +u and +v, so pc1 = a - mean(a), pc2 = b - mean(b).
    for (let i = 0; i < n; i++) expect(points[i][0]).toBeCloseTo(a[i] - ma, 10);
    for (let i = 0; i < n; i++) expect(points[i][1]).toBeCloseTo(b[i] - mb, 10);
    const ss = (x: number[]) => { const m = mean(x); return x.reduce((s, y) => s + (y - m) ** 2, 0); };
    const total = ss(a) + ss(b) + ss(c);
    expect(explained[0]).toBeCloseTo(ss(a) / total, 10);
    expect(explained[1]).toBeCloseTo(ss(b) / total, 10);
  });
});

describe('projectEmbedding', () => {
  function model(rows: number, dim: number): Sequential {
    const m = new Sequential({ layers: [layers.embedding({ inputDim: rows, outputDim: dim, inputLength: 4 }), layers.globalAveragePooling1d(), layers.dense({ units: 1, activation: 'sigmoid' })] });
    const e = m.layers[0] as unknown as { embeddings: { values: Float32Array } };
    // Row id holds (cos id, sin id, 0): neighbours by cosine are the ids at the nearest angles.
    for (let id = 0; id < rows; id++) e.embeddings.values.set([Math.cos(id * 0.3), Math.sin(id * 0.3), 0], id * dim);
    return m;
  }

  it('projects the most frequent words (ids 4, 5, ...) and lists the nearest ones by cosine', () => {
    const p = projectEmbedding(model(40, 3), 20, 'A');
    expect(p.words.length).toBe(20);
    expect(p.points.length).toBe(20);
    expect(p.words.slice(0, 3)).toEqual(['the', 'and', 'a']);
    expect(p.query).toBe('a');
    // 'a' is id 6: ids 5 and 7 sit 0.3 rad away, 4 and 8 at 0.6.
    expect(p.neighbours.slice(0, 2).map((x) => x.cosine)).toEqual([expect.closeTo(Math.cos(0.3), 6), expect.closeTo(Math.cos(0.3), 6)]);
    expect(new Set(p.neighbours.slice(0, 2).map((x) => x.word))).toEqual(new Set([p.words[1], p.words[3]]));
    // Points on a circle arc: the third axis holds nothing.
    expect(p.explained[0] + p.explained[1]).toBeCloseTo(1, 6);
  });

  it('stops at the rows the Embedding has and names what is wrong', () => {
    expect(projectEmbedding(model(10, 3), 500).words.length).toBe(6);
    expect(() => projectEmbedding(model(40, 3), 10, 'zebra')).toThrow(/'zebra' is not in this model's vocabulary, its 36 most frequent IMDb words/);
    const dense = new Sequential({ layers: [layers.dense({ units: 1, inputShape: [4] })] });
    expect(() => projectEmbedding(dense, 10)).toThrow(/no Embedding layer/);
  });
});
