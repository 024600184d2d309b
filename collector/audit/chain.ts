// The audit chain (pure): each record's hash covers the previous record's hash and the record itself in
// canonical JSON, so changing, removing or reordering any stored record breaks verification at that record.
import { canonicalJson, sha256Hex } from '../../protocol/index.js';

export const GENESIS_HASH = '0'.repeat(64);

/** The hashed content of one record: everything but its own hash (prevHash is covered by the chaining). */
export interface ChainedRecord {
  seq: number;
  at: string;
  actorType: string;
  actorId: string | null;
  actorName: string;
  actorRole: string | null;
  ip: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  unitIds: string[];
  outcome: string;
  details: Record<string, unknown>;
}

export function recordHash(prevHash: string, r: ChainedRecord): string {
  const content: ChainedRecord = {
    seq: r.seq,
    at: r.at,
    actorType: r.actorType,
    actorId: r.actorId,
    actorName: r.actorName,
    actorRole: r.actorRole,
    ip: r.ip,
    action: r.action,
    targetType: r.targetType,
    targetId: r.targetId,
    unitIds: r.unitIds,
    outcome: r.outcome,
    details: r.details,
  };
  return sha256Hex(prevHash + '\n' + canonicalJson(content));
}

export interface StoredRecord extends ChainedRecord {
  prevHash: string;
  hash: string;
  /** Set when a stored JSON column could not be read back. */
  unreadable?: string;
}

export type ChainVerdict =
  | { ok: true; records: number; headHash: string }
  | { ok: false; records: number; firstBadSeq: number; problem: string };

/**
 * Walks the records in stored order. The first record that does not follow from its predecessor is named:
 * an edited record fails its own hash, a removed one leaves a gap in seq and a broken link, a reordered one
 * appears out of sequence. `head` (the last seq and hash recorded at append time) catches a removed tail.
 */
export function verifyChain(records: Iterable<StoredRecord>, head?: { seq: number; hash: string }): ChainVerdict {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let n = 0;
  for (const r of records) {
    n++;
    const bad = (problem: string): ChainVerdict => ({ ok: false, records: n, firstBadSeq: r.seq, problem });
    if (r.seq !== expectedSeq) {
      return r.seq > expectedSeq
        ? { ok: false, records: n, firstBadSeq: expectedSeq, problem: `record #${expectedSeq} is missing (next stored record is #${r.seq})` }
        : bad(`record #${r.seq} is out of order (expected #${expectedSeq})`);
    }
    if (r.unreadable) return bad(`record #${r.seq} cannot be read: ${r.unreadable}`);
    if (r.prevHash !== prev) return bad(`record #${r.seq} does not link to record #${r.seq - 1} (previous hash differs): a record was removed, replaced or reordered`);
    if (recordHash(prev, r) !== r.hash) return bad(`record #${r.seq} was altered: its content no longer matches its hash`);
    prev = r.hash;
    expectedSeq++;
  }
  if (head && (head.seq !== expectedSeq - 1 || head.hash !== prev)) {
    if (head.seq > expectedSeq - 1) {
      return { ok: false, records: n, firstBadSeq: expectedSeq, problem: `record #${expectedSeq} is missing: the log ends at #${expectedSeq - 1} but ${head.seq} records were written` };
    }
    return { ok: false, records: n, firstBadSeq: head.seq, problem: `the recorded chain head (#${head.seq}) does not match the last record (#${expectedSeq - 1})` };
  }
  if (!head && n > 0) return { ok: false, records: n, firstBadSeq: expectedSeq - 1, problem: 'the chain head record is missing' };
  return { ok: true, records: n, headHash: prev };
}
