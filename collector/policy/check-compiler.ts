// The check language, compiled once per (control, tier) into closures so evaluating a posture does no parsing,
// no name look-ups and no eval. Three-valued (Kleene) logic throughout: a missing fact yields unknown, and
// unknown never turns into pass.
//
// Nodes (YAML):
//   { all: [..] } | { any: [..] } | { none: [..] } | { not: node }
//   { over: <list fact>, some|every|none: node }        quantifier; inside, facts are relative to the item
//   { fact: <path>, [as: ageDays|ageHours|count], <op>: <value> }
//     op: eq ne lt lte gt gte (value or {param: name}), in notIn (list), matches (safe regex, + flags), exists
import { postureRoot, resolveFact, type FactKind } from './fact-schema.js';
import { checkPatternSafety } from './safe-regex.js';
import type { PathSegment } from './yaml-source.js';
import type { ParamValue } from './types.js';

export const PASS = 0;
export const FAIL = 1;
export const UNKNOWN = 2;
export type Status = 0 | 1 | 2;

/** Mutable per-evaluation state: the deciding reason, the first missing fact and the observed facts. */
/** A reason is formatted only if someone reads it: most failing sub-checks inside lists never surface. */
export type Reason = string | (() => string) | undefined;
export const reasonText = (r: Reason): string | undefined => (typeof r === 'function' ? r() : r);

export type EvalState = {
  now: number;
  reason: Reason;
  missing: string | undefined;
  observed: Record<string, unknown> | undefined;
};

export type NodeFn = (root: unknown, st: EvalState) => Status;

export type CompileEnv = {
  /** Parameter values for the tier being compiled; undefined = parameter not declared. */
  param: (name: string) => { value: ParamValue | undefined; type: string } | undefined;
  tierLabel: string;
  report: (path: readonly PathSegment[], message: string) => void;
};

type Scope = {
  schema: Parameters<typeof resolveFact>[0];
  /** Absolute prefix for messages ("" at the posture root, "network.listening[]." inside a quantifier). */
  prefix: string;
  /** Relative fact paths read in this scope, for projecting list items into evidence. */
  reads: Set<string>;
  topLevel: boolean;
};

export type Compiled = { fn: NodeFn; expected: string };

const COMBINATORS = ['all', 'any', 'none', 'not'] as const;
const QUANTIFIERS = ['some', 'every', 'none'] as const;
const OPS = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'notIn', 'matches', 'exists'] as const;
type Op = (typeof OPS)[number];
const OP_TEXT: Record<Op, string> = { eq: '=', ne: '≠', lt: '<', lte: '≤', gt: '>', gte: '≥', in: 'in', notIn: 'not in', matches: 'matches', exists: 'exists' };
const MAX_WITNESSES = 5;
const MAX_TEXT = 200;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const invalid: Compiled = { fn: () => UNKNOWN, expected: '(invalid)' };

export function compileCheck(node: unknown, path: PathSegment[], env: CompileEnv, scope?: Scope): Compiled {
  return compileNode(node, path, env, scope ?? { schema: postureRoot, prefix: '', reads: new Set(), topLevel: true });
}

