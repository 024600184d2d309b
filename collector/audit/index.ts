// The audit room's public face. Every state-changing action is recorded with who, when, from where and what:
//
//   auditLog(store).record({ action: 'alert.acknowledge', target: { type: 'alert', id }, unitIds: [unitId],
//                            details: { note } });
//
// Inside an HTTP request the route passes who is asking (`by`: the logged-in user and the client address, see
// http/auth-hooks.ts requestActor), so other rooms (alerts, evidence, policy) only say what happened. Records
// are hash-chained (chain.ts).
import { userInfo } from 'node:os';
import type { Store } from '../store/index.js';
import { AuditRepository, type StoredAuditRow } from '../store/audit.js';
import { GENESIS_HASH, recordHash, verifyChain, type ChainVerdict, type StoredRecord } from './chain.js';
import type { RequestActor } from './context.js';

export type AuditOutcome = 'success' | 'failure';

export interface AuditActor {
  /** user: a person via session or API token; cli: someone at the collector's shell; agent; system: timers. */
  type: 'user' | 'cli' | 'agent' | 'system';
  id?: string | null;
  name: string;
  role?: string | null;
}

export interface AuditInput {
  /** What happened, as `<thing>.<verb>`: session.login, user.create, agent.retire, alert.acknowledge ... */
  action: string;
  /** The HTTP request this happened in: its user is the actor and its client address the ip, unless given. */
  by?: RequestActor;
  actor?: AuditActor;
  ip?: string | null;
  target?: { type: string; id: string };
  /** Units the action concerns: readers scoped to any of them see the record. */
  unitIds?: string[];
  outcome?: AuditOutcome;
  /** Facts about the action. Never secrets: keys that name one are replaced by "[redacted]". */
  details?: Record<string, unknown>;
  at?: Date;
}

export interface AuditRecord {
  seq: number;
  at: string;
  actor: { type: string; id: string | null; name: string; role: string | null };
  ip: string | null;
  action: string;
  target: { type: string; id: string } | null;
  unitIds: string[];
  outcome: string;
  details: Record<string, unknown>;
  hash: string;
}

const ACTION_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const SECRET_KEY = /^(password|newpassword|currentpassword|secret|token|sessionid|csrftoken|signature|privatekey|proof|authorization|cookie)$/i;
const SECRET_VALUE = /\bsl[at]_[A-Za-z0-9_-]{20,}|-----BEGIN [A-Z ]*PRIVATE KEY-----/;
const MAX_STRING = 512;

/** Copies details with secrets redacted, strings shortened and depth bounded: records stay small and safe. */
export function scrubDetails(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    if (SECRET_VALUE.test(value)) return '[redacted]';
    return value.length > MAX_STRING ? value.slice(0, MAX_STRING) + '…' : value;
  }
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (depth >= 4) return '[nested too deep]';
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => scrubDetails(v, depth + 1));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>).slice(0, 100)) {
      if (v === undefined) continue;
      out[k] = SECRET_KEY.test(k) ? '[redacted]' : scrubDetails(v, depth + 1);
    }
    return out;
  }
  return String(value);
}

const toView = (r: StoredAuditRow): AuditRecord => ({
  seq: r.seq,
  at: r.at,
  actor: { type: r.actorType, id: r.actorId, name: r.actorName, role: r.actorRole },
  ip: r.ip,
  action: r.action,
  target: r.targetType && r.targetId ? { type: r.targetType, id: r.targetId } : null,
  unitIds: r.unitIds,
  outcome: r.outcome,
  details: r.details,
  hash: r.hash,
});

function readable(r: StoredAuditRow): StoredRecord {
  const problems: string[] = [];
  for (const [name, text] of Object.entries(r.raw)) {
    try {
      JSON.parse(text);
    } catch {
      problems.push(`column ${name} is not JSON`);
    }
  }
  return { ...r, ...(problems.length ? { unreadable: problems.join(', ') } : {}) };
}

export class AuditLog {
  private readonly repo: AuditRepository;

  constructor(private readonly store: Pick<Store, 'db'>) {
    this.repo = new AuditRepository(store.db);
  }

  /** Appends one record to the chain (in the caller's transaction if there is one) and returns it. */
  record(input: AuditInput): AuditRecord {
    if (!ACTION_PATTERN.test(input.action)) throw new Error(`audit action "${input.action}" must look like thing.verb`);
    const ctx = input.by;
    const actor: AuditActor =
      input.actor ?? (ctx?.user ? { type: 'user', id: ctx.user.id, name: ctx.user.username, role: ctx.user.role } : { type: 'system', name: 'collector' });
    const at = (input.at ?? new Date()).toISOString();
    const details = scrubDetails(input.details ?? {}) as Record<string, unknown>;
    const unitIds = [...new Set(input.unitIds ?? [])].sort();
    const row = this.repo.append((seq, prev) => {
      const prevHash = prev ?? GENESIS_HASH;
      const content = {
        seq,
        at,
        actorType: actor.type,
        actorId: actor.id ?? null,
        actorName: actor.name,
        actorRole: actor.role ?? null,
        ip: input.ip !== undefined ? input.ip : (ctx?.ip ?? null),
        action: input.action,
        targetType: input.target?.type ?? null,
        targetId: input.target?.id ?? null,
        unitIds,
        outcome: input.outcome ?? 'success',
        details,
      };
      return { ...content, prevHash, hash: recordHash(prevHash, content) };
    });
    return toView({ ...row, raw: { unitIds: '', details: '' } });
  }

  /** Newest first. unitIds limits to records about those units (records about no unit are then left out). */
  list(q: { unitIds?: string[]; action?: string; beforeSeq?: number; limit?: number } = {}): AuditRecord[] {
    return this.repo.list({ ...q, limit: q.limit ?? 100 }).map(toView);
  }

  count(): number {
    return this.repo.count();
  }

  /** Recomputes the whole chain; names the first record that was altered, removed or reordered. */
  verify(): ChainVerdict {
    // One read transaction: the head and the rows come from the same snapshot even while others append.
    return this.store.db.transaction(() => {
      const head = this.repo.head();
      const rows = this.repo.all();
      return verifyChain(
        (function* () {
          for (const r of rows) yield readable(r);
        })(),
        head,
      );
    })();
  }
}

const logs = new WeakMap<object, AuditLog>();

/** The audit log over a store's database (one instance per store). */
export function auditLog(store: Pick<Store, 'db'>): AuditLog {
  let log = logs.get(store.db);
  if (!log) {
    log = new AuditLog(store);
    logs.set(store.db, log);
  }
  return log;
}

/** Someone at the collector's shell (soclite user, soclite token): named by the operating-system account. */
export function cliActor(): AuditActor {
  return { type: 'cli', name: userInfo().username };
}

export type { ChainVerdict } from './chain.js';
export type { RequestActor } from './context.js';
