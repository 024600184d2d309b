// A large report body read off the event loop. Parsing and validating a posture report's JSON was a quarter of
// the event loop's time per unchanged posture (profiled in bench:ingest), and the signature worker parsed the
// same text again for the posture hash. Now a report body over DEFERRED_REPORT_BYTES skips fastify's parser
// (http/raw-json.ts) and the worker reads it once: parsed as fastify parses bodies (secure-json-parse,
// prototype poisoning refused), validated against its kind's schema, and its posture hashed unless the hash
// the agent claims is the one stored (below). The event loop gets what ingest needs of an unchanged posture;
// a changed posture (the slow lane) or another kind of report is parsed again on the event loop, where it is
// used whole.
//
// An unchanged posture is hash only: when the claimed hash is the stored one, the posture is not hashed again
// (the canonical hash was 41 µs of a posture's 75 on the worker). The content is then not used at all, and a
// heartbeat's claimed hash is trusted the same way; an agent claiming a hash its content does not have gains
// nothing it could not get by sending the old content. Should the stored hash have moved by the time the
// report commits, ingest hashes the content after all (fleet/ingest.ts).
import { errorCodes } from 'fastify';
import sjson from 'secure-json-parse';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { postureHash, type Posture, type PostureReport, type Report } from '../../protocol/index.js';
import { ReportValidationError, explain, reportProblem, reportValidators, validateReport } from '../http/report-validator.js';

/** Report bodies from this size on are read on the worker. Heartbeats and session openings are far smaller. */
export const DEFERRED_REPORT_BYTES = 1024;

/** fastify's options for its JSON body parser (content-type-parser.js), kept the same here and on the worker. */
export const JSON_BODY_OPTIONS = { protoAction: 'error', constructorAction: 'error' } as const;

export type ReportTextOutcome =
  | { error: 'json' }
  | { error: 'invalid'; message: string }
  /** A valid posture report: what ingest needs while the posture is unchanged. computedHash: absent when the
   * claimed hash was the stored one and the posture was not hashed. */
  | { kind: 'posture'; seq: number; postureHash: string; postureAgentId: string; computedHash?: string }
  /** A valid report of another kind: parsed again where it is used. */
  | { kind: 'other' };

export interface ReportTextDeps {
  /** Throws on malformed JSON or a poisoned prototype. */
  parseJson(text: string): unknown;
  validators: Record<string, ValidateFunction>;
  reportProblem(data: unknown, validators: Record<string, ValidateFunction>, explain: (e: ErrorObject) => string): string | null;
  explain(e: ErrorObject): string;
  postureHash(posture: unknown): string;
}

/**
 * Self-contained (its source runs on the worker, see worker-source.ts): everything it uses comes in deps.
 * storedHash: the agent's stored posture hash when the report was received.
 */
export function readReportText(text: string, deps: ReportTextDeps, storedHash?: string | null): ReportTextOutcome {
  let data: unknown;
  try {
    data = deps.parseJson(text);
  } catch {
    return { error: 'json' };
  }
  const r = data as { kind?: unknown; seq?: unknown; postureHash?: unknown; posture?: { agent?: { id?: unknown } } } | null;
  // The hash is of the posture as sent, taken before validation may touch the object (it would add defaults).
  let computedHash: string | null = null;
  const claimsStored = typeof storedHash === 'string' && r !== null && typeof r === 'object' && r.postureHash === storedHash;
  if (!claimsStored && r !== null && typeof r === 'object' && r.kind === 'posture' && typeof r.posture === 'object' && r.posture !== null) {
    try {
      computedHash = deps.postureHash(r.posture);
    } catch {
      computedHash = null;
    }
  }
  const problem = deps.reportProblem(data, deps.validators, deps.explain);
  if (problem !== null) return { error: 'invalid', message: problem };
  if (r!.kind !== 'posture' || (computedHash === null && !claimsStored)) return { kind: 'other' };
  const read = { kind: 'posture' as const, seq: r!.seq as number, postureHash: r!.postureHash as string, postureAgentId: r!.posture!.agent!.id as string };
  return computedHash === null ? read : { ...read, computedHash };
}

/** The error fastify would have answered for this outcome (the same status, code and message). */
export function reportTextError(o: Extract<ReportTextOutcome, { error: string }>): Error {
  return o.error === 'json' ? new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY() : new ReportValidationError(o.message);
}

/** fastify's JSON body parsing on this thread: throws on malformed JSON or a poisoned prototype. */
const parseJsonHere = (text: string): unknown => sjson.parse(text, null, JSON_BODY_OPTIONS);

/** A report body parsed and validated on this thread, as fastify would; throws the error fastify would answer. */
export function parseReportHere(raw: Buffer): Report {
  let data: unknown;
  try {
    data = parseJsonHere(raw.toString('utf8'));
  } catch {
    throw new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY();
  }
  const v = validateReport(data);
  if ('error' in v) throw v.error;
  return v.value;
}

/**
 * A posture report read on the worker: what ingest needs while the posture is unchanged, and the whole report
 * (parsed here, on first use) for when it changed.
 */
export interface DeferredPosture {
  kind: 'posture';
  seq: number;
  postureHash: string;
  postureAgentId: string;
  /** False when the claimed hash was taken as is (it was the stored one): see the top of this file. */
  hashChecked: boolean;
  full(): PostureReport;
}

export function deferredPosture(o: Extract<ReportTextOutcome, { kind: 'posture' }>, raw: Buffer): DeferredPosture {
  let whole: PostureReport | undefined;
  return {
    kind: 'posture',
    seq: o.seq,
    postureHash: o.postureHash,
    postureAgentId: o.postureAgentId,
    hashChecked: o.computedHash !== undefined,
    full: () => (whole ??= parseReportHere(raw) as PostureReport),
  };
}

/** readReportText on this thread (when the worker is gone), with this thread's parser, validators and hash. */
export function readReportTextHere(text: string, storedHash?: string | null): ReportTextOutcome {
  const deps: ReportTextDeps = { parseJson: parseJsonHere, validators: reportValidators, reportProblem, explain, postureHash: (p) => postureHash(p as Posture) };
  return readReportText(text, deps, storedHash);
}