function compileNode(node: unknown, path: PathSegment[], env: CompileEnv, scope: Scope): Compiled {
  if (!isPlainObject(node)) {
    env.report(path, 'a check must be a mapping (all/any/none/not, over, or fact)');
    return invalid;
  }
  if ('over' in node) return compileQuantifier(node, path, env, scope);
  if ('fact' in node) return compileLeaf(node, path, env, scope);
  const keys = Object.keys(node);
  const comb = keys.filter((k) => (COMBINATORS as readonly string[]).includes(k));
  if (comb.length !== 1 || keys.length !== 1) {
    env.report(path, `expected exactly one of all, any, none, not (or "over" / "fact"); found: ${keys.join(', ') || 'nothing'}`);
    return invalid;
  }
  const kind = comb[0] as (typeof COMBINATORS)[number];
  if (kind === 'not') {
    const child = compileNode(node.not, [...path, 'not'], env, scope);
    return {
      expected: `not (${child.expected})`,
      fn: (root, st) => {
        const r = child.fn(root, st);
        if (r === PASS) {
          st.reason = `holds although it must not: ${child.expected}`;
          return FAIL;
        }
        if (r === FAIL) {
          st.reason = undefined;
          return PASS;
        }
        return UNKNOWN;
      },
    };
  }
  const list = node[kind];
  if (!Array.isArray(list) || list.length === 0) {
    env.report([...path, kind], `"${kind}" needs a non-empty list of checks`);
    return invalid;
  }
  const children = list.map((c, i) => compileNode(c, [...path, kind, i], env, scope));
  const fns = children.map((c) => c.fn);
  const texts = children.map((c) => c.expected);
  if (kind === 'all') {
    return {
      expected: texts.length === 1 ? (texts[0] as string) : texts.map((t) => `(${t})`).join(' AND '),
      fn: (root, st) => {
        let status: Status = PASS;
        let failReason: Reason;
        let unknownReason: Reason;
        // Evidence wants every fact at the top level; inside a list the first fail decides and is enough.
        const shortCircuit = st.observed === undefined;
        for (let i = 0; i < fns.length; i++) {
          const r = (fns[i] as NodeFn)(root, st);
          if (r === FAIL) {
            if (failReason === undefined) failReason = st.reason;
            status = FAIL;
            if (shortCircuit) break;
          } else if (r === UNKNOWN) {
            if (unknownReason === undefined) unknownReason = st.reason;
            if (status === PASS) status = UNKNOWN;
          }
        }
        st.reason = status === FAIL ? failReason : status === UNKNOWN ? unknownReason : undefined;
        return status;
      },
    };
  }
  // any / none: "none" is "not any", with the reason naming what matched.
  const negate = kind === 'none';
  return {
    expected: `${negate ? 'none of' : 'any of'}: ${texts.map((t) => `(${t})`).join(' OR ')}`,
    fn: (root, st) => {
      let status: Status = FAIL;
      let failReasons: Reason[] | undefined;
      let unknownReason: Reason;
      let passedText: string | undefined;
      const shortCircuit = st.observed === undefined;
      for (let i = 0; i < fns.length; i++) {
        const r = (fns[i] as NodeFn)(root, st);
        if (r === PASS) {
          status = PASS;
          if (passedText === undefined) passedText = texts[i];
          if (shortCircuit) break;
        } else if (r === UNKNOWN) {
          if (unknownReason === undefined) unknownReason = st.reason;
          if (status === FAIL) status = UNKNOWN;
        } else if (!negate && st.reason) {
          (failReasons ??= []).push(st.reason);
        }
      }
      if (negate) {
        if (status === PASS) {
          st.reason = `must not hold but does: ${passedText}`;
          return FAIL;
        }
        st.reason = status === UNKNOWN ? unknownReason : undefined;
        return status === UNKNOWN ? UNKNOWN : PASS;
      }
      if (status === FAIL) {
        const parts = failReasons ?? [];
        st.reason = () => parts.map(reasonText).join('; and ');
      } else st.reason = status === UNKNOWN ? unknownReason : undefined;
      return status;
    },
  };
}

