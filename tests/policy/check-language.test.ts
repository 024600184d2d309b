// The check language on small purpose-built packs: three-valued logic, quantifiers, parameters per level,
// overrides, time ages, counts, safe regexes, and the reasons and evidence each result carries.
import { describe, expect, it } from 'vitest';
import { evaluatePosture, loadPolicySet, PolicyLoadError, type Finding } from '../../collector/policy/index.js';
import type { Posture } from '../../protocol/posture.js';
import { fixtureNow, posture } from './helpers.js';
import { controlYaml, writePack } from './temp-pack.js';

const base = posture('windows-workstation-compliant.json');
// protocol/posture.ts builds these with a Toggle() helper whose static type drops the extra fields.
type ScreenLock = { enabled: boolean; timeoutSec?: number };
type DiskEnc = { enabled: boolean; volumes: { mount: string; encrypted: boolean }[] };
const clone = (): Posture => structuredClone(base);

function one(check: string, p: Posture | undefined, level = 3, opts: { overrides?: Record<string, unknown>; extra?: string } = {}): Finding {
  const set = loadPolicySet(writePack(controlYaml('t.c', check, opts.extra)), { overrides: opts.overrides });
  const [f] = evaluatePosture(set, p, { level, now: fixtureNow });
  return f as Finding;
}

describe('comparisons and parameters', () => {
  const lock = `
all:
  - { fact: hardening.screenLock.enabled, eq: true }
  - { fact: hardening.screenLock.timeoutSec, lte: { param: maxLock } }`;

  it('uses the parameter value of the tier the level maps to', () => {
    const p = clone();
    p.hardening!.screenLock = { enabled: true, timeoutSec: 600 } as ScreenLock;
    expect(one(lock, p, 1).status).toBe('pass');
    expect(one(lock, p, 2).status).toBe('pass');
    const f = one(lock, p, 4);
    expect(f.status).toBe('fail');
    expect(f.reason).toBe('hardening.screenLock.timeoutSec is 600, expected ≤ 300');
    expect(f.expected).toBe('(hardening.screenLock.enabled = true) AND (hardening.screenLock.timeoutSec ≤ 300)');
    expect(f.observed).toEqual({ 'hardening.screenLock.enabled': true, 'hardening.screenLock.timeoutSec': 600 });
  });

  it('organisation overrides replace the value for all levels or one level', () => {
    const p = clone();
    p.hardening!.screenLock = { enabled: true, timeoutSec: 600 } as ScreenLock;
    expect(one(lock, p, 1, { overrides: { 't.maxLock': 500 } }).status).toBe('fail');
    expect(one(lock, p, 3, { overrides: { maxLock: { 3: 700 } } }).status).toBe('pass');
    expect(one(lock, p, 1, { overrides: { maxLock: { 3: 700 } } }).status).toBe('pass');
  });

  it('refuses overrides of unknown parameters, of the wrong type, or for unknown levels', () => {
    const dir = writePack(controlYaml('t.c', lock));
    const msg = (o: Record<string, unknown>) => {
      try {
        loadPolicySet(dir, { overrides: o });
      } catch (e) {
        expect(e).toBeInstanceOf(PolicyLoadError);
        return (e as PolicyLoadError).message;
      }
      return 'loaded';
    };
    expect(msg({ maxLok: 5 })).toContain('unknown parameter "maxLok" in overrides');
    expect(msg({ maxLock: 'ten' })).toContain('"ten" is not a integer');
    expect(msg({ maxLock: { 7: 10 } })).toContain('unknown level "7"');
  });

  it('unknown when the fact is missing, naming the fact and the failed probe', () => {
    const p = clone();
    delete p.hardening!.screenLock;
    p.agent.probeErrors = [{ probe: 'hardening.screenLock', error: 'registry key unreadable\u0007\nsecond line' }];
    const f = one(lock, p);
    expect(f.status).toBe('unknown');
    expect(f.reason).toBe('fact "hardening.screenLock.enabled" not reported; probe "hardening.screenLock" failed: registry key unreadable  second line');
  });

  it('fail wins over unknown in "all"; pass wins over unknown in "any"', () => {
    const p = clone();
    p.hardening!.screenLock = { enabled: false };
    expect(one(lock, p).status).toBe('fail');
    const anyCheck = `
any:
  - { fact: hardening.screenLock.timeoutSec, lte: 300 }
  - { fact: hardening.autoLogin.enabled, eq: false }`;
    expect(one(anyCheck, p).status).toBe('pass');
    p.hardening!.autoLogin = { enabled: true };
    const f = one(anyCheck, p);
    expect(f.status).toBe('unknown');
    expect(f.reason).toContain('hardening.screenLock.timeoutSec');
  });

  it('"none" and "not" invert, keeping unknown unknown', () => {
    const p = clone();
    expect(one('none: [{ fact: hardening.smb1.enabled, eq: true }]', p).status).toBe('pass');
    p.hardening!.smb1 = { enabled: true };
    const f = one('none: [{ fact: hardening.smb1.enabled, eq: true }]', p);
    expect(f.status).toBe('fail');
    expect(f.reason).toBe('must not hold but does: hardening.smb1.enabled = true');
    expect(one('not: { fact: hardening.smb1.enabled, eq: true }', p).status).toBe('fail');
    delete p.hardening!.smb1;
    expect(one('not: { fact: hardening.smb1.enabled, eq: true }', p).status).toBe('unknown');
  });

  it('a value of the wrong type from a hostile agent is unknown, never a pass', () => {
    const p = clone() as unknown as { hardening: { passwordPolicy: { minLength: unknown } } };
    p.hardening.passwordPolicy.minLength = '99';
    const f = one('{ fact: hardening.passwordPolicy.minLength, gte: 8 }', p as unknown as Posture);
    expect(f.status).toBe('unknown');
    expect(f.reason).toContain('unexpected type (string)');
  });
});

