/**
 * The guard before an Embedding's Gather, written by the exporter and skipped by the importer. Gather counts a
 * negative index from the table's end, where rnnlab's Embedding refuses the id; so every id predict refuses
 * (negative; for float ids also a fraction or NaN) becomes the table's row count, past its end, which ONNX Runtime
 * refuses as it refuses any id at or past the table's size. Ids in range pass unchanged.
 *
 *   int32 ids:  Where(Less(ids, 0), rows, ids)
 *   float ids:  the same on Cast(Where(Equal(Floor(x), x), x, -1), int32)
 */
import type { GraphBuilder } from './graph.js';
import type { Graph, Node } from './import_graph.js';
import { attrInt, attrsOf } from './read.js';

const INT32 = 6, INT64 = 7;

export function guardedIds(g: GraphBuilder, ids: string, rows: number, p: string): string {
  let x = ids;
  if (!g.isInt32(ids)) {
    const whole = g.node('Equal', [g.node('Floor', [ids], {}, `${p}/ids_floor`), ids], {}, `${p}/ids_whole`);
    x = g.node('Cast', [g.node('Where', [whole, ids, g.scalar(-1)], {}, `${p}/ids_checked`)], { to: INT32 }, `${p}/ids_int`);
  }
  const negative = g.node('Less', [x, g.int32Scalar(0)], {}, `${p}/ids_negative`);
  return g.node('Where', [negative, g.int32Scalar(rows), x], {}, `${p}/ids`);
}

/**
 * How many nodes of the data path from chain[i] on are the exporter's guard (0 when they are not), checked input for
 * input up to the Gather it feeds, which must read a constant table of at most the guard's row count.
 */
export function idsGuardLength(g: Graph, chain: { node: Node; out: string }[], i: number): number {
  const at = (k: number, op: string): Node | null => (chain[k]?.node.opType === op ? chain[k].node : null);
  const scalar = (name: string | undefined): number | null => {
    const c = g.consts.get(name ?? '');
    return c && c.values.length === 1 ? Number(c.values[0]) : null;
  };
  const ins = (n: Node) => n.input ?? [];
  let start = i, ids: string | undefined;
  const floor = at(i, 'Floor');
  if (floor) {
    const x = ins(floor)[0];
    const eq = at(i + 1, 'Equal'), where = at(i + 2, 'Where'), cast = at(i + 3, 'Cast');
    if (!eq || !where || !cast || ins(eq)[0] !== chain[i].out || ins(eq)[1] !== x) return 0;
    if (ins(where)[0] !== chain[i + 1].out || ins(where)[1] !== x || (scalar(ins(where)[2]) ?? 0) >= 0) return 0;
    if (ins(cast)[0] !== chain[i + 2].out || ![INT32, INT64].includes(attrInt(attrsOf(cast), 'to', 0))) return 0;
    start = i + 4;
    ids = chain[i + 3].out;
  }
  const less = at(start, 'Less'), where = at(start + 1, 'Where'), gather = at(start + 2, 'Gather');
  if (!less || !where || !gather) return 0;
  ids ??= ins(less)[0];
  if (ins(less)[0] !== ids || scalar(ins(less)[1]) !== 0) return 0;
  const rows = scalar(ins(where)[1]);
  if (ins(where)[0] !== chain[start].out || ins(where)[2] !== ids || rows === null) return 0;
  const table = g.consts.get(ins(gather)[0] ?? '');
  if (ins(gather)[1] !== chain[start + 1].out || !table || table.dims[0] > rows) return 0;
  return start + 2 - i;
}
