/** The "did you mean" of option errors: the first candidate within two edits of a given name (case ignored). */
export function nearName(name: string, candidates: Iterable<string>): string | undefined {
  const k = name.toLowerCase();
  for (const c of candidates) if (editDistance(c.toLowerCase(), k) <= 2) return c;
  return undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
