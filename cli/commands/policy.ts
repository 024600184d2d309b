// `soclite policy lint [dir] | test <posture.json> --level N [--pack P] [--json] | explain <control-id>`:
// the policy engine from the command line, with exactly the code the collector runs (collector/policy).
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parseCli } from '../args.js';
import { CliError } from '../errors.js';
import {
  defaultPolicyDir,
  evaluatePosture,
  explainControl,
  formatExplanation,
  formatProblem,
  loadPolicySet,
  PolicyLoadError,
  type Attestation,
  type Finding,
  type LoadOptions,
  type PolicySet,
} from '../../collector/policy/index.js';
import { Posture } from '../../protocol/posture.js';

const USAGE = [
  'soclite policy lint [dir]',
  'soclite policy test <posture.json> --level N [--pack P]... [--json] [--now ISO-TIME] [--attestations FILE] [--config F] [--policies DIR]',
  'soclite policy explain <control-id> [--json] [--config F] [--policies DIR]',
].join('\n       ');

/** Exit codes: 0 ok / all applicable controls pass, 1 error, 2 usage, 3 some control failed or is unknown. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCli(
    args,
    {
      level: { type: 'string' },
      pack: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      now: { type: 'string' },
      attestations: { type: 'string' },
      config: { type: 'string' },
      policies: { type: 'string' },
    },
    USAGE,
  );
  const [verb, ...rest] = positionals;
  if (values.help || !verb) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  switch (verb) {
    case 'lint':
      if (rest.length > 1) throw new CliError(`usage: ${USAGE}`, 2);
      return lint(rest[0] ?? values.policies ?? defaultPolicyDir());
    case 'test':
      if (rest.length !== 1) throw new CliError(`policy test needs one posture file\nusage: ${USAGE}`, 2);
      return test(rest[0] as string, values);
    case 'explain':
      if (rest.length !== 1) throw new CliError(`policy explain needs one control id\nusage: ${USAGE}`, 2);
      return explain(rest[0] as string, values);
    default:
      throw new CliError(`unknown policy command "${verb}"\nusage: ${USAGE}`, 2);
  }
}

function lint(dir: string): number {
  try {
    const set = loadPolicySet(dir);
    const perPack = Object.keys(set.packs).map((p) => `${p}: ${set.controls.filter((c) => c.pack === p).length} controls`);
    process.stdout.write(`ok: ${Object.keys(set.packs).length} pack(s), ${set.controls.length} controls (${perPack.join(', ')})\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof PolicyLoadError)) throw err;
    for (const p of err.problems) process.stdout.write(formatProblem(p) + '\n');
    process.stderr.write(`soclite policy lint: ${err.problems.length} problem(s) in ${dir}\n`);
    return 1;
  }
}

type Flags = { level?: string; pack?: string[]; json?: boolean; now?: string; attestations?: string; config?: string; policies?: string };

/** Policy folder, packs and overrides: from --config (as the collector reads them) or the shipped defaults. */
async function policyOptions(values: Flags): Promise<{ dir: string; opts: LoadOptions }> {
  if (values.config) {
    const { loadConfig, ConfigError } = await import('../../collector/config/load.js');
    try {
      const c = loadConfig({ configFile: values.config });
      return { dir: values.policies ?? c.policy.dir ?? defaultPolicyDir(), opts: { packs: c.policy.packs, overrides: c.policy.overrides } };
    } catch (err) {
      if (err instanceof ConfigError) throw new CliError(err.message, 2);
      throw err;
    }
  }
  return { dir: values.policies ?? defaultPolicyDir(), opts: {} };
}

async function loadSet(values: Flags): Promise<PolicySet> {
  const { dir, opts } = await policyOptions(values);
  try {
    return loadPolicySet(dir, opts);
  } catch (err) {
    if (err instanceof PolicyLoadError) throw new CliError(err.message);
    throw err;
  }
}

