/**
 * Entries of a flat JSON object (string or number values) in document order. JSON.parse cannot give
 * that order: integer-like keys such as "1984" move first, which would change Keras's tie-breaking
 * (first occurrence) when a restored Tokenizer is fitted again.
 */
export function parseOrderedEntries(json: string): [string, string | number][] {
  const ws = /\s*/y;
  const str = /"(?:[^"\\]|\\.)*"/y;
  const num = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  let pos = 0;
  const skip = () => {
    ws.lastIndex = pos;
    ws.exec(json);
    pos = ws.lastIndex;
  };
  const expect = (c: string) => {
    skip();
    if (json[pos] !== c) throw new SyntaxError(`expected '${c}' at ${pos} in a flat JSON object`);
    pos++;
  };
  const token = (re: RegExp): string | undefined => {
    skip();
    re.lastIndex = pos;
    const m = re.exec(json);
    if (!m) return undefined;
    pos = re.lastIndex;
    return m[0];
  };
  const out: [string, string | number][] = [];
  expect('{');
  skip();
  if (json[pos] === '}') return out;
  for (;;) {
    const key = token(str);
    if (key === undefined) throw new SyntaxError(`expected a string key at ${pos} in a flat JSON object`);
    expect(':');
    const s = token(str);
    let value: string | number;
    if (s !== undefined) value = JSON.parse(s) as string;
    else {
      const n = token(num);
      if (n === undefined) throw new SyntaxError(`expected a string or number at ${pos} in a flat JSON object`);
      value = Number(n);
    }
    out.push([JSON.parse(key) as string, value]);
    skip();
    if (json[pos] === ',') {
      pos++;
      continue;
    }
    expect('}');
    return out;
  }
}

/** A flat object as JSON text, entries in the given order. */
export function stringifyOrderedEntries(entries: Iterable<[string | number, string | number]>): string {
  const parts: string[] = [];
  for (const [k, v] of entries) parts.push(`${JSON.stringify(String(k))}: ${JSON.stringify(v)}`);
  return `{${parts.join(', ')}}`;
}
