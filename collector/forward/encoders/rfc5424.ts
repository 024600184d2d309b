// RFC 5424 syslog messages and RFC 6587 octet-counting frames, built as bytes so MSG-LEN is exact.
// Pure: no clock, no I/O. Header fields are validated strictly (they come from configuration or from values
// the caller has already sanitised with `toHeaderField`); SD values and MSG may hold anything.
import { toWellFormed, truncateUtf8 } from './text.js';

/** RFC 5424 §6.2.x maximum octet lengths of header fields. */
export const HEADER_LIMITS = { hostname: 255, appName: 48, procId: 128, msgId: 32 } as const;
export const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export interface SdElement {
  /** SD-ID: an IANA name (e.g. `origin`) or a private `name@PEN`. */
  id: string;
  params: ReadonlyArray<readonly [name: string, value: string]>;
}

export interface SyslogMessageInput {
  facility: number; // 0..23
  severity: number; // 0..7
  /** RFC 3339 time; rendered in UTC with millisecond precision. */
  timestamp: string | Date;
  hostname: string;
  appName: string;
  procId?: string;
  msgId: string;
  structuredData: readonly SdElement[];
  msg: string;
  /** Prefix MSG with the UTF-8 BOM (RFC 5424 §6.4: how a receiver knows MSG is UTF-8). */
  bom: boolean;
  /** Whole-message cap in octets (without the frame length); MSG is cut to fit. */
  maxBytes: number;
}

export interface SyslogMessage {
  bytes: Buffer;
  /** True when MSG had to be cut to respect maxBytes. */
  truncated: boolean;
}

const PRINT_US_ASCII = /^[\x21-\x7e]+$/;
// SD-NAME: 1-32 PRINTUSASCII except '=', SP, ']', '"'.
const SD_NAME = /^[\x21\x23-\x3c\x3e-\x5c\x5e-\x7e]{1,32}$/;

export class SyslogFieldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SyslogFieldError';
  }
}

/** PARAM-VALUE escaping (RFC 5424 §6.3.3): exactly '"', '\' and ']' get a backslash; nothing else changes. */
export function escapeSdParamValue(value: string): string {
  return toWellFormed(value).replace(/["\\\]]/g, (c) => `\\${c}`);
}

/**
 * Make a header field from untrusted text: characters outside PRINTUSASCII become '_', the result is cut to
 * the field's limit, and empty becomes the NILVALUE '-'. Use for values that derive from endpoint data.
 */
export function toHeaderField(value: string, maxOctets: number): string {
  const cleaned = value.replace(/[^\x21-\x7e]/g, '_').slice(0, maxOctets);
  return cleaned.length === 0 ? '-' : cleaned;
}

function assertHeaderField(name: string, value: string, max: number): void {
  if (value.length > max || !PRINT_US_ASCII.test(value)) {
    throw new SyslogFieldError(
      `syslog ${name} must be 1-${max} printable US-ASCII characters (33-126), got ${JSON.stringify(value.slice(0, 80))}`,
    );
  }
}

function assertSdName(what: string, name: string): void {
  if (!SD_NAME.test(name)) {
    throw new SyslogFieldError(`syslog ${what} must be 1-32 printable US-ASCII characters without '=', ' ', ']', '"': ${JSON.stringify(name)}`);
  }
}

export function formatTimestamp(t: string | Date): string {
  const d = typeof t === 'string' ? new Date(t) : t;
  if (Number.isNaN(d.getTime())) throw new SyslogFieldError(`syslog TIMESTAMP is not a valid time: ${JSON.stringify(String(t))}`);
  return d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ: upper-case T and Z, 3 fractional digits (<= 6 allowed)
}

export function formatStructuredData(elements: readonly SdElement[]): string {
  if (elements.length === 0) return '-';
  const seen = new Set<string>();
  let out = '';
  for (const el of elements) {
    assertSdName('SD-ID', el.id);
    if (seen.has(el.id)) throw new SyslogFieldError(`syslog SD-ID ${el.id} appears twice; RFC 5424 allows it once per message`);
    seen.add(el.id);
    out += `[${el.id}`;
    for (const [name, value] of el.params) {
      assertSdName('PARAM-NAME', name);
      out += ` ${name}="${escapeSdParamValue(value)}"`;
    }
    out += ']';
  }
  return out;
}

/** Build one RFC 5424 SYSLOG-MSG as bytes. */
export function buildSyslogMessage(m: SyslogMessageInput): SyslogMessage {
  if (!Number.isInteger(m.facility) || m.facility < 0 || m.facility > 23) throw new SyslogFieldError(`syslog facility must be 0-23, got ${m.facility}`);
  if (!Number.isInteger(m.severity) || m.severity < 0 || m.severity > 7) throw new SyslogFieldError(`syslog severity must be 0-7, got ${m.severity}`);
  assertHeaderField('HOSTNAME', m.hostname, HEADER_LIMITS.hostname);
  assertHeaderField('APP-NAME', m.appName, HEADER_LIMITS.appName);
  assertHeaderField('PROCID', m.procId ?? '-', HEADER_LIMITS.procId);
  assertHeaderField('MSGID', m.msgId, HEADER_LIMITS.msgId);

  const pri = m.facility * 8 + m.severity;
  const head = `<${pri}>1 ${formatTimestamp(m.timestamp)} ${m.hostname} ${m.appName} ${m.procId ?? '-'} ${m.msgId} ${formatStructuredData(m.structuredData)}`;
  const headBytes = Buffer.from(head, 'utf8');
  const msg = toWellFormed(m.msg);
  if (msg.length === 0) return { bytes: headBytes, truncated: false };

  const prefix = m.bom ? Buffer.concat([Buffer.from(' '), UTF8_BOM]) : Buffer.from(' ');
  const room = m.maxBytes - headBytes.length - prefix.length;
  if (room < 0) throw new SyslogFieldError(`syslog header and structured data alone take ${headBytes.length} octets, over the ${m.maxBytes}-octet limit`);
  const fitted = truncateUtf8(msg, room);
  return { bytes: Buffer.concat([headBytes, prefix, Buffer.from(fitted, 'utf8')]), truncated: fitted.length !== msg.length };
}

/** RFC 6587 §3.4.1 octet-counting: `MSG-LEN SP SYSLOG-MSG`, MSG-LEN in octets, no leading zero. */
export function frameOctetCounted(message: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${message.length} `, 'ascii'), message]);
}
