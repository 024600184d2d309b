// Validates a report against the schema of its own kind, so an error names the real problem ("posture/host
// must have property hostname") instead of four failed union branches. The same checks run on the event loop
// (small bodies, through fastify) and on the signature worker (large report bodies, fleet/report-text.ts): the
// schemas and options are shared, and reportProblem and explain are self-contained so their source runs there.
import type { ErrorObject, ValidateFunction } from 'ajv';
import { strictAjv as ajv } from './validators.js';
import { EventsReport, GoodbyeReport, HeartbeatReport, PostureReport, type Report } from '../../protocol/index.js';

/** Each report kind's schema, by the kind's name. */
export const REPORT_SCHEMAS = { posture: PostureReport, heartbeat: HeartbeatReport, events: EventsReport, goodbye: GoodbyeReport };

/** The compiled validators of REPORT_SCHEMAS on this thread. */
export const reportValidators: Record<string, ValidateFunction> = Object.fromEntries(Object.entries(REPORT_SCHEMAS).map(([kind, schema]) => [kind, ajv.compile(schema)]));

/** One ajv error as a sentence about the body. Self-contained (runs on the worker too). */
export function explain(e: ErrorObject): string {
  const where = e.instancePath ? 'body' + e.instancePath : 'body';
  if (e.keyword === 'additionalProperties') return `${where} has unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`;
  return `${where} ${e.message ?? 'is invalid'}`;
}

/** What is wrong with a parsed report body, or null. Self-contained (runs on the worker too). */
export function reportProblem(data: unknown, validators: Record<string, ValidateFunction>, explainError: (e: ErrorObject) => string): string | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'body must be a JSON object';
  const kind = (data as { kind?: unknown }).kind;
  const validate = typeof kind === 'string' && Object.hasOwn(validators, kind) ? validators[kind] : undefined;
  if (!validate) return `body/kind must be one of ${Object.keys(validators).join(', ')}`;
  if (!validate(data)) return explainError(validate.errors![0]!);
  return null;
}

export class ReportValidationError extends Error {
  readonly statusCode = 400;
  readonly validation = true;
  readonly validationContext = 'body';
  readonly code = 'invalid_report';
}

export function validateReport(data: unknown): { value: Report } | { error: ReportValidationError } {
  const problem = reportProblem(data, reportValidators, explain);
  return problem === null ? { value: data as Report } : { error: new ReportValidationError(problem) };
}
