// Loading a policy set: read the pack folders, validate every file against its JSON Schema, resolve parameters
// (with the organisation's overrides), check every fact path, parameter, document and tier a control names,
// and compile each control's check per tier. All problems are collected and reported together with file and
// line; one problem refuses the whole set, so the collector keeps its last good one.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { compileAttestation } from './attestation-check.js';
import { compileCheck, FAIL, PASS, reasonText, type EvalState } from './check-compiler.js';
import { PolicyLoadError } from './errors.js';
import { familyFileSchema, packFileSchema } from './file-schemas.js';
import type {
  AttestationKind,
  CompiledCheck,
  CompiledControl,
  Control,
  DocumentRef,
  HostRole,
  Localized,
  Pack,
  Parameter,
  ParameterType,
  ParamValue,
  Platform,
  PolicyProblem,
  PolicySet,
  Reference,
  Severity,
  Tier,
} from './types.js';
import { parseYamlSource, pointerToPath, type PathSegment, type YamlSource } from './yaml-source.js';

export type LoadOptions = { packs?: string[]; overrides?: Record<string, unknown> };
export type PolicyFile = { file: string; text: string };
export type PackFiles = { dir: string; pack: PolicyFile; families: PolicyFile[] };

const PACK_FILE = 'pack.yaml';
const OVERRIDES = '(policy overrides)';

let validators: { pack: ValidateFunction; family: ValidateFunction } | undefined;
function getValidators() {
  if (!validators) {
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    validators = { pack: ajv.compile(packFileSchema), family: ajv.compile(familyFileSchema) };
  }
  return validators;
}

/** Reads `dir` (a folder of packs, or one pack folder) and builds the policy set; throws PolicyLoadError. */
export function loadPolicySet(dir: string, opts: LoadOptions = {}): PolicySet {
  return buildPolicySet(readPackFiles(dir, opts.packs), dir, opts);
}

export function readPackFiles(dir: string, only?: string[]): PackFiles[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new PolicyLoadError([{ file: dir, line: 0, column: 0, message: 'policy directory does not exist' }]);
  }
  const packDirs = existsSync(path.join(dir, PACK_FILE))
    ? [dir]
    : readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory() && existsSync(path.join(dir, e.name, PACK_FILE)))
        .map((e) => path.join(dir, e.name))
        .sort();
  if (packDirs.length === 0) {
    throw new PolicyLoadError([{ file: dir, line: 0, column: 0, message: `no policy pack found (a pack is a folder with ${PACK_FILE})` }]);
  }
  const selected = only ? packDirs.filter((d) => only.includes(path.basename(d))) : packDirs;
  const missing = (only ?? []).filter((p) => !packDirs.some((d) => path.basename(d) === p));
  if (missing.length > 0) {
    throw new PolicyLoadError(
      missing.map((p) => ({ file: dir, line: 0, column: 0, message: `pack "${p}" not found (available: ${packDirs.map((d) => path.basename(d)).join(', ')})` })),
    );
  }
  return selected.map((d) => {
    const names = readdirSync(d)
      .filter((n) => /\.ya?ml$/.test(n) && n !== PACK_FILE)
      .sort();
    const read = (n: string): PolicyFile => ({ file: path.join(d, n), text: readFileSync(path.join(d, n), 'utf8') });
    return { dir: d, pack: read(PACK_FILE), families: names.map(read) };
  });
}

