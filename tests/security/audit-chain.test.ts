// The audit log's hash chain, end to end: records written by the CLI and the API, then `soclite audit verify`
// passes; after any one record is edited, removed or two are swapped directly in the database, it fails and
// names the first bad record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runCli } from '../helpers/cli.js';
import { verifyChain, recordHash, GENESIS_HASH, type StoredRecord } from '../../collector/audit/chain.js';
import { AuditLog, scrubDetails } from '../../collector/audit/index.js';
import { openStore, type Store } from '../../collector/store/index.js';

let dir: string;
let dataDir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'soclite-audit-'));
  dataDir = join(dir, 'data');
  const pw = join(dir, 'pw');
  writeFileSync(pw, 'a sufficiently long password\n', { mode: 0o600 });
  for (const args of [
    ['user', 'add', 'lan', '--role', 'it_staff', '--unit', 'default', '--password-file', pw],
    ['user', 'add', 'mai', '--role', 'auditor', '--unit', 'default', '--password-file', pw],
    ['user', 'disable', 'mai'],
    ['user', 'token', 'lan', '--name', 'ci'],
  ]) {
    const r = await runCli([...args, '--data-dir', dataDir]);
    expect(r.code, r.stderr).toBe(0);
  }
  // Some records through the service API as well (the same calls rooms make).
  const store = openStore(dataDir);
  const log = new AuditLog(store);
  for (let i = 0; i < 5; i++) log.record({ action: 'alert.acknowledge', actor: { type: 'user', name: 'lan' }, ip: '192.0.2.7', unitIds: ['default'], details: { n: i } });
  store.close();
}, 120_000);

afterAll(() => undefined);

const copyDb = (name: string) => {
  const d = join(dir, name);
  openStore(d).close(); // creates the dir with the schema
  for (const suffix of ['']) copyFileSync(join(dataDir, 'soclite.db' + suffix), join(d, 'soclite.db'));
  return d;
};
const verify = (d: string) => runCli(['audit', 'verify', '--data-dir', d]);
const edit = (d: string, fn: (db: Database.Database) => void) => {
  const db = new Database(join(d, 'soclite.db'));
  fn(db);
  db.close();
};