function compileQuantifier(node: Record<string, unknown>, path: PathSegment[], env: CompileEnv, scope: Scope): Compiled {
  const keys = Object.keys(node);
  const q = keys.filter((k) => (QUANTIFIERS as readonly string[]).includes(k));
  const extra = keys.filter((k) => k !== 'over' && !(QUANTIFIERS as readonly string[]).includes(k));
  if (q.length !== 1 || extra.length > 0) {
    env.report(path, `a quantifier needs "over" and exactly one of some, every, none${extra.length ? ` (unexpected: ${extra.join(', ')})` : ''}`);
    return invalid;
  }
  const kind = q[0] as (typeof QUANTIFIERS)[number];
  const over = node.over;
  if (typeof over !== 'string' || over.length === 0) {
    env.report([...path, 'over'], '"over" must be a fact path naming a list');
    return invalid;
  }
  const resolved = resolveFact(scope.schema, over);
  if ('error' in resolved) {
    env.report([...path, 'over'], resolved.error);
    return invalid;
  }
  if (resolved.fact.kind !== 'array') {
    env.report([...path, 'over'], `"${scope.prefix}${over}" is a ${resolved.fact.kind}, not a list`);
    return invalid;
  }
  scope.reads.add(over);
  const listName = `${scope.prefix}${over}`;
  const inner: Scope = { schema: resolved.fact.item as Scope['schema'], prefix: `${listName}[].`, reads: new Set(), topLevel: false };
  const child = compileNode(node[kind], [...path, kind], env, inner);
  const get = getter(over);
  const project = projector([...inner.reads]);
  const childFn = child.fn;
  const topLevel = scope.topLevel;
  const expected =
    kind === 'some' ? `some item of ${listName}: ${child.expected}` : kind === 'every' ? `every item of ${listName}: ${child.expected}` : `no item of ${listName}: ${child.expected}`;

  return {
    expected,
    fn: (root, st) => {
      const list = get(root);
      if (!Array.isArray(list)) {
        st.reason = list === undefined || list === null ? `fact "${listName}" not reported` : `fact "${listName}" is not a list`;
        if (st.missing === undefined) st.missing = listName;
        if (topLevel && st.observed) st.observed[listName] = null;
        return UNKNOWN;
      }
      // Inside the list, facts are evidence only through the projected witnesses.
      const saved = st.observed;
      st.observed = undefined;
      let passes = 0;
      let fails = 0;
      let unknowns = 0;
      let firstFailReason: Reason;
      let firstUnknownReason: Reason;
      let witnesses: unknown[] | undefined;
      for (let i = 0; i < list.length; i++) {
        const r = childFn(list[i], st);
        if (r === PASS) {
          passes++;
          if ((kind === 'some' || kind === 'none') && (witnesses ??= []).length < MAX_WITNESSES) witnesses.push(project(list[i]));
          if (kind === 'some') break;
        } else if (r === FAIL) {
          fails++;
          if (firstFailReason === undefined) firstFailReason = st.reason;
          if (kind === 'every' && (witnesses ??= []).length < MAX_WITNESSES) witnesses.push(project(list[i]));
        } else {
          unknowns++;
          if (firstUnknownReason === undefined) firstUnknownReason = st.reason;
        }
      }
      st.observed = saved;
      if (topLevel && saved) {
        const seen: Record<string, unknown> = { count: list.length };
        if (witnesses) seen[kind === 'every' ? 'failing' : 'matching'] = witnesses;
        saved[listName] = seen;
      }
      let status: Status;
      if (kind === 'some') {
        status = passes > 0 ? PASS : unknowns > 0 ? UNKNOWN : FAIL;
        st.reason =
          status === FAIL
            ? list.length === 0
              ? `${listName} is empty`
              : `no item of ${listName} (${list.length}) satisfies: ${child.expected}${firstFailReason ? ` (first: ${reasonText(firstFailReason)})` : ''}`
            : status === UNKNOWN
              ? `no item of ${listName} is known to satisfy the check: ${reasonText(firstUnknownReason)}`
              : undefined;
      } else if (kind === 'every') {
        status = fails > 0 ? FAIL : unknowns > 0 ? UNKNOWN : PASS;
        st.reason =
          status === FAIL
            ? `${fails} of ${list.length} item(s) of ${listName} fail: ${reasonText(firstFailReason)}`
            : status === UNKNOWN
              ? `${unknowns} item(s) of ${listName} undecided: ${reasonText(firstUnknownReason)}`
              : undefined;
      } else {
        status = passes > 0 ? FAIL : unknowns > 0 ? UNKNOWN : PASS;
        st.reason =
          status === FAIL
            ? `${passes} item(s) of ${listName} match what is not allowed (${child.expected}): ${safeJson(witnesses?.[0])}`
            : status === UNKNOWN
              ? `${unknowns} item(s) of ${listName} undecided: ${reasonText(firstUnknownReason)}`
              : undefined;
      }
      return status;
    },
  };
}