/** Pure part of loading: from file texts to a compiled policy set (or PolicyLoadError). */
export function buildPolicySet(inputs: PackFiles[], loadedFrom: string, opts: LoadOptions = {}): PolicySet {
  const problems: PolicyProblem[] = [];
  const packs: Record<string, Pack> = {};
  const controls: CompiledControl[] = [];
  const firstSeen = new Map<string, { file: string; line: number }>();
  const overrides = normaliseOverrides(opts.overrides ?? {}, problems);
  const usedOverrides = new Set<string>();

  for (const input of inputs) {
    const pack = loadPack(input, problems, overrides, usedOverrides);
    if (!pack) continue;
    if (packs[pack.id]) {
      problems.push({ file: input.pack.file, line: 1, column: 1, message: `duplicate pack id "${pack.id}"` });
      continue;
    }
    packs[pack.id] = pack;
    const familyIds = new Set<string>();
    for (const f of input.families) {
      for (const control of loadFamily(f, pack, problems, familyIds)) {
        const prev = firstSeen.get(control.id);
        if (prev) {
          problems.push({ file: control.file, line: control.line, column: 1, message: `duplicate control id "${control.id}" (first defined at ${prev.file}:${prev.line})` });
          continue;
        }
        firstSeen.set(control.id, { file: control.file, line: control.line });
        controls.push(control);
      }
    }
  }
  for (const key of overrides.keys()) {
    if (!usedOverrides.has(key)) problems.push({ file: OVERRIDES, line: 0, column: 0, message: `unknown parameter "${key}" in overrides` });
  }
  if (problems.length > 0) throw new PolicyLoadError(dedupe(problems));

  const hash = createHash('sha256');
  for (const input of inputs) for (const f of [input.pack, ...input.families]) hash.update(`${path.basename(input.dir)}/${path.basename(f.file)}\0${f.text}\0`);
  hash.update(JSON.stringify([...overrides.entries()]));
  const byId: Record<string, CompiledControl> = {};
  for (const c of controls) byId[c.id] = c;
  return { packs, controls, byId, digest: hash.digest('hex'), loadedFrom };
}

type OverrideValue = { all?: unknown; byTier: Record<string, unknown> };

/** Overrides: "pack.param" or "param" (every pack declaring it) -> value, or {tierId: value}. */
function normaliseOverrides(raw: Record<string, unknown>, problems: PolicyProblem[]): Map<string, OverrideValue> {
  const out = new Map<string, OverrideValue>();
  for (const [key, v] of Object.entries(raw)) {
    if (!/^([a-z0-9.-]+\.)?[a-z][A-Za-z0-9]{0,63}$/.test(key)) {
      problems.push({ file: OVERRIDES, line: 0, column: 0, message: `override key "${key}" is not "<pack>.<parameter>" or "<parameter>"` });
      continue;
    }
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) out.set(key, { byTier: { ...(v as Record<string, unknown>) } });
    else out.set(key, { all: v, byTier: {} });
  }
  return out;
}

function loadPack(input: PackFiles, problems: PolicyProblem[], overrides: Map<string, OverrideValue>, used: Set<string>): Pack | undefined {
  const src = parseAndValidate(input.pack, getValidators().pack, problems);
  if (!src) return undefined;
  const v = src.value as {
    pack: string;
    title: Localized;
    framework: Localized;
    documents: DocumentRef[];
    tiers: { id: string | number; title: Localized; securityLevels: number[] }[];
    parameters: Record<string, { type: ParameterType; unit?: string; title: Localized; default?: ParamValue; byLevel?: Record<string, ParamValue>; sources?: Reference[]; orgDefault?: boolean; note?: string }>;
  };
  const dirName = path.basename(input.dir);
  if (v.pack !== dirName) problems.push(src.problem(['pack'], `pack id "${v.pack}" must equal its folder name "${dirName}"`));

  const documents: Record<string, DocumentRef> = {};
  v.documents.forEach((d, i) => {
    if (documents[d.id]) problems.push(src.problem(['documents', i, 'id'], `duplicate document id "${d.id}"`));
    documents[d.id] = d;
  });

  const tiers: Tier[] = [];
  const levelOwner = new Map<number, string>();
  v.tiers.forEach((t, i) => {
    const id = String(t.id);
    if (tiers.some((x) => x.id === id)) problems.push(src.problem(['tiers', i, 'id'], `duplicate tier "${id}"`));
    for (const l of t.securityLevels) {
      const owner = levelOwner.get(l);
      if (owner) problems.push(src.problem(['tiers', i, 'securityLevels'], `security level ${l} already maps to tier "${owner}"`));
      levelOwner.set(l, id);
    }
    tiers.push({ id, title: t.title, securityLevels: t.securityLevels });
  });
  const tierIds = new Set(tiers.map((t) => t.id));

  const parameters: Record<string, Parameter> = {};
  for (const [name, p] of Object.entries(v.parameters)) {
    const at = ['parameters', name];
    const sources = p.sources ?? [];
    if ((p.orgDefault === true) === sources.length > 0) {
      const where = p.orgDefault === true ? [...at, 'orgDefault'] : at;
      problems.push(src.problem(where, 'a parameter needs either "sources" (document + clause) or "orgDefault: true", not both or neither'));
    }
    sources.forEach((s, i) => checkReference(s, [...at, 'sources', i], documents, src, problems));
    const ov = [overrides.get(`${v.pack}.${name}`), overrides.get(name)].find((o) => o !== undefined);
    for (const key of [`${v.pack}.${name}`, name]) if (overrides.has(key)) used.add(key);
    const values: Record<string, ParamValue> = {};
    for (const tier of Object.keys(p.byLevel ?? {})) {
      if (!tierIds.has(tier)) problems.push(src.problem([...at, 'byLevel', tier], `unknown level "${tier}" (tiers: ${[...tierIds].join(', ')})`));
    }
    for (const tier of tierIds) {
      const fromFile = p.byLevel?.[tier] ?? p.default;
      if (fromFile !== undefined && !valueHasType(fromFile, p.type)) {
        problems.push(src.problem([...at, p.byLevel?.[tier] !== undefined ? 'byLevel' : 'default'], `value ${JSON.stringify(fromFile)} is not a ${p.type}`));
      }
      let value: unknown = fromFile;
      if (ov) {
        const o = ov.byTier[tier] ?? ov.all;
        if (o !== undefined) {
          if (!valueHasType(o, p.type)) {
            problems.push({ file: OVERRIDES, line: 0, column: 0, message: `override of "${name}" for level ${tier}: ${JSON.stringify(o)} is not a ${p.type}` });
          }
          value = o;
        }
      }
      if (value !== undefined) values[tier] = value as ParamValue;
    }
    if (ov) {
      for (const tier of Object.keys(ov.byTier)) {
        if (!tierIds.has(tier)) problems.push({ file: OVERRIDES, line: 0, column: 0, message: `override of "${name}": unknown level "${tier}"` });
      }
    }
    parameters[name] = { name, type: p.type, unit: p.unit, title: p.title, sources, orgDefault: p.orgDefault === true, note: p.note, values, overridden: ov !== undefined };
  }
  return { id: v.pack, title: v.title, framework: v.framework, documents, tiers, parameters, dir: input.dir };
}

