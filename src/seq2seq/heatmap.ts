/**
 * The attention matrix in a terminal: source tokens across, output tokens down, each cell a shade character
 * from light to full block by its weight (each row sums to 1, so the darkest cell of a row is where the decoder
 * looked for that output).
 */
export const SHADES = [' ', '░', '▒', '▓', '█'] as const;

export function shadeOf(w: number): string {
  const i = Math.min(SHADES.length - 1, Math.max(0, Math.floor(w * SHADES.length)));
  return SHADES[i];
}

const MAX_CELL = 8;

/**
 * Terminal columns of one code point: CJK and emoji take two, combining marks none; everything else one. Without
 * this a Chinese or emoji vocabulary shifts every column after its first wide token.
 */
function codePointWidth(ch: string): number {
  if (/\p{Mn}|\p{Me}|\u200d|[\ufe00-\ufe0f]/u.test(ch)) return 0;
  const c = ch.codePointAt(0)!;
  const wide = (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0x303e) || (c >= 0x3041 && c <= 0x33ff) ||
    (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xa000 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) ||
    (c >= 0x20000 && c <= 0x3fffd) || /\p{Emoji_Presentation}/u.test(ch);
  return wide ? 2 : 1;
}

/** Terminal columns a text takes. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += codePointWidth(ch);
  return w;
}

/** A token as it can be drawn: a space as ␣, and tabs, newlines and other control characters as their ␉ ␊ pictures. */
export function visibleToken(t: string): string {
  if (t === ' ') return '␣';
  return t.replace(/[\u0000-\u001f\u007f]/g, (c) => String.fromCodePoint(c === '\u007f' ? 0x2421 : 0x2400 + c.charCodeAt(0)));
}

/** The token padded (or cut) to exactly `width` terminal columns. */
function fit(s: string, width: number): string {
  let out = '', w = 0;
  for (const ch of visibleToken(s)) {
    const cw = codePointWidth(ch);
    if (w + cw > width) break;
    out += ch;
    w += cw;
  }
  return out + ' '.repeat(width - w);
}

/** Lines of the heatmap: a header of source tokens, then one row per output token. */
export function attentionHeatmap(source: readonly string[], output: readonly string[], weights: readonly (readonly number[])[]): string[] {
  const width = (t: string) => displayWidth(visibleToken(t));
  const cell = Math.min(MAX_CELL, Math.max(1, ...source.map(width)));
  const label = Math.min(MAX_CELL * 2, Math.max(1, ...output.map(width)));
  const gap = cell > 1 ? ' ' : '';
  const lines = [`${' '.repeat(label)} │${source.map((t) => fit(t, cell)).join(gap)}`];
  lines.push(`${'─'.repeat(label)}─┼${'─'.repeat(source.length * cell + Math.max(0, source.length - 1) * gap.length)}`);
  output.forEach((t, i) => {
    lines.push(`${fit(t, label)} │${source.map((_, j) => shadeOf(weights[i]?.[j] ?? 0).repeat(cell)).join(gap)}`);
  });
  return lines;
}
