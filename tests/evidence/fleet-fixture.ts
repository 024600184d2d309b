// A small fleet for evidence tests: a Vietnamese organisation, two units, three machines with a findings
// ledger in which control "vn.l3.av-realtime" breaks on one machine at BREAK_AT, plus hostile endpoint strings
// (formula-looking values, quotes, newlines, HTML) and an organisational control with an attestation.
import type { LedgerEntry, MemoryControl, MemorySourceData } from '../../collector/evidence/memory-source.js';
import { MemoryEvidenceSource } from '../../collector/evidence/memory-source.js';

export const T0 = new Date('2025-03-01T08:00:00Z');
export const BREAK_AT = new Date('2025-04-10T09:30:00Z');
export const NOW = new Date('2025-05-01T00:00:00Z');

export const CONTROLS: MemoryControl[] = [
  {
    id: 'vn.l3.av-realtime',
    title: { vi: 'Phần mềm phòng chống mã độc bật bảo vệ thời gian thực', en: 'Anti-malware real-time protection on' },
    remediation: { vi: 'Bật bảo vệ thời gian thực và cập nhật mẫu nhận diện', en: 'Turn on real-time protection and update signatures' },
    severity: 'high',
    references: ['TT12/2022 Phụ lục II, 1.4.4'],
    assessedBy: 'machine',
    levels: [2, 3, 4, 5],
  },
  {
    id: 'vn.l3.patches',
    title: { vi: 'Cập nhật bản vá bảo mật', en: 'Security patches installed' },
    remediation: { vi: 'Cài đặt các bản vá bảo mật còn thiếu', en: 'Install missing security updates' },
    severity: 'high',
    references: ['TT12/2022 Phụ lục II, 1.4.2'],
    assessedBy: 'machine',
    levels: [3, 4, 5],
  },
  {
    id: '8.2',
    title: { vi: 'Ghi nhật ký kiểm toán', en: 'Audit logs collected' },
    remediation: { vi: 'Bật ghi nhật ký', en: 'Enable audit logging' },
    severity: 'medium',
    references: ['CIS v8 8.2'],
    assessedBy: 'machine',
    levels: [3],
  },
  {
    id: 'vn.l3.policy-doc',
    title: { vi: 'Quy chế bảo đảm an toàn thông tin được ban hành', en: 'Information security policy issued' },
    remediation: { vi: 'Ban hành quy chế', en: 'Issue the policy' },
    severity: 'medium',
    references: ['TT12/2022 Phụ lục II, 2.1'],
    assessedBy: 'attestation',
    levels: [3],
  },
];

export const HOSTILE = '=HYPERLINK("http://evil.example","click"), "quoted"\nline2 <script>alert(1)</script>';

export function fixtureData(): MemorySourceData {
  const ledger: LedgerEntry[] = [];
  const add = (agentId: string, controlId: string, at: Date, status: LedgerEntry['status'], observed: string | null, expected: string | null) =>
    ledger.push({ agentId, controlId, at, status, observed, expected });
  // pc-01: AV fine until BREAK_AT, then real-time protection off.
  add('agent-01', 'vn.l3.av-realtime', T0, 'pass', 'realtime=on', 'realtime=on');
  add('agent-01', 'vn.l3.av-realtime', new Date('2025-04-01T00:00:00Z'), 'pass', 'realtime=on', 'realtime=on');
  add('agent-01', 'vn.l3.av-realtime', BREAK_AT, 'fail', 'realtime=off', 'realtime=on');
  add('agent-01', 'vn.l3.patches', T0, 'pass', 'pendingSecurity=0', 'pendingSecurity=0');
  add('agent-01', '8.2', T0, 'pass', 'auditd active', 'active');
  // srv-02: hostile observed value, pending patches.
  add('agent-02', 'vn.l3.av-realtime', T0, 'pass', HOSTILE, 'realtime=on');
  add('agent-02', 'vn.l3.patches', T0, 'fail', '+cmd|calc!A0 pendingSecurity=4', 'pendingSecurity=0');
  add('agent-02', '8.2', T0, 'not_applicable', null, null);
  // ws-03: no results for patches (unknown), AV unknown probe error.
  add('agent-03', 'vn.l3.av-realtime', T0, 'unknown', null, 'realtime=on');
  add('agent-03', '8.2', T0, 'pass', '-rsyslog active', 'active');
  return {
    metadata: {
      organisation: 'Sở Thông tin và Truyền thông tỉnh Quảng Nam',
      policyPack: 'vn-nd85-tt12',
      units: [
        { id: 'van-phong', name: { vi: 'Văn phòng Sở', en: 'Department office' } },
        { id: 'trung-tam', name: { vi: 'Trung tâm Công nghệ thông tin', en: 'IT centre' } },
      ],
      systems: [
        { id: 'cong-tt', name: 'Cổng thông tin điện tử', unitId: 'trung-tam', approvedLevel: 3, approvalDecision: 'Quyết định số 123/QĐ-STTTT ngày 15/01/2025' },
        { id: 'mot-cua', name: 'Hệ thống một cửa điện tử', unitId: 'van-phong', approvedLevel: 2 },
      ],
    },
    controls: CONTROLS,
    machines: [
      { id: 'agent-01', hostname: 'pc-ketoan-01', os: 'Windows 11 Pro 23H2', unitId: 'van-phong', systemIds: ['mot-cua'], lastSeenAt: new Date('2025-04-30T23:00:00Z') },
      { id: 'agent-02', hostname: '@srv-"web"-02', os: 'Debian GNU/Linux 12', unitId: 'trung-tam', systemIds: ['cong-tt'], lastSeenAt: new Date('2025-04-30T23:10:00Z') },
      { id: 'agent-03', hostname: 'ws-03', os: 'Ubuntu 24.04 LTS', unitId: 'trung-tam', systemIds: ['cong-tt'], lastSeenAt: null },
    ],
    ledger,
    attestations: [
      {
        id: 'att-1',
        controlId: 'vn.l3.policy-doc',
        documentTitle: 'Quy chế bảo đảm ATTT (Quyết định 45/QĐ-STTTT)',
        documentSha256: 'a'.repeat(64),
        validFrom: new Date('2025-01-01T00:00:00Z'),
        validTo: new Date('2025-12-31T23:59:59Z'),
        attestedBy: 'Nguyễn Văn An, Giám đốc',
      },
    ],
  };
}

export const fixtureSource = (): MemoryEvidenceSource => new MemoryEvidenceSource(fixtureData());
