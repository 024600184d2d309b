// EvidenceSource over the collector's SQLite store and the active policy set. For each machine the state at the
// scope's `to` instant comes from the current findings when the machine was last evaluated at or before `to`
// (nothing can have changed since, and the current rows also carry observed values that changed without a
// status change); otherwise from the findings ledger, which holds every status transition with its time. So an
// "as of" export is correct whatever the distance to now, and an export of "now" never reports a change that
// was committed after its instant while it ran.
import type { Store } from '../store/index.js';
import type { PolicySet, CompiledControl } from '../policy/index.js';
import { unitSubtrees } from '../auth/scope.js';
import type {
  Attestation,
  EvidenceControl,
  EvidenceFinding,
  EvidenceMachine,
  EvidenceScope,
  EvidenceSource,
  FindingStatus,
  HistoryTransition,
  ScopeMetadata,
} from './source.js';
import type { MachineFilter } from '../store/evidence.js';

export interface SqliteSourceOptions {
  pack?: string;
  organisation?: string;
}

export class SqliteEvidenceSource implements EvidenceSource {
  private readonly pack: string;

  constructor(
    private readonly store: Store,
    private readonly policy: PolicySet,
    private readonly o: SqliteSourceOptions = {},
  ) {
    this.pack = o.pack ?? 'vn-nd85-tt12';
    if (!policy.packs[this.pack]) throw new Error(`policy pack "${this.pack}" is not loaded`);
  }

  private filter(scope: EvidenceScope): MachineFilter {
    const units = this.store.units.list();
    if (scope.unit && !units.some((u) => u.id === scope.unit)) throw new Error(`unit "${scope.unit}" does not exist`);
    if (scope.system && !this.store.compliance.getSystem(scope.system)) throw new Error(`information system "${scope.system}" does not exist`);
    const roots = scope.unit ? [scope.unit] : units.filter((u) => !u.parentId).map((u) => u.id);
    const unitIds = unitSubtrees(roots, units);
    return { level: scope.level, unitIds, ...(scope.system ? { systemId: scope.system } : {}) };
  }

  private levelControls(level: number): CompiledControl[] {
    const tier = this.policy.packs[this.pack]!.tiers.find((t) => t.securityLevels.includes(level))?.id;
    if (!tier) return [];
    return this.policy.controls.filter((c) => c.pack === this.pack && c.byTier[tier]);
  }

  async metadata(scope: EvidenceScope): Promise<ScopeMetadata> {
    const f = this.filter(scope);
    const units = this.store.units.list().filter((u) => f.unitIds.includes(u.id));
    const systems = this.store.compliance.listSystems(f.unitIds).filter((s) => (scope.system ? s.id === scope.system : s.level === scope.level));
    return {
      organisation: this.o.organisation ?? this.store.settings.get('organisation.name') ?? 'soclite',
      units: units.map((u) => ({ id: u.id, name: { vi: u.name, en: u.name } })),
      systems: systems.map((s) => ({
        id: s.id,
        name: s.name,
        unitId: s.unitId,
        approvedLevel: s.level,
        ...(s.approvalRef ? { approvalDecision: [s.approvalRef, s.approvalDate].filter(Boolean).join(', ') } : {}),
      })),
      policyPack: this.pack,
    };
  }

  async controls(scope: EvidenceScope): Promise<EvidenceControl[]> {
    return this.levelControls(scope.level).map((c) => ({
      id: c.id,
      title: c.title,
      remediation: c.remediation,
      severity: c.severity,
      references: c.references.map((r) => `${this.policy.packs[c.pack]?.documents[r.document]?.title.vi ?? r.document} ${r.clause}`.trim()),
      assessedBy: c.attestation ? 'attestation' : 'machine',
    }));
  }

  async machineCount(scope: EvidenceScope): Promise<number> {
    return this.store.evidence.machineCount(this.filter(scope));
  }

  async *machines(scope: EvidenceScope): AsyncIterable<EvidenceMachine> {
    for (const r of this.store.evidence.machines(this.filter(scope))) {
      yield {
        id: r.id,
        hostname: r.hostname,
        os: r.posture_os ?? r.platform,
        unitId: r.unit_id,
        systemIds: r.systems ? r.systems.split(',') : [],
        lastSeenAt: r.last_seen_at ? new Date(r.last_seen_at) : null,
      };
    }
  }

  async *findings(scope: EvidenceScope): AsyncIterable<EvidenceFinding> {
    const wanted = this.levelControls(scope.level).filter((c) => !c.attestation).map((c) => c.id);
    if (wanted.length === 0) return;
    const reader = this.store.evidence.findingReader(wanted);
    const at = scope.to.toISOString();
    for (const id of this.store.evidence.machineIds(this.filter(scope))) {
      const current = reader.current(id);
      // Every evaluation touches all of a machine's rows, so the newest evaluated_at is its last evaluation.
      const lastEvaluation = current.reduce((max, r) => (r.evaluated_at > max ? r.evaluated_at : max), '');
      // Current rows when the machine was last evaluated by then; otherwise the ledger, whose "last evaluated" is
      // the transition's time (it keeps the observed value of each transition).
      const rows =
        current.length > 0 && lastEvaluation <= at
          ? current.map((r) => ({ ...r, at: r.evaluated_at }))
          : reader.asOf(id, at);
      for (const r of rows) {
        yield {
          agentId: r.agent_id,
          controlId: r.control_id,
          status: r.status as FindingStatus,
          observed: r.observed_json === '{}' ? null : r.observed_json,
          expected: r.expected || null,
          since: new Date(r.since),
          lastEvaluatedAt: new Date(r.at),
          ...(r.reason ? { reason: r.reason } : {}),
        };
      }
    }
  }

  async *history(scope: EvidenceScope): AsyncIterable<HistoryTransition> {
    const wanted = this.levelControls(scope.level).map((c) => c.id);
    for (const r of this.store.evidence.history(this.filter(scope), wanted, scope.from?.toISOString(), scope.to.toISOString())) {
      yield {
        agentId: r.agent_id,
        controlId: r.control_id,
        at: new Date(r.at),
        from: r.previous_status as FindingStatus | null,
        to: r.status as FindingStatus,
        observed: r.observed_json === '{}' ? null : r.observed_json,
      };
    }
  }

  async attestations(scope: EvidenceScope): Promise<Attestation[]> {
    const controls = this.levelControls(scope.level).filter((c) => c.attestation);
    const f = this.filter(scope);
    const out: Attestation[] = [];
    for (const a of this.store.compliance.listAttestations()) {
      if (a.scope?.unit && !f.unitIds.includes(a.scope.unit)) continue;
      for (const c of controls) {
        if (c.attestation!.kind !== a.kind || (a.controlIds && !a.controlIds.includes(c.id))) continue;
        out.push({
          id: a.id,
          controlId: c.id,
          ...(a.scope?.unit ? { unitId: a.scope.unit } : {}),
          ...(a.scope?.system ? { systemId: a.scope.system } : {}),
          documentTitle: a.title,
          documentSha256: a.documentSha256,
          validFrom: new Date(a.validFrom),
          validTo: new Date(a.validUntil),
          attestedBy: a.recordedBy ?? 'unknown',
        });
      }
    }
    return out;
  }
}
