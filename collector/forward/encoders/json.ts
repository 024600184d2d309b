// Plain JSON rendering: the ForwardEvent itself plus the stable signature id, on one line (JSON.stringify
// escapes control characters, so the result never holds a raw line break and fits JSONL and LF framing).
import type { ForwardEvent } from '../types.js';
import { kindInfo } from './kinds.js';

export const JSON_SCHEMA_ID = 'soclite.alert/1';

export function toJsonRecord(event: ForwardEvent): Record<string, unknown> {
  return {
    schema: JSON_SCHEMA_ID,
    eventId: event.eventId,
    alertId: event.alertId ?? event.eventId,
    kind: event.kind,
    signatureId: kindInfo(event.kind).signatureId,
    lifecycle: event.lifecycle ?? 'raised',
    severity: event.severity,
    title: event.title,
    occurredAt: event.occurredAt,
    agent: event.agent,
    unit: event.unit,
    level: event.level,
    details: event.details,
  };
}

export function encodeJson(event: ForwardEvent): string {
  return JSON.stringify(toJsonRecord(event));
}
