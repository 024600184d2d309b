// Regular expressions in policies run against strings an endpoint sent, so a pattern that can backtrack
// exponentially would let one hostile agent stall the collector. We accept a conservative subset: bounded
// length, no backreferences or lookaround, and no quantified group that itself contains a quantifier or an
// alternation (the shapes behind catastrophic backtracking, e.g. (a+)+ or (a|aa)*).
export const MAX_PATTERN_LENGTH = 200;
const ALLOWED_FLAGS = /^[imsu]*$/;

export function checkPatternSafety(pattern: string, flags = ''): string | undefined {
  if (pattern.length === 0) return 'empty pattern';
  if (pattern.length > MAX_PATTERN_LENGTH) return `pattern longer than ${MAX_PATTERN_LENGTH} characters`;
  if (!ALLOWED_FLAGS.test(flags)) return `flags "${flags}" not allowed (only i, m, s, u)`;
  try {
    new RegExp(pattern, flags);
  } catch (err) {
    return `invalid regular expression: ${(err as Error).message}`;
  }
  // Walk the pattern once, tracking for each open group whether its body has a quantifier or an alternation.
  const stack: { quantified: boolean; alternation: boolean }[] = [];
  let lastGroup: { quantified: boolean; alternation: boolean } | undefined;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9k]/.test(next) && !inClass) return 'backreferences are not allowed';
      i++;
      lastGroup = undefined;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      lastGroup = undefined;
      continue;
    }
    if (c === '(') {
      if (pattern[i + 1] === '?') {
        const kind = pattern.slice(i + 2, i + 4);
        if (kind.startsWith('=') || kind.startsWith('!') || kind === '<=' || kind === '<!') return 'lookaround is not allowed';
        // Skip the group's prefix ("?:" or "?<name>") so its "?" is not read as a quantifier.
        i = kind.startsWith('<') ? pattern.indexOf('>', i) : i + 2;
      }
      stack.push({ quantified: false, alternation: false });
      lastGroup = undefined;
      continue;
    }
    if (c === ')') {
      lastGroup = stack.pop();
      if (!lastGroup) return 'unbalanced parenthesis';
      // An inner alternation makes the enclosing group just as ambiguous when repeated.
      const parent = stack[stack.length - 1];
      if (parent && lastGroup.alternation) parent.alternation = true;
      continue;
    }
    if (c === '|') {
      const top = stack[stack.length - 1];
      if (top) top.alternation = true;
      lastGroup = undefined;
      continue;
    }
    const isQuantifier = c === '*' || c === '+' || c === '?' || (c === '{' && /^\{\d+(,\d*)?\}/.test(pattern.slice(i)));
    if (isQuantifier) {
      // "?" right after another quantifier only makes it lazy.
      const prev = pattern[i - 1];
      if (c === '?' && (prev === '*' || prev === '+' || prev === '?' || prev === '}')) continue;
      if (lastGroup && (lastGroup.quantified || lastGroup.alternation)) {
        return 'nested quantifier: a repeated group may not contain a quantifier or an alternation';
      }
      for (const g of stack) g.quantified = true;
      if (c === '{') i = pattern.indexOf('}', i);
      lastGroup = undefined;
      continue;
    }
    lastGroup = undefined;
  }
  return undefined;
}
