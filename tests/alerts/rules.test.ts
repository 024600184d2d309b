// The pure rules: state change in, decisions out. A persisting condition decides nothing, a cleared one
// clears, an absent posture section decides nothing either way (unknown is not "fixed").
import { describe, expect, it } from 'vitest';
import type { Posture } from '../../protocol/index.js';
import { DEFAULT_RISKY_PORTS } from '../../collector/alerts/config.js';
import { avProtectionRule, exposedServiceRule, isLoopbackAddress, signatureAgeRule, type PostureRuleContext } from '../../collector/alerts/rules/posture-rules.js';
import { clockSkewRule, clonedAgentRule, levelTimerRule, livenessRule, sequenceGapRule } from '../../collector/alerts/rules/agent-rules.js';
import { controlTransitionRule } from '../../collector/alerts/rules/control-rules.js';
import { eventRule } from '../../collector/alerts/rules/event-rules.js';
import type { AlertDecision } from '../../collector/alerts/types.js';

const at = '2025-03-01T10:00:00.000Z';
const ctx = (active: Record<string, string[]> = {}, level = 3): PostureRuleContext => ({
  level,
  maxSignatureAgeHours: 72,
  avRequiredFromLevel: 2,
  riskyPorts: DEFAULT_RISKY_PORTS,
  active: new Map(Object.entries(active).map(([k, v]) => [k, new Set(v)])),
  at,
});
const summary = (ds: AlertDecision[]) => ds.map((d) => `${d.op} ${d.kind}${d.key ? ':' + d.key : ''}`);

const base = { agent: {}, host: {} } as unknown as Posture;
const product = (o: Record<string, unknown> = {}) => ({ name: 'Defender', vendor: 'Microsoft', kind: 'av', running: true, realtime: true, source: 'test', ...o });
const withAv = (status: string, products: unknown[]) => ({ ...base, av: { status, reasons: ['realtime off'], products } }) as unknown as Posture;
const listening = (...s: [string, number, string?][]) =>
  ({ ...base, network: { listening: s.map(([address, port, proto]) => ({ proto: proto ?? 'tcp', address, port, exposed: true })), interfaces: [], defaultGateways: [] } }) as unknown as Posture;

describe('AV/EDR protection', () => {
  it('raises the kind matching the status, once, and switches kinds when the status changes', () => {
    expect(summary(avProtectionRule(withAv('degraded', [product()]), ctx()))).toEqual(['raise av_degraded']);
    expect(summary(avProtectionRule(withAv('degraded', [product()]), ctx({ av_degraded: [''] })))).toEqual([]);
    expect(summary(avProtectionRule(withAv('unprotected', [product()]), ctx({ av_degraded: [''] })))).toEqual(['clear av_degraded', 'raise av_unprotected']);
    expect(summary(avProtectionRule(withAv('unknown', [product()]), ctx()))).toEqual(['raise av_unknown']);
    expect(summary(avProtectionRule(withAv('protected', [product()]), ctx({ av_unprotected: [''] })))).toEqual(['clear av_unprotected']);
  });
  it('no product at all is av_missing only where the level requires one', () => {
    expect(summary(avProtectionRule(withAv('unprotected', []), ctx({}, 3)))).toEqual(['raise av_missing']);
    expect(summary(avProtectionRule(withAv('unprotected', []), ctx({}, 1)))).toEqual([]);
  });
  it('an absent av section decides nothing', () => {
    expect(avProtectionRule(base, ctx({ av_unprotected: [''] }))).toEqual([]);
  });
  it('raises with severity and bilingual title', () => {
    const [d] = avProtectionRule(withAv('unprotected', [product({ running: false })]), ctx());
    expect(d).toMatchObject({ op: 'raise', severity: 'high', title: { vi: expect.stringContaining('mã độc'), en: expect.stringContaining('off') } });
  });
});

