// Pure encoder properties: RFC 5424 framing and SD escaping, CEF header/extension escaping, stable ids.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCef } from './helpers/cef-decode.js';
import { decodeSyslog, splitFrames } from './helpers/rfc5424-decode.js';
import { HOSTILE, hostileEvent, makeEvent, PRODUCER } from './helpers/events.js';
import {
  buildSyslogMessage,
  escapeSdParamValue,
  frameOctetCounted,
  SyslogFieldError,
  toHeaderField,
} from '../../collector/forward/encoders/rfc5424.js';
import { CefFieldError, encodeCef, escapeCefExtensionValue, escapeCefHeader, formatCef } from '../../collector/forward/encoders/cef.js';
import { KNOWN_KINDS, kindInfo } from '../../collector/forward/encoders/kinds.js';
import { buildAlertSyslog } from '../../collector/forward/encoders/syslog-record.js';
import { encodeJson } from '../../collector/forward/encoders/json.js';
import { assertForwardEvent, InvalidForwardEventError } from '../../collector/forward/validate.js';

// Any Unicode (including astral emoji, CR/LF, quotes, backslashes, brackets) but no lone surrogates.
const anyText = fc.string({ unit: 'grapheme', maxLength: 60 });
const nastyText = fc.array(fc.constantFrom('\\', '"', ']', '[', '|', '=', '\n', '\r', ' ', 'ệ', '🛡️', 'a', 'n', 'r'), { maxLength: 40 }).map((parts) => parts.join(''));
const text = fc.oneof(anyText, nastyText);

const base = {
  facility: 16,
  severity: 2,
  timestamp: '2025-01-02T03:04:05.678Z',
  hostname: 'collector-1',
  appName: 'soclite',
  msgId: 'malware_detected',
  bom: true,
  maxBytes: 1_000_000,
};

describe('RFC 5424 encoder', () => {
  it('escapes exactly ", \\ and ] in PARAM-VALUE', () => {
    expect(escapeSdParamValue('a"b\\c]d[e=f\ng')).toBe('a\\"b\\\\c\\]d[e=f\ng');
  });

  it('round-trips arbitrary SD values and MSG, with MSG-LEN equal to the UTF-8 octet count', () => {
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 5 }), text, fc.boolean(), (values, msg, bom) => {
        const { bytes } = buildSyslogMessage({ ...base, bom, msg, structuredData: [{ id: 'x@32473', params: values.map((v, i) => [`p${i}`, v] as const) }] });
        const frame = frameOctetCounted(bytes);
        const [only, ...rest] = splitFrames(Buffer.concat([frame, frame]));
        expect(rest).toHaveLength(1);
        expect(only!.equals(bytes)).toBe(true);
        const d = decodeSyslog(only!);
        expect(d.sd[0]!.params.map(([, v]) => v)).toEqual(values);
        expect(d.msg).toBe(msg);
        expect(d.bom).toBe(bom && msg.length > 0);
        expect(d.pri).toBe(130);
        expect(frame.subarray(0, frame.indexOf(0x20)).toString()).toBe(String(bytes.length));
      }),
      { numRuns: 500 },
    );
  });

  it('counts octets, not characters: emoji and Vietnamese make MSG-LEN exceed string length', () => {
    const { bytes } = buildSyslogMessage({ ...base, msg: 'Trịnh 🛡️', structuredData: [] });
    const frame = frameOctetCounted(bytes).toString('utf8');
    const len = Number(frame.slice(0, frame.indexOf(' ')));
    expect(len).toBe(Buffer.byteLength(frame.slice(frame.indexOf(' ') + 1)));
    expect(len).toBeGreaterThan(frame.slice(frame.indexOf(' ') + 1).length);
    expect(bytes.includes(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
  });

  it('refuses header fields outside PRINTUSASCII or over their limits, with the field named', () => {
    expect(() => buildSyslogMessage({ ...base, hostname: 'máy chủ', msg: '', structuredData: [] })).toThrow(/HOSTNAME/);
    expect(() => buildSyslogMessage({ ...base, appName: 'a'.repeat(49), msg: '', structuredData: [] })).toThrow(/APP-NAME/);
    expect(() => buildSyslogMessage({ ...base, msgId: 'm'.repeat(33), msg: '', structuredData: [] })).toThrow(/MSGID/);
    expect(() => buildSyslogMessage({ ...base, msg: '', structuredData: [{ id: 'bad id', params: [] }] })).toThrow(SyslogFieldError);
    expect(() => buildSyslogMessage({ ...base, msg: '', structuredData: [{ id: 'x@1', params: [['a=b', 'v']] }] })).toThrow(/PARAM-NAME/);
  });

  it('toHeaderField makes any text a valid header field within the limit', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 255 }), (value, max) => {
        const f = toHeaderField(value, max);
        expect(f).toMatch(/^[\x21-\x7e]+$/);
        expect(f.length).toBeLessThanOrEqual(max);
      }),
    );
  });

  it('cuts MSG on a code-point boundary to respect maxBytes and says so', () => {
    const msg = '🛡️'.repeat(100);
    const r = buildSyslogMessage({ ...base, msg, maxBytes: 200, structuredData: [] });
    expect(r.bytes.length).toBeLessThanOrEqual(200);
    expect(r.truncated).toBe(true);
    expect(decodeSyslog(r.bytes).msg.length).toBeGreaterThan(0);
    expect(msg.startsWith(decodeSyslog(r.bytes).msg)).toBe(true);
  });

  it('wraps an alert with SD ids and a MSGID from its kind', () => {
    const ev = hostileEvent(7);
    const rec = buildAlertSyslog(ev, 'payload', { facility: 16, hostname: 'collector-1', appName: 'soclite', bom: false, maxBytes: 65536 });
    const d = decodeSyslog(splitFrames(rec.frame)[0]!);
    expect(d.msgId).toBe('malware_detected');
    expect(d.sd[0]!.id).toBe('soclite@32473');
    expect(Object.fromEntries(d.sd[0]!.params)).toMatchObject({ eventId: ev.eventId, agentId: ev.agent.id, host: ev.agent.hostname, unit: ev.unit });
  });
});