async function test(file: string, values: Flags): Promise<number> {
  const level = Number(values.level);
  if (!values.level || !Number.isInteger(level) || level < 1 || level > 5) throw new CliError('--level must be a security level 1-5', 2);
  const now = values.now === undefined ? new Date() : new Date(values.now);
  if (Number.isNaN(now.getTime())) throw new CliError(`--now "${values.now}" is not an ISO time`, 2);
  const posture = readPosture(file);
  const attestations = values.attestations ? readAttestations(values.attestations) : [];
  const set = await loadSet(values);
  for (const p of values.pack ?? []) {
    if (!set.packs[p]) throw new CliError(`unknown pack "${p}" (loaded: ${Object.keys(set.packs).join(', ')})`, 2);
  }
  const findings = evaluatePosture(set, posture, { level, packs: values.pack, now, attestations });
  const summary = countStatuses(findings);
  if (values.json) {
    process.stdout.write(JSON.stringify({ level, packs: values.pack ?? Object.keys(set.packs), policyDigest: set.digest, summary, findings }, null, 2) + '\n');
  } else {
    process.stdout.write(renderTable(findings, set) + '\n');
    process.stdout.write(`level ${level}: ${summary.pass} pass, ${summary.fail} fail, ${summary.unknown} unknown, ${summary.not_applicable} not applicable\n`);
  }
  return summary.fail + summary.unknown > 0 ? 3 : 0;
}

async function explain(id: string, values: Flags): Promise<number> {
  const set = await loadSet(values);
  const e = explainControl(set, id);
  if (!e) {
    const near = set.controls.filter((c) => c.id.includes(id) || id.includes(c.id)).map((c) => c.id);
    throw new CliError(`unknown control "${id}"${near.length ? ` (did you mean: ${near.slice(0, 5).join(', ')})` : ''}`, 2);
  }
  process.stdout.write((values.json ? JSON.stringify(e, null, 2) : formatExplanation(e, set)) + '\n');
  return 0;
}

let validatePosture: ReturnType<Ajv['compile']> | undefined;
function readPosture(file: string): Posture {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CliError(`cannot read posture ${file}: ${(err as Error).message}`);
  }
  if (!validatePosture) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    (addFormatsModule as unknown as (a: Ajv) => void)(ajv);
    validatePosture = ajv.compile(Posture);
  }
  // The collector refuses postures that do not match the protocol; so does this command.
  if (!validatePosture(data)) {
    const errs = (validatePosture.errors ?? []).slice(0, 10).map((e) => `  ${e.instancePath || '/'} ${e.message}`);
    throw new CliError(`${file} is not a valid posture:\n${errs.join('\n')}`);
  }
  return data as Posture;
}

function readAttestations(file: string): Attestation[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CliError(`cannot read attestations ${file}: ${(err as Error).message}`);
  }
  if (!Array.isArray(data)) throw new CliError(`${file} must hold a JSON array of attestations`);
  return data as Attestation[];
}

function countStatuses(findings: Finding[]) {
  const out = { pass: 0, fail: 0, unknown: 0, not_applicable: 0 };
  for (const f of findings) out[f.status]++;
  return out;
}

const MARK: Record<Finding['status'], string> = { pass: 'PASS', fail: 'FAIL', unknown: 'UNKNOWN', not_applicable: 'N/A' };

function renderTable(findings: Finding[], set: PolicySet): string {
  const width = Math.max(...findings.map((f) => f.controlId.length), 10);
  return findings
    .map((f) => {
      const title = set.byId[f.controlId]?.title.en ?? '';
      const line = `${MARK[f.status].padEnd(7)} ${f.controlId.padEnd(width)} ${f.severity.padEnd(8)} ${title}`;
      return f.reason && f.status !== 'not_applicable' ? `${line}\n${' '.repeat(8)}${f.reason}` : line;
    })
    .join('\n');
}