describe('signature age', () => {
  it('raises per product older than the level limit or not up to date, clears when current', () => {
    const p = withAv('protected', [product({ signatureAgeHours: 100 }), product({ name: 'Bkav', vendor: 'Bkav', signatureAgeHours: 10 }), product({ name: 'X', vendor: 'Y', upToDate: false })]);
    expect(summary(signatureAgeRule(p, ctx()))).toEqual(['raise signatures_outdated:Microsoft/Defender', 'raise signatures_outdated:Y/X']);
    const fresh = withAv('protected', [product({ signatureAgeHours: 1 })]);
    expect(summary(signatureAgeRule(fresh, ctx({ signatures_outdated: ['Microsoft/Defender'] })))).toEqual(['clear signatures_outdated:Microsoft/Defender']);
    expect(signatureAgeRule(withAv('protected', [product({ signatureAgeHours: 72 })]), ctx())).toEqual([]);
  });
});

describe('exposed risky services', () => {
  it('raises for risky ports on reachable addresses only, one per proto/port', () => {
    const p = listening(['0.0.0.0', 3389], ['::', 3389], ['127.0.0.1', 5432], ['::1', 6379], ['192.168.1.5', 445], ['0.0.0.0', 8080], ['0.0.0.0', 3389, 'udp']);
    const ds = exposedServiceRule(p, ctx());
    expect(summary(ds)).toEqual(['raise exposed_service:tcp/3389', 'raise exposed_service:tcp/445']);
    expect(ds[0]).toMatchObject({ details: { service: 'RDP', port: 3389, addresses: '0.0.0.0, ::' } });
  });
  it('persisting exposure decides nothing; closed or loopback-only clears; missing network section decides nothing', () => {
    expect(exposedServiceRule(listening(['0.0.0.0', 3389]), ctx({ exposed_service: ['tcp/3389'] }))).toEqual([]);
    expect(summary(exposedServiceRule(listening(['127.0.0.1', 3389]), ctx({ exposed_service: ['tcp/3389'] })))).toEqual(['clear exposed_service:tcp/3389']);
    expect(exposedServiceRule(base, ctx({ exposed_service: ['tcp/3389'] }))).toEqual([]);
  });
  it('loopback detection treats unknown forms as reachable', () => {
    for (const a of ['127.0.0.1', '127.5.3.1', '::1', '[::1]', '::ffff:127.0.0.1', 'localhost']) expect(isLoopbackAddress(a), a).toBe(true);
    for (const a of ['0.0.0.0', '::', '*', '10.0.0.1', '128.0.0.1', '127.0.0.1.evil', '']) expect(isLoopbackAddress(a), a).toBe(false);
  });
});

describe('events', () => {
  it('malware is critical, keyed by signature and path; hostile text is kept as data, keys are short hashes', () => {
    const path = 'C:\\x|y=z]"\n😀'.repeat(10);
    const d = eventRule({ id: 'evt-00000001', type: 'malware_detected', at, data: { path, signature: 'Eicar|=\\', product: 'Defender' } });
    expect(d).toMatchObject({ op: 'raise', kind: 'malware_detected', severity: 'critical', details: { path, signature: 'Eicar|=\\' } });
    expect(d!.key).toMatch(/^[0-9a-f]{32}$/);
    const same = eventRule({ id: 'evt-00000002', type: 'malware_detected', at, data: { path, signature: 'Eicar|=\\', product: 'Other' } });
    expect(same!.key).toBe(d!.key);
  });
  it('file changes and outbox gaps raise their kinds', () => {
    expect(eventRule({ id: 'evt-00000003', type: 'file_changed', at, data: { path: '/etc/passwd', change: 'modified' } })).toMatchObject({ kind: 'file_changed', severity: 'high' });
    expect(eventRule({ id: 'evt-00000004', type: 'outbox_gap', at, data: { dropped: 12, kinds: ['heartbeat'], reason: 'full' } })).toMatchObject({ kind: 'outbox_gap', details: { dropped: 12 } });
  });
});