function compileLeaf(node: Record<string, unknown>, path: PathSegment[], env: CompileEnv, scope: Scope): Compiled {
  const keys = Object.keys(node);
  const ops = keys.filter((k) => (OPS as readonly string[]).includes(k)) as Op[];
  const extra = keys.filter((k) => !['fact', 'as', 'flags', ...OPS].includes(k));
  if (extra.length > 0) {
    env.report([...path, extra[0] as string], `unknown key "${extra[0]}" in a fact check (operators: ${OPS.join(', ')})`);
    return invalid;
  }
  if (ops.length !== 1) {
    env.report(path, `a fact check needs exactly one operator (${OPS.join(', ')}); found ${ops.length ? ops.join(', ') : 'none'}`);
    return invalid;
  }
  const op = ops[0] as Op;
  const factPath = node.fact;
  if (typeof factPath !== 'string' || !/^[A-Za-z0-9]+(\.[A-Za-z0-9]+)*$/.test(factPath)) {
    env.report([...path, 'fact'], 'fact must be a dotted path such as "hardening.screenLock.timeoutSec"');
    return invalid;
  }
  const resolved = resolveFact(scope.schema, factPath);
  if ('error' in resolved) {
    env.report([...path, 'fact'], resolved.error);
    return invalid;
  }
  scope.reads.add(factPath);
  const name = `${scope.prefix}${factPath}`;
  const as = node.as;
  let fact: FactKind = resolved.fact;
  if (as !== undefined) {
    if (as === 'ageDays' || as === 'ageHours') {
      if (fact.kind !== 'string' || !fact.dateTime) {
        env.report([...path, 'as'], `"as: ${as}" needs a date-time fact; "${name}" is a ${fact.kind}`);
        return invalid;
      }
    } else if (as === 'count') {
      if (fact.kind !== 'array') {
        env.report([...path, 'as'], `"as: count" needs a list fact; "${name}" is a ${fact.kind}`);
        return invalid;
      }
    } else {
      env.report([...path, 'as'], `"as" must be ageDays, ageHours or count`);
      return invalid;
    }
    fact = { kind: 'number', integer: as === 'count' };
  }
  if (node.flags !== undefined && op !== 'matches') {
    env.report([...path, 'flags'], '"flags" only goes with "matches"');
    return invalid;
  }
  const valueType: 'number' | 'boolean' | 'string' | 'any' =
    fact.kind === 'number' ? 'number' : fact.kind === 'boolean' ? 'boolean' : fact.kind === 'string' || fact.kind === 'enum' ? 'string' : 'any';

  const get = getter(factPath);
  // fetch() reads the fact once, records it as evidence (at the top level) and applies "as".
  const transform: ((v: unknown, st: EvalState) => unknown) | undefined =
    as === 'ageDays' || as === 'ageHours'
      ? ((div: number) => (v: unknown, st: EvalState) => {
          if (typeof v !== 'string') return v;
          const t = Date.parse(v);
          return Number.isNaN(t) ? BAD_TIME : Math.floor(((st.now - t) / div) * 10) / 10;
        })(as === 'ageDays' ? 86_400_000 : 3_600_000)
      : as === 'count'
        ? (v: unknown) => (Array.isArray(v) ? v.length : v)
        : undefined;
  const shown = as === 'ageDays' ? `age in days of ${name}` : as === 'ageHours' ? `age in hours of ${name}` : as === 'count' ? `number of ${name}` : name;
  // Expected text inside a quantifier names item fields relative to the item ("running = true").
  const label = scope.topLevel ? shown : shown.replace(scope.prefix, '');
  const topLevel = scope.topLevel;
  const fetch = (root: unknown, st: EvalState): unknown => {
    const raw = get(root);
    if (topLevel && st.observed) st.observed[name] = observedValue(raw);
    return transform ? transform(raw, st) : raw;
  };

  if (op === 'exists') {
    if (typeof node.exists !== 'boolean') {
      env.report([...path, 'exists'], '"exists" must be true or false');
      return invalid;
    }
    const want = node.exists;
    return {
      expected: want ? `${label} is reported` : `${label} is absent`,
      fn: (root, st) => {
        const v = fetch(root, st);
        const present = v !== undefined && v !== null;
        if (present === want) return PASS;
        st.reason = want ? `${name} is absent` : `${name} is present`;
        return FAIL;
      },
    };
  }

  if (op === 'matches') {
    if (fact.kind !== 'string' && fact.kind !== 'enum') {
      env.report([...path, 'matches'], `"matches" needs a text fact; "${name}" is a ${fact.kind}`);
      return invalid;
    }
    const flags = node.flags === undefined ? '' : node.flags;
    if (typeof node.matches !== 'string' || typeof flags !== 'string') {
      env.report([...path, 'matches'], '"matches" needs a pattern string (and "flags" a string)');
      return invalid;
    }
    const problem = checkPatternSafety(node.matches, flags);
    if (problem) {
      env.report([...path, 'matches'], `unsafe or invalid pattern /${node.matches}/: ${problem}`);
      return invalid;
    }
    const re = new RegExp(node.matches, flags);
    return {
      expected: `${label} matches /${node.matches}/${flags}`,
      fn: (root, st) => {
        const v = fetch(root, st);
        if (typeof v !== 'string') return missingOrWrongType(v, name, st);
        if (re.test(v)) return PASS;
        st.reason = () => `${name} is ${clip(v)}, which does not match /${node.matches}/`;
        return FAIL;
      },
    };
  }

  if (op === 'in' || op === 'notIn') {
    const raw = node[op];
    if (!Array.isArray(raw) || raw.length === 0) {
      env.report([...path, op], `"${op}" needs a non-empty list of values`);
      return invalid;
    }
    const values: ParamValue[] = [];
    raw.forEach((item, i) => {
      const v = literalOrParam(item, [...path, op, i], env, fact, name);
      if (v !== undefined) values.push(v);
    });
    if (values.length !== raw.length) return invalid;
    const set = new Set<unknown>(values);
    const positive = op === 'in';
    const listText = `[${values.map(String).join(', ')}]`;
    return {
      expected: `${label} ${positive ? 'in' : 'not in'} ${listText}`,
      fn: (root, st) => {
        const v = fetch(root, st);
        if (!isScalarOf(v, valueType)) return missingOrWrongType(v, name, st);
        if (set.has(v) === positive) return PASS;
        st.reason = () => `${shown} is ${clip(String(v))}, expected ${positive ? 'one of' : 'none of'} ${listText}`;
        return FAIL;
      },
    };
  }

  // eq ne lt lte gt gte
  const expectedValue = literalOrParam(node[op], [...path, op], env, fact, name);
  if (expectedValue === undefined) return invalid;
  if ((op === 'lt' || op === 'lte' || op === 'gt' || op === 'gte') && (fact.kind !== 'number' || typeof expectedValue !== 'number')) {
    env.report([...path, op], `"${op}" compares numbers; "${name}" is a ${fact.kind}${as ? '' : ' (use "as: ageDays" for times)'}`);
    return invalid;
  }
  const cmp = comparator(op, expectedValue);
  return {
    expected: `${label} ${OP_TEXT[op]} ${String(expectedValue)}`,
    fn: (root, st) => {
      const v = fetch(root, st);
      if (!isScalarOf(v, valueType)) return missingOrWrongType(v, name, st);
      if (cmp(v as ParamValue)) return PASS;
      st.reason = () => `${shown} is ${clip(String(v))}, expected ${OP_TEXT[op]} ${String(expectedValue)}`;
      return FAIL;
    },
  };
}