function loadFamily(f: PolicyFile, pack: Pack, problems: PolicyProblem[], familyIds: Set<string>): CompiledControl[] {
  const src = parseAndValidate(f, getValidators().family, problems);
  if (!src) return [];
  const v = src.value as { family: string; controls: Record<string, unknown>[] };
  if (familyIds.has(v.family)) problems.push(src.problem(['family'], `duplicate family "${v.family}" in pack ${pack.id}`));
  familyIds.add(v.family);
  const tierIds = new Set(pack.tiers.map((t) => t.id));
  const out: CompiledControl[] = [];
  v.controls.forEach((raw, i) => {
    const at: PathSegment[] = ['controls', i];
    const c = raw as Omit<Control, 'pack' | 'family' | 'file' | 'line' | 'levels'> & { levels: (string | number)[] };
    const levels = c.levels.map(String);
    levels.forEach((l, j) => {
      if (!tierIds.has(l)) problems.push(src.problem([...at, 'levels', j], `unknown level "${l}" (pack ${pack.id} defines: ${[...tierIds].join(', ')})`));
    });
    c.references.forEach((r, j) => checkReference(r, [...at, 'references', j], pack.documents, src, problems));
    if ((c.check === undefined) === (c.attestation === undefined)) {
      problems.push(src.problem(at, `control "${c.id}" needs exactly one of "check" or "attestation"`));
      return;
    }
    const byTier: Record<string, CompiledCheck> = {};
    for (const tier of levels) {
      if (!tierIds.has(tier)) continue;
      const tierLabel = `level ${tier}`;
      const param = (name: string) => {
        const p = pack.parameters[name];
        return p ? { value: p.values[tier], type: p.type } : undefined;
      };
      const report = (p: readonly PathSegment[], message: string) => problems.push(src.problem([...at, ...p], message));
      if (c.attestation) {
        byTier[tier] = compileAttestationFor(c.attestation.kind, c.attestation.maxAgeDays, param, tierLabel, (p, m) => report(['attestation', ...p], m));
      } else {
        const compiled = compileCheck(c.check, ['check'], { param, tierLabel, report });
        byTier[tier] = { expected: compiled.expected, needsPosture: true, evaluate: wrapCheck(compiled.fn) };
      }
    }
    out.push({
      id: c.id,
      pack: pack.id,
      family: v.family,
      title: c.title,
      rationale: c.rationale,
      remediation: c.remediation,
      severity: c.severity as Severity,
      platforms: c.platforms as Platform[],
      roles: c.roles as HostRole[] | undefined,
      levels,
      references: c.references,
      check: c.check,
      attestation: c.attestation,
      file: f.file,
      line: src.locate(at).line,
      byTier,
    });
  });
  return out;
}