describe('agent rules', () => {
  const none = new Map<string, Set<string>>();
  it('liveness: late/offline/missing raise their kinds; back online clears them all; a goodbye clears heartbeat_lost only', () => {
    expect(summary(livenessRule({ from: 'online', to: 'late', reason: 'r', at }, none))).toEqual(['raise heartbeat_lost']);
    expect(summary(livenessRule({ from: 'late', to: 'offline', reason: 'r', at }, none))).toEqual(['raise agent_offline']);
    const active = new Map([['heartbeat_lost', new Set([''])], ['agent_offline', new Set([''])]]);
    expect(summary(livenessRule({ from: 'offline', to: 'offline', reason: 'r', at }, active))).toEqual([]);
    expect(summary(livenessRule({ from: 'offline', to: 'online', reason: 'r', at }, active))).toEqual(['clear heartbeat_lost', 'clear agent_offline']);
    expect(summary(livenessRule({ from: 'late', to: 'stopped', reason: 'goodbye', at }, active))).toEqual(['clear heartbeat_lost']);
  });
  it('level timer raises agent_offline for a silent online/late agent past its level limit', () => {
    const now = Date.parse(at);
    const silent = { state: 'online' as const, lastSeenAt: new Date(now - 400_000).toISOString(), level: 4 };
    expect(summary(levelTimerRule(silent, 300, now, none))).toEqual(['raise agent_offline']);
    expect(levelTimerRule(silent, 500, now, none)).toEqual([]);
    expect(levelTimerRule(silent, undefined, now, none)).toEqual([]);
    expect(levelTimerRule({ ...silent, state: 'offline' }, 300, now, none)).toEqual([]);
  });
  it('sequence gaps and clock skew', () => {
    expect(sequenceGapRule(0, 1, 5, at)).toEqual([]);
    expect(sequenceGapRule(3, 1, 9, at)[0]).toMatchObject({ kind: 'sequence_gap', details: { lost: 3 } });
    expect(sequenceGapRule(3, 5, 9, at)).toEqual([]);
    expect(summary(clockSkewRule(-90_000, 60, none, at))).toEqual(['raise clock_skew']);
    expect(clockSkewRule(30_000, 60, none, at)).toEqual([]);
    expect(summary(clockSkewRule(30_000, 60, new Map([['clock_skew', new Set([''])]]), at))).toEqual(['clear clock_skew']);
  });
  it('a new agent on hardware another active agent holds is a clone; placeholder hardware ids are ignored', () => {
    const other = { id: 'agt_old', hostname: 'pc-1', enrolledAt: at };
    expect(summary(clonedAgentRule({ id: 'agt_new', hostname: 'pc-1', hardwareId: '4C4C4544-0037-4B10' }, [other, { ...other, id: 'agt_new' }], at))).toEqual(['raise agent_cloned:agt_old']);
    expect(clonedAgentRule({ id: 'agt_new', hostname: 'pc-1', hardwareId: 'To Be Filled By O.E.M.' }, [other], at)).toEqual([]);
    expect(clonedAgentRule({ id: 'agt_new', hostname: 'pc-1', hardwareId: '' }, [other], at)).toEqual([]);
  });
});

describe('control transitions', () => {
  const t = (status: string, previousStatus: string | null) =>
    ({ agentId: 'a', controlId: 'vn.malware.installed', pack: 'vn', level: 3, status, previousStatus, reason: null, observed: {}, expected: 'x', at }) as never;
  const high = { severity: 'high' as const, title: { vi: 'Kiểm soát', en: 'Control' } };
  const none = new Map<string, Set<string>>();
  it('pass -> fail of a high control raises; unknown or first evaluation does not; pass again clears', () => {
    expect(summary(controlTransitionRule(t('fail', 'pass'), high, 'high', none))).toEqual(['raise control_failed:vn.malware.installed']);
    expect(controlTransitionRule(t('fail', 'pass'), { ...high, severity: 'medium' }, 'high', none)).toEqual([]);
    expect(controlTransitionRule(t('fail', null), high, 'high', none)).toEqual([]);
    expect(controlTransitionRule(t('fail', 'unknown'), high, 'high', none)).toEqual([]);
    const active = new Map([['control_failed', new Set(['vn.malware.installed'])]]);
    expect(controlTransitionRule(t('unknown', 'fail'), high, 'high', active)).toEqual([]);
    expect(summary(controlTransitionRule(t('pass', 'fail'), high, 'high', active))).toEqual(['clear control_failed:vn.malware.installed']);
  });
});