const BAD_TIME = Symbol('bad time');

function comparator(op: Op, want: ParamValue): (v: ParamValue) => boolean {
  switch (op) {
    case 'eq':
      return (v) => v === want;
    case 'ne':
      return (v) => v !== want;
    case 'lt':
      return (v) => (v as number) < (want as number);
    case 'lte':
      return (v) => (v as number) <= (want as number);
    case 'gt':
      return (v) => (v as number) > (want as number);
    default:
      return (v) => (v as number) >= (want as number);
  }
}

/** A literal of the fact's type, or {param: name} resolved for this tier; reports and returns undefined if not. */
function literalOrParam(raw: unknown, path: PathSegment[], env: CompileEnv, fact: FactKind, name: string): ParamValue | undefined {
  let value: unknown = raw;
  let origin = 'value';
  if (isPlainObject(raw)) {
    const keys = Object.keys(raw);
    if (keys.length !== 1 || typeof raw.param !== 'string') {
      env.report(path, 'a value must be a literal or {param: <name>}');
      return undefined;
    }
    const p = env.param(raw.param);
    if (!p) {
      env.report([...path, 'param'], `unknown parameter "${raw.param}" (not declared in the pack's parameters)`);
      return undefined;
    }
    if (p.value === undefined) {
      env.report([...path, 'param'], `parameter "${raw.param}" has no value for ${env.tierLabel}`);
      return undefined;
    }
    value = p.value;
    origin = `parameter "${raw.param}"`;
  }
  const ok =
    fact.kind === 'number'
      ? typeof value === 'number' && Number.isFinite(value)
      : fact.kind === 'boolean'
        ? typeof value === 'boolean'
        : fact.kind === 'enum'
          ? typeof value === 'string' && fact.values.includes(value)
          : fact.kind === 'string'
            ? typeof value === 'string'
            : false;
  if (!ok) {
    const wanted = fact.kind === 'enum' ? `one of ${fact.values.join(', ')}` : `a ${fact.kind}`;
    env.report(path, `${origin} ${JSON.stringify(value)} cannot be compared with ${name}, which is ${wanted}`);
    return undefined;
  }
  return value as ParamValue;
}