describe('soclite audit verify', () => {
  it('passes on a real log written by the CLI and the service', async () => {
    const r = await verify(dataDir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/audit log intact: 9 records/);
    // The CLI wrote who (the shell user), what and no secret.
    const db = new Database(join(dataDir, 'soclite.db'), { readonly: true });
    const rows = db.prepare('SELECT action, actor_type, details FROM audit_log ORDER BY seq').all() as { action: string; actor_type: string; details: string }[];
    db.close();
    expect(rows.slice(0, 4).map((x) => x.action)).toEqual(['user.create', 'user.create', 'user.disable', 'api_token.create']);
    expect(rows.every((x) => !/sla_|slt_|sufficiently long/.test(x.details))).toBe(true);
    expect(rows[0]!.actor_type).toBe('cli');
  });

  it('names an edited record', async () => {
    const d = copyDb('edited');
    edit(d, (db) => db.prepare("UPDATE audit_log SET details = '{\"n\":99}' WHERE seq = 7").run());
    const r = await verify(d);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/BROKEN at record #7: record #7 was altered/);
  });

  it('names an edited actor even when the attacker recomputes that record’s own hash', async () => {
    const d = copyDb('rehashed');
    edit(d, (db) => {
      const row = db.prepare('SELECT * FROM audit_log WHERE seq = 3').get() as Record<string, string | number | null>;
      const rec = { seq: 3, at: row.at, actorType: row.actor_type, actorId: row.actor_id, actorName: 'someone-else', actorRole: row.actor_role, ip: row.ip, action: row.action, targetType: row.target_type, targetId: row.target_id, unitIds: JSON.parse(String(row.unit_ids)), outcome: row.outcome, details: JSON.parse(String(row.details)) } as Parameters<typeof recordHash>[1];
      db.prepare('UPDATE audit_log SET actor_name = ?, hash = ? WHERE seq = 3').run('someone-else', recordHash(String(row.prev_hash), rec));
    });
    const r = await verify(d);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/BROKEN at record #4: .*does not link/);
  });

  it('names a removed record, in the middle and at the end', async () => {
    const mid = copyDb('removed-mid');
    edit(mid, (db) => db.exec('DELETE FROM audit_units WHERE seq = 5; DELETE FROM audit_log WHERE seq = 5'));
    const r1 = await verify(mid);
    expect(r1.code).toBe(1);
    expect(r1.stdout).toMatch(/BROKEN at record #5: record #5 is missing/);
    const end = copyDb('removed-end');
    edit(end, (db) => db.exec('DELETE FROM audit_units WHERE seq = 9; DELETE FROM audit_log WHERE seq = 9'));
    const r2 = await verify(end);
    expect(r2.code).toBe(1);
    expect(r2.stdout).toMatch(/BROKEN at record #9: record #9 is missing/);
  });

  it('names reordered records (two swapped, seq kept)', async () => {
    const d = copyDb('swapped');
    edit(d, (db) => {
      const cols = 'at, actor_type, actor_id, actor_name, actor_role, ip, action, target_type, target_id, unit_ids, outcome, details, prev_hash, hash';
      const r2 = db.prepare(`SELECT ${cols} FROM audit_log WHERE seq = 2`).get() as Record<string, unknown>;
      const r3 = db.prepare(`SELECT ${cols} FROM audit_log WHERE seq = 3`).get() as Record<string, unknown>;
      const set = db.prepare(`UPDATE audit_log SET ${cols.split(', ').map((c) => `${c} = @${c}`).join(', ')} WHERE seq = @seq`);
      set.run({ ...r3, seq: 2 });
      set.run({ ...r2, seq: 3 });
    });
    const r = await verify(d);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/BROKEN at record #2:/);
  });
});

describe('chain (pure)', () => {
  const chain = (n: number): StoredRecord[] => {
    const out: StoredRecord[] = [];
    let prev = GENESIS_HASH;
    for (let i = 1; i <= n; i++) {
      const rec = { seq: i, at: new Date(i * 1000).toISOString(), actorType: 'user', actorId: null, actorName: 'u', actorRole: null, ip: null, action: 'x.y', targetType: null, targetId: null, unitIds: [], outcome: 'success', details: { i } };
      const hash = recordHash(prev, rec);
      out.push({ ...rec, prevHash: prev, hash });
      prev = hash;
    }
    return out;
  };
  it('accepts an intact chain and an empty one', () => {
    const c = chain(5);
    expect(verifyChain(c, { seq: 5, hash: c[4]!.hash })).toMatchObject({ ok: true, records: 5 });
    expect(verifyChain([], undefined)).toMatchObject({ ok: true, records: 0 });
  });
  it('an out-of-order row is named', () => {
    const c = chain(4);
    expect(verifyChain([c[0]!, c[2]!, c[1]!, c[3]!], { seq: 4, hash: c[3]!.hash })).toMatchObject({ ok: false, firstBadSeq: 2 });
  });
  it('details never keep secrets', () => {
    expect(scrubDetails({ password: 'x', nested: { token: 'y', note: 'key sla_' + 'a'.repeat(43) }, ok: 'fine' })).toEqual({ password: '[redacted]', nested: { token: '[redacted]', note: '[redacted]' }, ok: 'fine' });
  });
  it('concurrent writers (two connections) keep one chain', () => {
    const d = mkdtempSync(join(tmpdir(), 'soclite-audit-conc-'));
    const s1: Store = openStore(d);
    const s2: Store = openStore(d);
    const l1 = new AuditLog(s1);
    const l2 = new AuditLog(s2);
    for (let i = 0; i < 50; i++) (i % 2 ? l1 : l2).record({ action: 'test.write', details: { i } });
    expect(l1.verify()).toMatchObject({ ok: true, records: 50 });
    s1.close();
    s2.close();
  });
});
