// A policy that cannot be loaded is refused as a whole, with every problem found (not just the first), each
// pointing at the file and line to fix. The collector catches this and keeps the last good policy set.
import type { PolicyProblem } from './types.js';

export class PolicyLoadError extends Error {
  readonly problems: PolicyProblem[];

  constructor(problems: PolicyProblem[]) {
    const sorted = [...problems].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
    super(`policy refused: ${sorted.length} problem(s)\n` + sorted.map(formatProblem).join('\n'));
    this.name = 'PolicyLoadError';
    this.problems = sorted;
  }
}

export function formatProblem(p: PolicyProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.message}`;
}
