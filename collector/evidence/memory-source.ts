// An EvidenceSource over plain arrays, driven by a findings ledger (every evaluation of a control on a machine,
// with its time), for tests and the export benchmark. "As of T" is answered from the ledger exactly as a
// store-backed source must: the last evaluation at or before T gives the status, the start of that status run
// gives "since", and history is every status change. Kept compact (sorted arrays + index ranges) so the
// benchmark's 400,000 evaluations do not dominate its memory.
import type {
  Attestation, EvidenceControl, EvidenceFinding, EvidenceMachine, EvidenceScope, EvidenceSource, FindingStatus,
  HistoryTransition, ScopeMetadata,
} from './source.js';
import { FINDING_STATUSES } from './source.js';

export interface LedgerEntry {
  agentId: string;
  controlId: string;
  at: Date;
  status: FindingStatus;
  observed: string | null;
  expected: string | null;
  reason?: string;
}

export type MemoryControl = EvidenceControl & { levels: number[] };

export interface MemorySourceData {
  metadata: ScopeMetadata;
  controls: MemoryControl[];
  machines: EvidenceMachine[];
  ledger: LedgerEntry[];
  attestations: Attestation[];
}

const byLedgerKey = (a: LedgerEntry, b: LedgerEntry): number =>
  a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : a.controlId < b.controlId ? -1 : a.controlId > b.controlId ? 1 : a.at.getTime() - b.at.getTime();

export class MemoryEvidenceSource implements EvidenceSource {
  private readonly machineList: EvidenceMachine[];
  private readonly entries: LedgerEntry[];
  /** agentId -> [start, end) in `entries`. */
  private readonly ranges = new Map<string, [number, number]>();
  /** Indices of entries that change a status (the first evaluation of a pair included), by time. */
  private readonly transitions: Uint32Array;

  constructor(private readonly data: MemorySourceData) {
    for (const e of data.ledger) {
      if (!FINDING_STATUSES.includes(e.status)) throw new Error(`ledger: invalid status "${e.status}" for ${e.agentId}/${e.controlId}`);
      if (Number.isNaN(e.at.getTime())) throw new Error(`ledger: invalid time for ${e.agentId}/${e.controlId}`);
    }
    this.machineList = [...data.machines].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.entries = [...data.ledger].sort(byLedgerKey);
    const changes: number[] = [];
    for (let i = 0; i < this.entries.length; i++) {
      const e = this.entries[i]!;
      const prev = i > 0 ? this.entries[i - 1] : undefined;
      const r = this.ranges.get(e.agentId);
      if (r) r[1] = i + 1;
      else this.ranges.set(e.agentId, [i, i + 1]);
      if (!prev || prev.agentId !== e.agentId || prev.controlId !== e.controlId || prev.status !== e.status) changes.push(i);
    }
    changes.sort((a, b) => this.entries[a]!.at.getTime() - this.entries[b]!.at.getTime() || a - b);
    this.transitions = Uint32Array.from(changes);
  }

  private levelControls(scope: EvidenceScope): MemoryControl[] {
    return this.data.controls.filter((c) => c.levels.includes(scope.level));
  }

  private inScope(m: EvidenceMachine, scope: EvidenceScope): boolean {
    return (!scope.unit || m.unitId === scope.unit) && (!scope.system || m.systemIds.includes(scope.system));
  }

  async metadata(scope: EvidenceScope): Promise<ScopeMetadata> {
    const md = this.data.metadata;
    return {
      organisation: md.organisation,
      policyPack: md.policyPack,
      units: md.units.filter((u) => !scope.unit || u.id === scope.unit),
      systems: md.systems.filter((s) => (!scope.unit || s.unitId === scope.unit) && (!scope.system || s.id === scope.system)),
    };
  }

  async controls(scope: EvidenceScope): Promise<EvidenceControl[]> {
    return this.levelControls(scope).map(({ levels: _levels, ...c }) => c);
  }

  async machineCount(scope: EvidenceScope): Promise<number> {
    return this.machineList.filter((m) => this.inScope(m, scope)).length;
  }

  async *machines(scope: EvidenceScope): AsyncIterable<EvidenceMachine> {
    for (const m of this.machineList) if (this.inScope(m, scope)) yield m;
  }

  async *findings(scope: EvidenceScope): AsyncIterable<EvidenceFinding> {
    const wanted = new Set(this.levelControls(scope).map((c) => c.id));
    const t = scope.to.getTime();
    for (const m of this.machineList) {
      if (!this.inScope(m, scope)) continue;
      const range = this.ranges.get(m.id);
      if (!range) continue;
      // Entries of one machine are sorted by control, then time: walk each control's run.
      for (let i = range[0]; i < range[1]; ) {
        const controlId = this.entries[i]!.controlId;
        let end = i;
        while (end < range[1] && this.entries[end]!.controlId === controlId) end++;
        if (wanted.has(controlId)) {
          let last = -1;
          for (let j = i; j < end && this.entries[j]!.at.getTime() <= t; j++) last = j;
          if (last >= 0) {
            const e = this.entries[last]!;
            let start = last;
            while (start > i && this.entries[start - 1]!.status === e.status) start--;
            const f: EvidenceFinding = {
              agentId: m.id,
              controlId,
              status: e.status,
              observed: e.observed,
              expected: e.expected,
              since: this.entries[start]!.at,
              lastEvaluatedAt: e.at,
            };
            if (e.reason !== undefined) f.reason = e.reason;
            yield f;
          }
        }
        i = end;
      }
    }
  }

  async *history(scope: EvidenceScope): AsyncIterable<HistoryTransition> {
    const wanted = new Set(this.levelControls(scope).map((c) => c.id));
    const machines = new Set(this.machineList.filter((m) => this.inScope(m, scope)).map((m) => m.id));
    const from = scope.from?.getTime() ?? -Infinity;
    const to = scope.to.getTime();
    for (const idx of this.transitions) {
      const e = this.entries[idx]!;
      const at = e.at.getTime();
      if (at > to) break;
      if (at < from || !wanted.has(e.controlId) || !machines.has(e.agentId)) continue;
      const prev = idx > 0 ? this.entries[idx - 1] : undefined;
      const samePair = prev && prev.agentId === e.agentId && prev.controlId === e.controlId;
      yield { agentId: e.agentId, controlId: e.controlId, at: e.at, from: samePair ? prev.status : null, to: e.status, observed: e.observed };
    }
  }

  async attestations(scope: EvidenceScope): Promise<Attestation[]> {
    const wanted = new Set(this.levelControls(scope).map((c) => c.id));
    return this.data.attestations.filter(
      (a) =>
        wanted.has(a.controlId) &&
        (!scope.unit || !a.unitId || a.unitId === scope.unit) &&
        (!scope.system || !a.systemId || a.systemId === scope.system),
    );
  }
}
