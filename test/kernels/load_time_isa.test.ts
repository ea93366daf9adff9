/**
 * What the addon runs when it loads must run on every x86-64 CPU with AVX2 or less: the ISA probe has not chosen a
 * path yet. Code compiled under an AVX-512 target (gemm_avx512.cc, the avx512 passes) that ran from a static
 * initialiser once stopped the process with an illegal instruction on a CPU without AVX-512 (AMD Zen 2) — on an
 * AVX-512 machine nothing shows it. So the built addon is disassembled and everything its static initialisers
 * call, directly or through direct calls, is checked for AVX-512 instructions (EVEX registers and mnemonics).
 * Tables of kernels are filled behind cpu_runs (dispatch.cc) through a function pointer, which this walk does not
 * follow by design.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const addon = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../build/Release/rnnlab.node');

function objdump(file: string): string | null {
  try {
    return execFileSync('objdump', ['-d', '--no-show-raw-insn', file], { encoding: 'utf8', maxBuffer: 1 << 30 });
  } catch {
    return null;
  }
}

// Registers only AVX-512 encodes (zmm, the upper 16 xmm/ymm, the mask registers) and mnemonics only AVX-512 has
// (vmovdqu64, vinserti64x4, vpternlogd, ...: element-size suffixes; the AVX2 ones end in 128).
const EVEX_REGISTER = /%(zmm\d+|[xy]mm(1[6-9]|2\d|3[01])|k[0-7])\b/;
const EVEX_MNEMONIC = /^v[a-z0-9]*?(?<!12)(8|16|32|64|x[248])$/;
const AVX512_ONLY = /^v(pternlog|permt2|permi2|dpbf16|cvtne2ps2bf16|cvtneps2bf16|compress|expand|scalef|getexp|rndscale|fixupimm)/;

interface Fn {
  lines: string[];
  callees: string[];
}

function parseFunctions(text: string): Map<string, Fn> {
  const fns = new Map<string, Fn>();
  let cur: Fn | null = null;
  for (const line of text.split('\n')) {
    const head = /^[0-9a-f]+ <(.+)>:$/.exec(line);
    if (head) {
      cur = { lines: [], callees: [] };
      fns.set(head[1], cur);
      continue;
    }
    if (!cur || !line.startsWith(' ')) continue;
    cur.lines.push(line);
    // Direct calls and tail jumps to another function (a jump inside the function names it with +offset).
    const call = /\t(call|jmp)\s+[0-9a-f]+ <([^>+]+)>/.exec(line);
    if (call && !call[2].endsWith('@plt')) cur.callees.push(call[2]);
  }
  return fns;
}

function avx512AtLoad(fns: Map<string, Fn>): string[] {
  const seen = new Set<string>();
  const todo = [...fns.keys()].filter((n) => n.startsWith('_GLOBAL__sub_I'));
  const found: string[] = [];
  while (todo.length) {
    const name = todo.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const fn = fns.get(name);
    if (!fn) continue;
    for (const line of fn.lines) {
      const insn = line.split('\t')[1]?.trim() ?? '';
      const mnemonic = insn.split(/\s+/)[0];
      if (EVEX_REGISTER.test(insn) || EVEX_MNEMONIC.test(mnemonic) || AVX512_ONLY.test(mnemonic)) {
        found.push(`${name}: ${insn}`);
        break;
      }
    }
    todo.push(...fn.callees);
  }
  return found;
}

const dis = process.arch === 'x64' && process.platform === 'linux' && fs.existsSync(addon) ? objdump(addon) : null;

describe('code the addon runs when it loads', () => {
  it('the walk finds AVX-512 instructions where they are', () => {
    const fns = parseFunctions(
      [
        '0000000000001000 <_GLOBAL__sub_I_a.cc>:',
        '    1000:\tcall   2000 <helper>',
        '    1005:\tret',
        '0000000000002000 <helper>:',
        '    2000:\tvinserti64x4 $0x1,%ymm1,%zmm0,%zmm0',
        '0000000000003000 <unreached>:',
        '    3000:\tvmovdqu64 %zmm0,(%rdi)',
      ].join('\n'),
    );
    expect(avx512AtLoad(fns)).toEqual(['helper: vinserti64x4 $0x1,%ymm1,%zmm0,%zmm0']);
    expect(EVEX_MNEMONIC.test('vinserti128')).toBe(false);
    expect(EVEX_MNEMONIC.test('vfmadd231ps')).toBe(false);
    expect(EVEX_MNEMONIC.test('vmovdqu64')).toBe(true);
  });

  it.skipIf(!dis)('uses no AVX-512 instruction (static initialisers and their direct callees)', () => {
    const fns = parseFunctions(dis!);
    expect([...fns.keys()].some((n) => n.startsWith('_GLOBAL__sub_I'))).toBe(true);
    expect(avx512AtLoad(fns)).toEqual([]);
  });
});
