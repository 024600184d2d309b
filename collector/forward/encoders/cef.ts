// ArcSight CEF:0 lines. Header and extension use different escaping (see
// ../shared/requirements/soc-formats-evidence.md §2.2): header fields escape '\' and '|' and cannot hold line
// breaks; extension values escape '\' and '=' and encode CR/LF as \r / \n, and leave '|' alone.
// The output never contains a raw CR or LF, so it survives LF-framed collectors too.
import { isIPv4 } from 'node:net';
import type { ForwardEvent, Severity } from '../types.js';
import { kindInfo } from './kinds.js';
import { toWellFormed, truncateCodePoints } from './text.js';

export interface CefOptions {
  vendor: string;
  product: string;
  productVersion: string;
  /** The collector's host name (dvchost). */
  collectorHostname: string;
}

/** CEF severity 0-10; bands per the CEF spec: 0-3 Low, 4-6 Medium, 7-8 High, 9-10 Very-High. */
export const CEF_SEVERITY: Record<Severity, number> = { low: 3, medium: 5, high: 8, critical: 10 };

/** Producer-dictionary length limits (characters) for the keys we emit. */
const LIMITS: Record<string, number> = { dvchost: 100, externalId: 40, msg: 1023, dhost: 1023, cat: 1023, deviceExternalId: 255 };
const CUSTOM_STRING_MAX = 4000;
const LABEL_MAX = 1023;
const HEADER_FIELD_MAX = 512;
const EXT_KEY = /^[A-Za-z0-9]+$/;

export class CefFieldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CefFieldError';
  }
}

/** Header field: '\' -> '\\', '|' -> '\|'; line breaks are not allowed there, so each becomes a space. */
export function escapeCefHeader(value: string): string {
  return toWellFormed(value)
    .replace(/[\\|]/g, (c) => `\\${c}`)
    .replace(/\r\n|[\r\n]/g, ' ');
}

/** Extension value: '\' -> '\\', '=' -> '\=', CR -> '\r', LF -> '\n'. Pipes stay literal. */
export function escapeCefExtensionValue(value: string): string {
  return toWellFormed(value).replace(/[\\=\r\n]/g, (c) => (c === '\r' ? '\\r' : c === '\n' ? '\\n' : `\\${c}`));
}

export type CefExtension = ReadonlyArray<readonly [key: string, value: string | number]>;

/** Assemble `CEF:0|Vendor|Product|Version|SignatureID|Name|Severity|k=v k=v`. Values are cut, then escaped. */
export function formatCef(
  header: { vendor: string; product: string; version: string; signatureId: string; name: string; severity: number },
  extension: CefExtension,
): string {
  if (!Number.isInteger(header.severity) || header.severity < 0 || header.severity > 10) {
    throw new CefFieldError(`CEF severity must be an integer 0-10, got ${header.severity}`);
  }
  const h = [header.vendor, header.product, header.version, header.signatureId, header.name].map((f) =>
    escapeCefHeader(truncateCodePoints(f, HEADER_FIELD_MAX)),
  );
  const ext = extension.map(([key, value]) => {
    if (!EXT_KEY.test(key)) throw new CefFieldError(`CEF extension key must be letters and digits only, got ${JSON.stringify(key)}`);
    const max = LIMITS[key] ?? (/^cs\d$/.test(key) ? CUSTOM_STRING_MAX : /Label$/.test(key) ? LABEL_MAX : 1023);
    return `${key}=${escapeCefExtensionValue(truncateCodePoints(String(value), max))}`;
  });
  return `CEF:0|${h.join('|')}|${header.severity}|${ext.join(' ')}`;
}

/** Render a forward event as a CEF line. Signature id and category come from the kind table (kinds.ts). */
export function encodeCef(event: ForwardEvent, opts: CefOptions): string {
  const info = kindInfo(event.kind);
  const rt = Date.parse(event.occurredAt);
  if (Number.isNaN(rt)) throw new CefFieldError(`event ${event.eventId}: occurredAt is not a valid time`);
  const ext: Array<readonly [string, string | number]> = [
    ['rt', rt],
    ['externalId', event.eventId],
    ['deviceExternalId', event.agent.id],
    ['dhost', event.agent.hostname],
  ];
  const ipv4 = event.agent.ips.find((ip) => isIPv4(ip));
  if (ipv4) ext.push(['dst', ipv4]);
  ext.push(
    ['dvchost', opts.collectorHostname],
    ['cat', info.category],
    ['msg', event.title.vi],
    ['cs1Label', 'unit'],
    ['cs1', event.unit],
    ['cs2Label', 'kind'],
    ['cs2', event.kind],
    ['cs3Label', 'lifecycle'],
    ['cs3', event.lifecycle ?? 'raised'],
    ['cs4Label', 'details'],
    ['cs4', JSON.stringify(event.details)],
    ['cs5Label', 'os'],
    ['cs5', event.agent.os],
    ['cs6Label', 'alertId'],
    ['cs6', event.alertId ?? event.eventId],
    ['cn1Label', 'securityLevel'],
    ['cn1', event.level],
  );
  return formatCef(
    {
      vendor: opts.vendor,
      product: opts.product,
      version: opts.productVersion,
      signatureId: info.signatureId,
      name: event.title.en,
      severity: CEF_SEVERITY[event.severity],
    },
    ext,
  );
}