function compileAttestationFor(
  kind: AttestationKind,
  maxAge: number | { param: string } | undefined,
  param: (name: string) => { value: ParamValue | undefined; type: string } | undefined,
  tierLabel: string,
  report: (p: PathSegment[], message: string) => void,
): CompiledCheck {
  let days: number | undefined;
  if (typeof maxAge === 'number') days = maxAge;
  else if (maxAge) {
    const p = param(maxAge.param);
    if (!p) report(['maxAgeDays', 'param'], `unknown parameter "${maxAge.param}" (not declared in the pack's parameters)`);
    else if (typeof p.value !== 'number' || p.value <= 0) report(['maxAgeDays', 'param'], `parameter "${maxAge.param}" has no positive number for ${tierLabel}`);
    else days = p.value;
  }
  return compileAttestation(kind, days);
}

/** Adapts a compiled node to the CompiledCheck interface, collecting evidence into a fresh object. */
function wrapCheck(fn: ReturnType<typeof compileCheck>['fn']): CompiledCheck['evaluate'] {
  return (env) => {
    // One scratch state per evaluatePosture call (env.scratch), reset here: fewer allocations in the hot loop.
    const st: EvalState = (env.scratch ??= { now: env.now, reason: undefined, missing: undefined, observed: undefined });
    st.now = env.now;
    st.reason = undefined;
    st.missing = undefined;
    st.observed = {};
    const r = fn(env.posture, st);
    const status = r === PASS ? 'pass' : r === FAIL ? 'fail' : 'unknown';
    const result: ReturnType<CompiledCheck['evaluate']> = { status, observed: st.observed ?? {} };
    if (r !== PASS) {
      result.reason = reasonText(st.reason) ?? (r === FAIL ? 'check failed' : 'could not be decided');
      if (r !== FAIL && st.missing) result.missing = st.missing;
    }
    return result;
  };
}

function checkReference(r: Reference, at: PathSegment[], documents: Record<string, DocumentRef>, src: YamlSource, problems: PolicyProblem[]) {
  if (!documents[r.document]) {
    problems.push(src.problem([...at, 'document'], `unknown document "${r.document}" (declare it in the pack's documents: ${Object.keys(documents).join(', ')})`));
  }
}

function valueHasType(v: unknown, type: ParameterType): boolean {
  if (type === 'integer') return Number.isInteger(v);
  if (type === 'number') return typeof v === 'number' && Number.isFinite(v);
  return typeof v === type;
}

function parseAndValidate(f: PolicyFile, validate: ValidateFunction, problems: PolicyProblem[]): YamlSource | undefined {
  const { source, problems: syntax } = parseYamlSource(f.file, f.text);
  if (!source) {
    problems.push(...syntax);
    return undefined;
  }
  if (!validate(source.value)) {
    for (const e of validate.errors ?? []) problems.push(schemaProblem(source, e));
    return undefined;
  }
  return source;
}

function schemaProblem(src: YamlSource, e: ErrorObject): PolicyProblem {
  const p = pointerToPath(e.instancePath);
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties') return src.problem([...p, String(params.additionalProperty)], 'unknown field');
  if (e.keyword === 'required') return src.problem(p, `missing required field "${String(params.missingProperty)}"`);
  if (e.keyword === 'enum') return src.problem(p, `${e.message}: ${(params.allowedValues as unknown[]).join(', ')}`);
  if (e.keyword === 'propertyNames') return src.problem([...p, String(params.propertyName)], `invalid name "${String(params.propertyName)}"`);
  return src.problem(p, e.message ?? e.keyword);
}

function dedupe(problems: PolicyProblem[]): PolicyProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.file}:${p.line}:${p.column}:${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
