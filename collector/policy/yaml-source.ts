// Parse one YAML policy file while keeping the way back from a JSON path (what ajv and the compiler report) to
// the line and column a person must edit.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { PolicyProblem } from './types.js';

export type PathSegment = string | number;

export type YamlSource = {
  file: string;
  value: unknown;
  /** Line/column (1-based) of the deepest node on `path` that exists: a key's line when the path ends at a key. */
  locate: (path: readonly PathSegment[]) => { line: number; column: number };
  problem: (path: readonly PathSegment[], message: string) => PolicyProblem;
};

/** Returns the parsed source, or the syntax problems (duplicate keys included) when the text is not valid YAML. */
export function parseYamlSource(file: string, text: string): { source?: YamlSource; problems: PolicyProblem[] } {
  const lineCounter = new LineCounter();
  // uniqueKeys: a repeated key would silently hide the first value; refuse it. No custom tags: data only.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, customTags: [], merge: false });
  const problems: PolicyProblem[] = [];
  for (const err of [...doc.errors, ...doc.warnings]) {
    const pos = lineCounter.linePos(err.pos[0]);
    problems.push({ file, line: pos.line, column: pos.col, message: `YAML: ${err.message.split('\n')[0]}` });
  }
  if (problems.length > 0) return { problems };

  const at = (offset: number | undefined) => {
    const pos = lineCounter.linePos(offset ?? 0);
    return { line: pos.line, column: pos.col };
  };
  const locate = (path: readonly PathSegment[]) => {
    let node: unknown = doc.contents;
    let offset: number | undefined = (doc.contents as Node | null)?.range?.[0];
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
        if (!pair) break;
        offset = (pair.key as Node | null)?.range?.[0] ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg] as Node | undefined;
        if (!item) break;
        offset = item.range?.[0] ?? offset;
        node = item;
      } else {
        break;
      }
    }
    return at(offset);
  };
  const source: YamlSource = {
    file,
    value: doc.toJS({ maxAliasCount: 100 }),
    locate,
    problem: (path, message) => ({ file, ...locate(path), message: path.length ? `${formatPath(path)}: ${message}` : message }),
  };
  return { source, problems };
}

export function formatPath(path: readonly PathSegment[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** "/controls/3/title" (ajv instancePath) -> ['controls', 3, 'title'] */
export function pointerToPath(pointer: string): PathSegment[] {
  if (!pointer) return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}
