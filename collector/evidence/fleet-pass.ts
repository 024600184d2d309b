// The one pass over the fleet: merges machines() with findings() (both ordered by machine), and writes as it
// goes machines.csv, findings.csv and the two big OSCAL arrays (inventory items, observations) plus, per
// control, the list of its observation uuids. Only counters and a bounded list of failing machines stay in
// memory, whatever the size of the fleet.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { STATUS_LABELS, emptyTally, type ControlTally } from './control-status.js';
import { CSV_BOM, csvRow } from './csv.js';
import { inventoryItem, machineUuid, observation } from './oscal.js';
import { FailingMachineList, type FailingMachine } from './report-model.js';
import type { EvidenceControl, EvidenceFinding, EvidenceMachine, EvidenceScope, EvidenceSource } from './source.js';
import { StagedFile, type StagedResult } from './staged-file.js';

export class EvidenceSourceError extends Error {}

export interface FleetPassResult {
  machinesCsv: StagedResult;
  findingsCsv: StagedResult;
  inventoryPart: StagedResult;
  observationsPart: StagedResult;
  relatedParts: StagedResult[];
  tallies: ControlTally[];
  /** How many observations each control got (0 = omit its related-observations). */
  observationCounts: number[];
  machines: { total: number; allPass: number; withFail: number; withUnknown: number };
  failingMachines: FailingMachine[];
  failingMachinesOmitted: number;
}

const MACHINES_HEADER = ['agent_id', 'hostname', 'os', 'unit', 'systems', 'last_seen', 'pass', 'fail', 'unknown', 'not_applicable'];
const FINDINGS_HEADER = [
  'agent_id', 'hostname', 'unit', 'control_id', 'status', 'status_label', 'observed', 'expected', 'since', 'last_evaluated', 'reason',
];
// Observed values come from endpoints: cap them so one machine cannot bloat the bundle.
const MAX_VALUE = 2000;
const cap = (s: string | null): string | null => (s !== null && s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s);