describe('CEF encoder', () => {
  it('escapes header pipes and backslashes and flattens line breaks; extension escapes \\, = and CR/LF but not |', () => {
    expect(escapeCefHeader('a|b\\c\r\nd')).toBe('a\\|b\\\\c d');
    expect(escapeCefExtensionValue('a|b\\c=d\ne\rf')).toBe('a|b\\\\c\\=d\\ne\\rf');
  });

  it('round-trips any header text (minus line breaks) and any extension value through a strict decoder', () => {
    fc.assert(
      fc.property(text, text, text, (name, v1, v2) => {
        const line = formatCef(
          { vendor: 'soclite', product: 'soclite', version: '1', signatureId: 'SOCLITE-1001', name, severity: 10 },
          [['msg', v1], ['cs1Label', 'unit'], ['cs1', v2]],
        );
        expect(line).not.toMatch(/[\r\n]/);
        const d = decodeCef(line);
        expect(d.header[4]).toBe(name.replace(/\r\n|[\r\n]/g, ' '));
        expect(d.extension.get('msg')).toBe(v1);
        expect(d.extension.get('cs1')).toBe(v2);
      }),
      { numRuns: 1000 },
    );
  });

  it('carries a hostile event field by field', () => {
    const ev = hostileEvent(3);
    const d = decodeCef(encodeCef(ev, PRODUCER));
    expect(d.header).toEqual(['soclite', 'soclite', '0.1.0', 'SOCLITE-1001', ev.title.en.replace(/\r\n|[\r\n]/g, ' '), '10']);
    expect(d.extension.get('msg')).toBe(ev.title.vi);
    expect(d.extension.get('dhost')).toBe(ev.agent.hostname);
    expect(d.extension.get('deviceExternalId')).toBe(ev.agent.id);
    expect(d.extension.get('cs1')).toBe(ev.unit);
    expect(JSON.parse(d.extension.get('cs4')!)).toEqual(ev.details);
    expect(d.extension.get('externalId')).toBe(ev.eventId);
    expect(d.extension.get('rt')).toBe(String(Date.parse(ev.occurredAt)));
  });

  it('cuts values to the dictionary limits before escaping', () => {
    const ev = makeEvent(1, { title: { vi: '\\'.repeat(2000), en: 'x' } });
    const msg = decodeCef(encodeCef(ev, PRODUCER)).extension.get('msg')!;
    expect(msg).toBe('\\'.repeat(1023));
  });

  it('rejects malformed keys and severities', () => {
    const h = { vendor: 'v', product: 'p', version: '1', signatureId: 's', name: 'n', severity: 5 };
    expect(() => formatCef(h, [['bad key', 'v']])).toThrow(CefFieldError);
    expect(() => formatCef({ ...h, severity: 11 }, [])).toThrow(/severity/);
  });

  it('keeps signature ids stable and unique per kind', () => {
    // These ids are what SIEM correlation rules key on: changing one is a breaking change.
    expect(kindInfo('malware_detected').signatureId).toBe('SOCLITE-1001');
    expect(kindInfo('av_unprotected').signatureId).toBe('SOCLITE-1101');
    expect(kindInfo('exposed_service').signatureId).toBe('SOCLITE-1201');
    expect(kindInfo('file_changed').signatureId).toBe('SOCLITE-1301');
    expect(kindInfo('control_failed').signatureId).toBe('SOCLITE-1401');
    expect(kindInfo('agent_offline').signatureId).toBe('SOCLITE-1501');
    expect(kindInfo('brand_new_rule').signatureId).toBe('SOCLITE-brand_new_rule');
    const ids = Object.values(KNOWN_KINDS).map((k) => k.signatureId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('event validation and JSON', () => {
  it('accepts well-formed events and rejects bad ones with the path named', () => {
    expect(() => assertForwardEvent(makeEvent(1))).not.toThrow();
    expect(() => assertForwardEvent({ ...makeEvent(1), severity: 'urgent' })).toThrow(InvalidForwardEventError);
    expect(() => assertForwardEvent({ ...makeEvent(1), eventId: 'x' })).toThrow(/eventId/);
    expect(() => assertForwardEvent({ ...makeEvent(1), occurredAt: 'yesterday' })).toThrow(/occurredAt/);
    expect(() => assertForwardEvent({ ...makeEvent(1), level: 6 })).toThrow(/level/);
  });

  it('renders JSON on one line that parses back to the same values', () => {
    const ev = hostileEvent(4);
    const line = encodeJson(ev);
    expect(line).not.toMatch(/[\r\n]/);
    expect(JSON.parse(line)).toMatchObject({ eventId: ev.eventId, title: ev.title, agent: ev.agent, details: ev.details, signatureId: 'SOCLITE-1001' });
    expect(HOSTILE).toContain('🛡️');
  });
});