function isScalarOf(v: unknown, type: 'number' | 'boolean' | 'string' | 'any'): boolean {
  if (type === 'number') return typeof v === 'number' && Number.isFinite(v);
  if (type === 'any') return v !== undefined && v !== null;
  return typeof v === type;
}

function missingOrWrongType(v: unknown, name: string, st: EvalState): Status {
  if (v === undefined || v === null) {
    st.reason = `fact "${name}" not reported`;
    if (st.missing === undefined) st.missing = name;
  } else if (v === BAD_TIME) {
    st.reason = `fact "${name}" is not a valid time`;
  } else {
    st.reason = `fact "${name}" has an unexpected type (${typeof v})`;
  }
  return UNKNOWN;
}

function getter(path: string): (root: unknown) => unknown {
  const segs = path.split('.');
  const hasOwn = Object.prototype.hasOwnProperty;
  // Plain property reads are safe (and much faster) unless a segment names something every object inherits.
  if (!segs.some((k) => k in Object.prototype)) {
    if (segs.length === 1) {
      const a = segs[0] as string;
      return (root) => (root !== null && typeof root === 'object' ? (root as Record<string, unknown>)[a] : undefined);
    }
    if (segs.length === 2) {
      const [a, b] = segs as [string, string];
      return (root) => {
        const x = root !== null && typeof root === 'object' ? (root as Record<string, unknown>)[a] : undefined;
        return x !== null && typeof x === 'object' ? (x as Record<string, unknown>)[b] : undefined;
      };
    }
    return (root) => {
      let o: unknown = root;
      for (let i = 0; i < segs.length; i++) {
        if (o === null || typeof o !== 'object') return undefined;
        o = (o as Record<string, unknown>)[segs[i] as string];
      }
      return o;
    };
  }
  if (segs.length === 1) {
    const a = segs[0] as string;
    return (root) => (root !== null && typeof root === 'object' && hasOwn.call(root, a) ? (root as Record<string, unknown>)[a] : undefined);
  }
  return (root) => {
    let o: unknown = root;
    for (let i = 0; i < segs.length; i++) {
      const k = segs[i] as string;
      if (o === null || typeof o !== 'object' || !hasOwn.call(o, k)) return undefined;
      o = (o as Record<string, unknown>)[k];
    }
    return o;
  };
}

/** Keeps of a list item only the fields the check read: evidence stays small and on point. */
function projector(paths: string[]): (item: unknown) => Record<string, unknown> {
  const getters = paths.map((p) => [p, getter(p)] as const);
  return (item) => {
    const out: Record<string, unknown> = {};
    for (const [p, g] of getters) {
      const v = g(item);
      if (v !== undefined) out[p] = observedValue(v);
    }
    return out;
  };
}

/** Evidence copies of endpoint values: scalars as they are (text clipped), lists and objects summarised. */
function observedValue(v: unknown): unknown {
  if (typeof v === 'string') return clip(v);
  if (Array.isArray(v)) return v.length <= 20 && v.every((x) => typeof x !== 'object') ? v.map((x) => (typeof x === 'string' ? clip(x) : x)) : { count: v.length };
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x === null || typeof x !== 'object') out[k] = typeof x === 'string' ? clip(x) : x;
    return out;
  }
  return v;
}

const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
export function clip(s: string): string {
  if (s.length <= MAX_TEXT && !CONTROL_CHARS.test(s)) return s;
  const clean = s.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return clean.length > MAX_TEXT ? `${clean.slice(0, MAX_TEXT)}…` : clean;
}

function safeJson(v: unknown): string {
  return v === undefined ? '' : clip(JSON.stringify(v));
}
