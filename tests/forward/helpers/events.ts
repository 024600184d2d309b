// Test events, including the hostile strings every encoder must carry intact.
import type { ForwardEvent } from '../../../collector/forward/types.js';
import type { ProducerInfo } from '../../../collector/forward/encoders/render.js';

export const PRODUCER: ProducerInfo = { vendor: 'soclite', product: 'soclite', productVersion: '0.1.0', collectorHostname: 'collector-test' };

/** Characters that break naive CEF / syslog encoders, Vietnamese text and an emoji outside the BMP. */
export const HOSTILE = 'a|b=c\\d]e"f\nline2\r\nx [sd="y"] Trịnh Văn Ánh – máy chủ 🛡️ end';

export function makeEvent(i: number, over: Partial<ForwardEvent> = {}): ForwardEvent {
  return {
    eventId: `evt-${String(i).padStart(8, '0')}`,
    kind: 'malware_detected',
    severity: 'critical',
    title: { vi: `Phát hiện mã độc trên máy ${i}`, en: `Malware detected on host ${i}` },
    occurredAt: new Date(Date.UTC(2025, 0, 2, 3, 4, 5, i % 1000)).toISOString(),
    agent: { id: `agent-${i}`, hostname: `pc-${i}.so-tttt.local`, ips: ['10.0.0.5', 'fe80::1'], os: 'Windows 11 Pro' },
    unit: 'so-tttt',
    level: 3,
    details: { path: 'C:\\Users\\a\\eicar.com', signature: 'EICAR-Test-File', quarantined: true, count: 1 },
    ...over,
  };
}

export function hostileEvent(i: number): ForwardEvent {
  return makeEvent(i, {
    title: { vi: `Mã độc: ${HOSTILE}`, en: `Malware | found = ${HOSTILE}` },
    agent: { id: `agent|=\\]"${i}`, hostname: `host ${HOSTILE}`, ips: ['10.1.2.3'], os: 'Linux Debian 12' },
    unit: `Sở "TT&TT" ] \\ |=`,
    details: { path: `/tmp/${HOSTILE}`, note: HOSTILE },
  });
}
