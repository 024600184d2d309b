// Wraps a rendered payload (CEF or JSON) for one alert into an RFC 5424 message and its octet-counted frame.
// The SD element repeats the ids a SIEM dedups and routes on, so they are readable without parsing MSG.
import type { ForwardEvent, Severity } from '../types.js';
import { buildSyslogMessage, frameOctetCounted, HEADER_LIMITS, toHeaderField, type SyslogMessage } from './rfc5424.js';

/** Documentation PEN (RFC 5612) until soclite registers its own; SD-IDs must be `name@PEN`. */
export const SD_ID = 'soclite@32473';

/** RFC 5424 severities: critical -> 2 Critical, high -> 3 Error, medium -> 4 Warning, low -> 5 Notice. */
export const SYSLOG_SEVERITY: Record<Severity, number> = { critical: 2, high: 3, medium: 4, low: 5 };

export interface SyslogRecordOptions {
  facility: number;
  hostname: string; // the collector: syslog HOSTNAME names the sender, the endpoint travels in SD
  appName: string;
  bom: boolean;
  maxBytes: number;
}

export function buildAlertSyslog(event: ForwardEvent, payload: string, opts: SyslogRecordOptions): SyslogMessage & { frame: Buffer } {
  const message = buildSyslogMessage({
    facility: opts.facility,
    severity: SYSLOG_SEVERITY[event.severity],
    timestamp: event.occurredAt,
    hostname: opts.hostname,
    appName: opts.appName,
    msgId: toHeaderField(event.kind, HEADER_LIMITS.msgId),
    structuredData: [
      {
        id: SD_ID,
        params: [
          ['eventId', event.eventId],
          ['alertId', event.alertId ?? event.eventId],
          ['kind', event.kind],
          ['severity', event.severity],
          ['agentId', event.agent.id],
          ['host', event.agent.hostname],
          ['unit', event.unit],
          ['level', String(event.level)],
        ],
      },
    ],
    msg: payload,
    bom: opts.bom,
    maxBytes: opts.maxBytes,
  });
  return { ...message, frame: frameOctetCounted(message.bytes) };
}
