// Types of the policy room: what a loaded policy set looks like and what evaluating a posture yields.
// The collector, the CLI and the evidence exporter depend on these shapes; they are data, not behaviour.
import type { Posture } from '../../protocol/posture.js';

export type Localized = { vi: string; en: string };

export type Severity = 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

export type Platform = 'linux' | 'windows' | 'darwin' | 'other';
export type HostRole = 'workstation' | 'server';

/** pass / fail / not_applicable (platform, role or level) / unknown (fact missing or probe failed). */
export type FindingStatus = 'pass' | 'fail' | 'not_applicable' | 'unknown';

export type Finding = {
  controlId: string;
  pack: string;
  status: FindingStatus;
  /** Why it failed, is unknown or not applicable; absent on pass. Endpoint text inside is sanitised. */
  reason?: string;
  /** The facts the check looked at, by fact path (lists are cut to the items that decided the result). */
  observed: Record<string, unknown>;
  /** What the control requires, with this level's parameters filled in. */
  expected: string;
  severity: Severity;
};

/** Kinds of evidence an agent cannot observe; an authorised user records them as attestations. */
export type AttestationKind = 'training' | 'drill' | 'assessment' | 'backup-restore-test';
export const ATTESTATION_KINDS: readonly AttestationKind[] = ['training', 'drill', 'assessment', 'backup-restore-test'];

/**
 * A recorded document (training attendance, drill report, assessment report, restore-test log). The collector
 * stores these and passes the ones whose scope covers an agent in ctx.attestations.
 */
export type Attestation = {
  id: string;
  kind: AttestationKind;
  /** Only these controls are covered; absent = every control backed by this kind. */
  controlIds?: string[];
  /** SHA-256 (hex) of the document the attestation stands for. */
  documentSha256: string;
  scope?: { unit?: string; system?: string; agents?: string[] };
  validFrom: string;
  validUntil: string;
  recordedBy?: string;
  recordedAt?: string;
};

export type DocumentRef = {
  id: string;
  title: Localized;
  /** How sure the research is that the text says this: see shared/requirements. */
  confidence?: 'high' | 'med' | 'low' | 'recall';
  url?: string;
};

export type Reference = { document: string; clause: string; ig?: string };

export type Tier = { id: string; title: Localized; securityLevels: number[] };

export type ParameterType = 'number' | 'integer' | 'boolean' | 'string';

export type Parameter = {
  name: string;
  type: ParameterType;
  unit?: string;
  title: Localized;
  /** Where the number comes from; empty when orgDefault. */
  sources: Reference[];
  /** True when no document gives a number and the value is the organisation's own choice. */
  orgDefault: boolean;
  /** What informed an organisation default, or a caveat on the source. */
  note?: string;
  /** Value per tier id after organisation overrides. */
  values: Record<string, ParamValue>;
  overridden: boolean;
};

export type ParamValue = number | boolean | string;

export type Pack = {
  id: string;
  title: Localized;
  framework: Localized;
  documents: Record<string, DocumentRef>;
  tiers: Tier[];
  parameters: Record<string, Parameter>;
  dir: string;
};

export type AttestationRequirement = { kind: AttestationKind; maxAgeDays?: number | { param: string } };

/** The check language as written in YAML (validated by the compiler, which gives file+line on errors). */
export type CheckNode = Record<string, unknown>;

export type Control = {
  id: string;
  pack: string;
  family: string;
  title: Localized;
  rationale: Localized;
  remediation: Localized;
  severity: Severity;
  platforms: Platform[];
  roles?: HostRole[];
  /** Tier ids (security levels "1".."5", or "IG1".."IG3"). */
  levels: string[];
  references: Reference[];
  check?: CheckNode;
  attestation?: AttestationRequirement;
  file: string;
  line: number;
};

/** A check compiled for one tier: parameters are resolved, so evaluation does no look-ups by name. */
export type CompiledCheck = {
  evaluate: (env: EvalEnv) => CheckResult;
  expected: string;
  /** Attestation-backed checks need no posture; the others are unknown without one. */
  needsPosture: boolean;
};

export type EvalEnv = {
  posture: Posture | undefined;
  now: number;
  attestations: readonly Attestation[];
  controlId: string;
  /** Scratch state reused across the controls of one evaluation (see check-compiler EvalState). */
  scratch?: { now: number; reason: string | (() => string) | undefined; missing: string | undefined; observed: Record<string, unknown> | undefined };
};

export type CheckResult = {
  status: 'pass' | 'fail' | 'unknown';
  reason?: string;
  observed: Record<string, unknown>;
  /** On unknown: the first fact that was missing, so the caller can name the failed probe. */
  missing?: string;
};

export type CompiledControl = Control & {
  /** Per tier id: the compiled check or attestation rule. */
  byTier: Record<string, CompiledCheck>;
};

export type PolicySet = {
  packs: Record<string, Pack>;
  controls: CompiledControl[];
  byId: Record<string, CompiledControl>;
  /** Hash of the source files, so the collector can tell whether the policy changed. */
  digest: string;
  loadedFrom: string;
};

export type EvaluationContext = {
  level: number;
  packs?: string[];
  now?: Date;
  attestations?: Attestation[];
};

export type PolicyProblem = { file: string; line: number; column: number; message: string };