export async function runFleetPass(
  source: EvidenceSource,
  scope: EvidenceScope,
  controls: readonly EvidenceControl[],
  stageDir: string,
  opts: { failingLimit: number; onMachine?: (done: number) => void },
): Promise<FleetPassResult> {
  const controlIndex = new Map(controls.map((c, i) => [c.id, i]));
  const tallies = controls.map(emptyTally);
  const observationCounts = controls.map(() => 0);
  const machinesCsv = new StagedFile(path.join(stageDir, 'machines.csv'));
  const findingsCsv = new StagedFile(path.join(stageDir, 'findings.csv'));
  const inventory = new StagedFile(path.join(stageDir, 'part-inventory.json'), { hashed: false });
  const observations = new StagedFile(path.join(stageDir, 'part-observations.json'), { hashed: false });
  const related = controls.map((_, i) => new StagedFile(path.join(stageDir, `part-related-${i}.json`), { hashed: false, bufferBytes: 64 * 1024 }));
  const all = [machinesCsv, findingsCsv, inventory, observations, ...related];
  const failing = new FailingMachineList(opts.failingLimit);
  const counts = { total: 0, allPass: 0, withFail: 0, withUnknown: 0 };
  let observationTotal = 0;

  try {
    await machinesCsv.write(CSV_BOM + csvRow(MACHINES_HEADER));
    await findingsCsv.write(CSV_BOM + csvRow(FINDINGS_HEADER));

    const findingIter = source.findings(scope)[Symbol.asyncIterator]();
    let pending = await nextFinding(findingIter);
    const seen = new Set<string>();

    for await (const machine of source.machines(scope)) {
      if (seen.has(machine.id)) throw new EvidenceSourceError(`machine ${machine.id} was listed twice`);
      seen.add(machine.id);
      const results: (EvidenceFinding | undefined)[] = new Array(controls.length);
      while (pending && pending.agentId === machine.id) {
        const idx = controlIndex.get(pending.controlId);
        // A result for a control outside this level is not evidence for it: leave it out.
        if (idx !== undefined) {
          if (results[idx]) throw new EvidenceSourceError(`two findings for ${machine.id} / ${pending.controlId}`);
          results[idx] = pending;
        }
        pending = await nextFinding(findingIter);
      }
      if (pending && seen.has(pending.agentId)) {
        throw new EvidenceSourceError(`findings are not grouped by machine in machines() order (agent ${pending.agentId})`);
      }

      const subjectUuid = machineUuid(machine.id);
      const machineTally = emptyTally();
      const failingControls: string[] = [];
      for (let i = 0; i < controls.length; i++) {
        const control = controls[i]!;
        const finding = results[i] ?? (control.assessedBy === 'machine' ? missingResult(machine, control) : undefined);
        if (!finding) continue;
        tallies[i]![finding.status] += 1;
        machineTally[finding.status] += 1;
        if (finding.status === 'fail') failingControls.push(control.id);

        const label = STATUS_LABELS[finding.status];
        const p1 = findingsCsv.write(
          csvRow([
            machine.id, machine.hostname, machine.unitId, control.id, finding.status, `${label.vi} / ${label.en}`,
            cap(finding.observed), cap(finding.expected), finding.since, finding.lastEvaluatedAt, finding.reason ?? null,
          ]),
        );
        if (p1) await p1;
        const uuid = randomUUID();
        const p2 = observations.write((observationTotal++ === 0 ? '' : ',') + JSON.stringify(observation(uuid, finding, subjectUuid, scope.to)));
        if (p2) await p2;
        const p3 = related[i]!.write(`${observationCounts[i]! === 0 ? '' : ','}{"observation-uuid":"${uuid}"}`);
        if (p3) await p3;
        observationCounts[i]! += 1;
      }

      await machinesCsv.write(
        csvRow([
          machine.id, machine.hostname, machine.os, machine.unitId, machine.systemIds.join(';'), machine.lastSeenAt,
          machineTally.pass, machineTally.fail, machineTally.unknown, machineTally.not_applicable,
        ]),
      );
      await inventory.write((counts.total === 0 ? '' : ',') + JSON.stringify(inventoryItem(machine, subjectUuid)));
      counts.total += 1;
      if (machineTally.fail > 0) counts.withFail += 1;
      if (machineTally.unknown > 0) counts.withUnknown += 1;
      if (machineTally.fail === 0 && machineTally.unknown === 0) counts.allPass += 1;
      if (failingControls.length > 0) failing.add(machine, failingControls, machineTally.unknown);
      opts.onMachine?.(counts.total);
    }
    if (pending) {
      throw new EvidenceSourceError(`finding for agent ${pending.agentId}, which is not a machine in scope (or findings are out of order)`);
    }

    const [m, f, inv, obs, ...rel] = await Promise.all(all.map((s) => s.close()));
    const { kept, omitted } = failing.result();
    return {
      machinesCsv: m!,
      findingsCsv: f!,
      inventoryPart: inv!,
      observationsPart: obs!,
      relatedParts: rel,
      tallies,
      observationCounts,
      machines: counts,
      failingMachines: kept,
      failingMachinesOmitted: omitted,
    };
  } catch (err) {
    await Promise.all(all.map((s) => s.abort()));
    throw err;
  }
}

async function nextFinding(it: AsyncIterator<EvidenceFinding>): Promise<EvidenceFinding | undefined> {
  const r = await it.next();
  return r.done ? undefined : r.value;
}

/** A machine in scope with no recorded result for a machine-assessed control: unknown, never pass. */
function missingResult(machine: EvidenceMachine, control: EvidenceControl): EvidenceFinding {
  return {
    agentId: machine.id,
    controlId: control.id,
    status: 'unknown',
    observed: null,
    expected: null,
    since: null,
    lastEvaluatedAt: null,
    reason: 'no result recorded for this machine / không có kết quả cho máy này',
  };
}
