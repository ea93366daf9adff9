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

function fit(s: string, width: number): string {
  const chars = Array.from(s === ' ' ? '␣' : s);
  return chars.length > width ? chars.slice(0, width).join('') : chars.join('') + ' '.repeat(width - chars.length);
}

/** Lines of the heatmap: a header of source tokens, then one row per output token. */
export function attentionHeatmap(source: readonly string[], output: readonly string[], weights: readonly (readonly number[])[]): string[] {
  const cell = Math.min(MAX_CELL, Math.max(1, ...source.map((t) => Array.from(t).length)));
  const label = Math.min(MAX_CELL * 2, Math.max(1, ...output.map((t) => Array.from(t).length)));
  const gap = cell > 1 ? ' ' : '';
  const lines = [`${' '.repeat(label)} │${source.map((t) => fit(t, cell)).join(gap)}`];
  lines.push(`${'─'.repeat(label)}─┼${'─'.repeat(source.length * cell + Math.max(0, source.length - 1) * gap.length)}`);
  output.forEach((t, i) => {
    lines.push(`${fit(t, label)} │${source.map((_, j) => shadeOf(weights[i]?.[j] ?? 0).repeat(cell)).join(gap)}`);
  });
  return lines;
}