describe('ages, counts, membership, existence and regexes', () => {
  it('ageDays measures from ctx.now', () => {
    const p = clone();
    p.patches!.lastInstallAt = '2026-01-15T00:00:00Z';
    const f = one('{ fact: patches.lastInstallAt, as: ageDays, lte: { param: maxAge } }', p);
    expect(f.status).toBe('fail');
    expect(f.reason).toBe('age in days of patches.lastInstallAt is 45, expected ≤ 30');
    p.patches!.lastInstallAt = '2026-02-15T00:00:00Z';
    expect(one('{ fact: patches.lastInstallAt, as: ageDays, lte: { param: maxAge } }', p).status).toBe('pass');
    p.patches!.lastInstallAt = 'yesterday';
    expect(one('{ fact: patches.lastInstallAt, as: ageDays, lte: 30 }', p).reason).toContain('not a valid time');
  });

  it('count over a list, membership in a list of enum values', () => {
    const p = clone();
    expect(one('{ fact: hardening.localAdmins.members, as: count, lte: 1 }', p).status).toBe('fail');
    expect(one('{ fact: hardening.localAdmins.members, as: count, lte: 2 }', p).status).toBe('pass');
    expect(one('{ fact: network.firewall.defaultInbound, notIn: [allow, unknown] }', p).status).toBe('pass');
  });

  it('exists is decided even when the fact is missing', () => {
    const p = clone();
    expect(one('{ fact: hardening.usbStorage, exists: true }', p).status).toBe('pass');
    delete p.hardening!.usbStorage;
    expect(one('{ fact: hardening.usbStorage, exists: true }', p).status).toBe('fail');
  });

  it('safe regexes match endpoint strings', () => {
    const check = `
over: network.listening
none: { fact: process, matches: "^(svchost|system)\\\\.exe$", flags: i }`;
    const f = one(check, clone());
    expect(f.status).toBe('fail');
    expect(f.observed['network.listening']).toEqual({ count: 4, matching: [{ process: 'svchost.exe' }, { process: 'svchost.exe' }] });
  });
});

describe('quantifiers', () => {
  const some = `
over: av.products
some:
  all:
    - { fact: running, eq: true }
    - { fact: managed, eq: true }`;

  it('some: pass with one matching item; the item is kept as evidence', () => {
    const f = one(some, clone());
    expect(f.status).toBe('pass');
    expect(f.observed['av.products']).toEqual({ count: 1, matching: [{ running: true, managed: true }] });
  });

  it('some: fail on an empty list, unknown when the list is missing or an item is undecided', () => {
    const p = clone();
    p.av!.products = [];
    expect(one(some, p).reason).toBe('av.products is empty');
    const q = clone();
    delete q.av!.products[0]!.managed;
    expect(one(some, q).status).toBe('unknown');
    const r = clone();
    delete r.av;
    r.agent.probeErrors = [{ probe: 'av', error: 'Security Center unavailable' }];
    const f = one(some, r);
    expect(f.status).toBe('unknown');
    expect(f.reason).toBe('fact "av.products" not reported; probe "av" failed: Security Center unavailable');
  });

  it('every: fails naming how many items fail; empty list passes', () => {
    const check = `
over: hardening.diskEncryption.volumes
every: { fact: encrypted, eq: true }`;
    const p = clone();
    (p.hardening!.diskEncryption as DiskEnc).volumes[1]!.encrypted = false;
    const f = one(check, p);
    expect(f.status).toBe('fail');
    expect(f.reason).toBe('1 of 2 item(s) of hardening.diskEncryption.volumes fail: hardening.diskEncryption.volumes[].encrypted is false, expected = true');
    expect(f.observed['hardening.diskEncryption.volumes']).toEqual({ count: 2, failing: [{ encrypted: false }] });
    (p.hardening!.diskEncryption as DiskEnc).volumes = [];
    expect(one(check, p).status).toBe('pass');
  });
});

describe('applicability', () => {
  it('not_applicable for another platform, role or level; unknown without a posture', () => {
    const c = '{ fact: hardening.autoLogin.enabled, eq: false }';
    const mac = clone();
    mac.host.os.platform = 'darwin';
    expect(one(c, mac).status).toBe('not_applicable');
    expect(one(c, mac).reason).toBe('not for platform darwin');
    const server = clone();
    server.host.role = 'server';
    expect(one(c, server, 3, { extra: '    roles: [workstation]\n' }).status).toBe('not_applicable');
    const noRole = clone();
    delete noRole.host.role;
    expect(one(c, noRole, 3, { extra: '    roles: [workstation]\n' }).status).toBe('pass');
    expect(one(c, undefined).status).toBe('unknown');
    expect(one(c, undefined).reason).toBe('no posture received from this machine');
  });

  it('rejects levels outside 1-5 and unknown packs', () => {
    const set = loadPolicySet(writePack(controlYaml('t.c', '{ fact: hardening.autoLogin.enabled, eq: false }')));
    expect(() => evaluatePosture(set, base, { level: 0 })).toThrow(/1-5/);
    expect(() => evaluatePosture(set, base, { level: 2.5 })).toThrow(/1-5/);
    expect(() => evaluatePosture(set, base, { level: 2, packs: ['nope'] })).toThrow(/pack "nope"/);
  });
});
