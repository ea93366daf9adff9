export interface Sample { command: string; tail: number | null; exitCode: number }
export function findSamples(markdown: string): Sample[];
export function findFiles(markdown: string): { name: string; content: string }[];
export function splitArgs(line: string): string[];
export function normaliseOutput(text: string, options?: { scratchDirs?: string[]; today?: string | null }): string;
export function renderSample(sample: Sample, output: string, exitCode: number): string;
export function replaceSamples(markdown: string, blocks: string[]): string;
export function replaceBetween(markdown: string, name: string, text: string): string;
