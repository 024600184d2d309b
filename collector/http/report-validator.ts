// Validates a report against the schema of its own kind, so an error names the real problem ("posture/host
// must have property hostname") instead of four failed union branches.
import type { ErrorObject, ValidateFunction } from 'ajv';
import { strictAjv as ajv } from './validators.js';
import { EventsReport, GoodbyeReport, HeartbeatReport, PostureReport, type Report } from '../../protocol/index.js';


const byKind: Record<string, ValidateFunction> = {
  posture: ajv.compile(PostureReport),
  heartbeat: ajv.compile(HeartbeatReport),
  events: ajv.compile(EventsReport),
  goodbye: ajv.compile(GoodbyeReport),
};

function explain(e: ErrorObject): string {
  const where = e.instancePath ? 'body' + e.instancePath : 'body';
  if (e.keyword === 'additionalProperties') return `${where} has unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`;
  return `${where} ${e.message ?? 'is invalid'}`;
}

export class ReportValidationError extends Error {
  readonly statusCode = 400;
  readonly validation = true;
  readonly validationContext = 'body';
  readonly code = 'invalid_report';
}

export function validateReport(data: unknown): { value: Report } | { error: ReportValidationError } {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { error: new ReportValidationError('body must be a JSON object') };
  const kind = (data as { kind?: unknown }).kind;
  const validate = typeof kind === 'string' && Object.hasOwn(byKind, kind) ? byKind[kind] : undefined;
  if (!validate) return { error: new ReportValidationError(`body/kind must be one of ${Object.keys(byKind).join(', ')}`) };
  if (!validate(data)) return { error: new ReportValidationError(explain(validate.errors![0]!)) };
  return { value: data as Report };
}
