// exportBundle: one evidence .zip for a scope. Files are generated into a private staging directory in one
// streaming pass over the fleet (hashing as they are written) and zipped in a fixed order, each as soon as it is
// complete, with a signed SHA256SUMS last. The zip is written under a temporary name and renamed at the end
// (zip-writer.ts): never a half-written bundle.
import { randomUUID, sign, type KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  BUNDLE_FILES, HASHED_FILES, MANIFEST_FILE, PUBLIC_KEY_FILE, README_FILE, SIGNATURE_FILE, SUMS_FILE, formatSums,
  type ManifestFile,
} from './bundle-files.js';
import { bundleReadme } from './bundle-readme.js';
import { VERDICT_LABELS, attestationValidAt, controlVerdict, type ControlVerdict } from './control-status.js';
import { CSV_BOM, csvRow } from './csv.js';
import { EvidenceSourceError, runFleetPass } from './fleet-pass.js';
import { describeKey } from './keys.js';
import { oscalDocumentSegments } from './oscal-document.js';
import { renderReportHtml } from './report-html.js';
import { renderReportPdf } from './report-pdf.js';
import type { ControlRow, ReportModel } from './report-model.js';
import type { Attestation, EvidenceControl, EvidenceScope, EvidenceSource } from './source.js';
import { hashSegments, type Segment } from './segments.js';
import { ZipWriter } from './zip-writer.js';
import { StagedFile, type StagedResult } from './staged-file.js';

/** 'waiting': an export job of "now" waits for a fleet-wide re-evaluation to end before it reads (export-jobs.ts). */
export type ExportPhase = 'waiting' | 'machines' | 'history' | 'reports' | 'packaging' | 'done';
export interface ExportProgress {
  phase: ExportPhase;
  done: number;
  total: number;
}

export interface ExportOptions {
  outPath: string;
  signingKey: KeyObject;
  generatorVersion: string;
  generatorName?: string;
  onProgress?: (p: ExportProgress) => void;
  /** The export's own timestamp (tests pin it). */
  now?: Date;
  /** Where to stage files; defaults to the OS temp dir. */
  tmpDir?: string;
  /** At most this many failing machines are listed in the reports (all are in findings.csv). */
  reportMachineLimit?: number;
}

export interface ExportResult {
  outPath: string;
  bundleId: string;
  fingerprint: string;
  files: ManifestFile[];
  verdicts: Record<ControlVerdict, number>;
  machines: number;
}

export async function exportBundle(source: EvidenceSource, scope: EvidenceScope, opts: ExportOptions): Promise<ExportResult> {
  const generatedAt = opts.now ?? new Date();
  const bundleId = randomUUID();
  const key = describeKey(opts.signingKey);
  const generator = `${opts.generatorName ?? 'soclite'} ${opts.generatorVersion}`;
  const progress = opts.onProgress ?? (() => {});
  const stage = await mkdtemp(path.join(opts.tmpDir ?? os.tmpdir(), 'soclite-evidence-'));
  // Each bundle file: one staged file, or (the OSCAL document) pieces of several.
  const staged = new Map<string, { bytes: number; sha256: string; segments: Segment[] }>();
  const fromStaged = (r: StagedResult) => ({ bytes: r.bytes, sha256: r.sha256, segments: [{ path: r.path, bytes: r.bytes }] });
  const stageText = async (name: string, text: string | Buffer): Promise<void> => {
    const f = new StagedFile(path.join(stage, name));
    await (typeof text === 'string' ? f.write(text) : f.writeBytes(text));
    staged.set(name, fromStaged(await f.close()));
  };

  let zip: ZipWriter | null = null;
  try {
    const [metadata, controls, attestations, machineTotal] = await Promise.all([
      source.metadata(scope),
      source.controls(scope),
      source.attestations(scope),
      source.machineCount(scope),
    ]);
    checkControls(controls, scope);
    checkAttestations(attestations);

    progress({ phase: 'machines', done: 0, total: machineTotal });
    const pass = await runFleetPass(source, scope, controls, stage, {
      failingLimit: opts.reportMachineLimit ?? 1000,
      onMachine: (done) => {
        if (done % 250 === 0 || done === machineTotal) progress({ phase: 'machines', done, total: Math.max(machineTotal, done) });
      },
    });
    staged.set('machines.csv', fromStaged(pass.machinesCsv));
    staged.set('findings.csv', fromStaged(pass.findingsCsv));

    const history = new StagedFile(path.join(stage, 'history.csv'));
    await history.write(CSV_BOM + csvRow(['at', 'agent_id', 'control_id', 'from', 'to', 'observed']));
    let historyRows = 0;
    for await (const t of source.history(scope)) {
      const w = history.write(csvRow([t.at, t.agentId, t.controlId, t.from, t.to, t.observed]));
      if (w) await w;
      if (++historyRows % 10_000 === 0) progress({ phase: 'history', done: historyRows, total: 0 });
    }
    staged.set('history.csv', fromStaged(await history.close()));
    progress({ phase: 'history', done: historyRows, total: historyRows });

    const verdicts = controls.map((c, i) => controlVerdict(c, pass.tallies[i]!, attestations, scope));
    const rows: ControlRow[] = controls.map((control, i) => {
      const own = attestations.filter((a) => a.controlId === control.id);
      return {
        control,
        verdict: verdicts[i]!,
        tally: pass.tallies[i]!,
        attestations: own,
        validAttestations: own.filter((a) => attestationValidAt(a, scope.to)).length,
      };
    });
    await stageText('controls.csv', controlsCsv(rows));
    await stageText('attestations.csv', attestationsCsv(attestations, scope));

    progress({ phase: 'reports', done: 0, total: 3 });
    const oscalSegments = oscalDocumentSegments({
      bundleId, generatedAt, generator, scope, metadata, controls, verdicts, tallies: pass.tallies, attestations,
      inventoryPart: pass.inventoryPart,
      inventoryCount: pass.machines.total,
      observationsPart: pass.observationsPart,
      observationCount: pass.observationCounts.reduce((a, b) => a + b, 0),
      relatedParts: pass.relatedParts,
      observationCounts: pass.observationCounts,
    });
    staged.set('assessment-results.json', await hashSegments(oscalSegments));
    progress({ phase: 'reports', done: 1, total: 3 });

    // Zip what is complete now; the rest is added as it is made, in the same fixed order.
    const order = [...HASHED_FILES, SUMS_FILE, SIGNATURE_FILE];
    let zipped = 0;
    let allAdded = false;
    let totalBytes = 0;
    zip = new ZipWriter(opts.outPath, generatedAt, (done) => {
      if (allAdded) progress({ phase: 'packaging', done, total: totalBytes });
    });
    const zipReady = (): void => {
      while (zipped < order.length && staged.has(order[zipped]!)) {
        const f = staged.get(order[zipped]!)!;
        zip!.add(order[zipped]!, f.segments, f.bytes);
        zipped++;
      }
    };
    zipReady();

    const model: ReportModel = {
      generator: { name: opts.generatorName ?? 'soclite', version: opts.generatorVersion },
      generatedAt, bundleId, scope, metadata, controls: rows, machines: pass.machines,
      failingMachines: pass.failingMachines, failingMachinesOmitted: pass.failingMachinesOmitted,
    };
    await stageText('report.html', renderReportHtml(model));
    zipReady();
    progress({ phase: 'reports', done: 2, total: 3 });
    await stageText('report.pdf', await renderReportPdf(model));
    zipReady();
    progress({ phase: 'reports', done: 3, total: 3 });

    await stageText(PUBLIC_KEY_FILE, key.publicKeyPem);
    await stageText(README_FILE, bundleReadme({ bundleId, generator, generatedAt: generatedAt.toISOString(), fingerprint: key.fingerprint }));
    const files = (): ManifestFile[] =>
      HASHED_FILES.filter((n) => staged.has(n)).map((n) => ({
        path: n, bytes: staged.get(n)!.bytes, sha256: staged.get(n)!.sha256, mediaType: BUNDLE_FILES[n]!.mediaType,
      }));
    const verdictCounts: Record<ControlVerdict, number> = { met_fully: 0, met_partly: 0, not_met: 0, not_applicable: 0 };
    for (const v of verdicts) verdictCounts[v] += 1;
    const manifest = {
      format: 'soclite-evidence-bundle/1',
      bundleId,
      generator: { name: opts.generatorName ?? 'soclite', version: opts.generatorVersion },
      generatedAt: generatedAt.toISOString(),
      scope: {
        level: scope.level, unit: scope.unit ?? null, system: scope.system ?? null,
        from: scope.from?.toISOString() ?? null, to: scope.to.toISOString(), asOf: scope.from ? null : scope.to.toISOString(),
      },
      organisation: metadata.organisation,
      policyPack: metadata.policyPack,
      summary: { machines: pass.machines.total, controls: controls.length, verdicts: verdictCounts },
      signature: { algorithm: 'Ed25519', signedFile: SUMS_FILE, signatureFile: SIGNATURE_FILE, publicKeyFile: PUBLIC_KEY_FILE, publicKeySha256: key.fingerprint },
      files: files(),
    };
    await stageText(MANIFEST_FILE, JSON.stringify(manifest, null, 2) + '\n');
    const sums = Buffer.from(formatSums(files()), 'utf8');
    await stageText(SUMS_FILE, sums);
    await stageText(SIGNATURE_FILE, sign(null, sums, key.privateKey));

    zipReady();
    if (zipped !== order.length) throw new Error(`bundle file ${order[zipped]} was not made`);
    totalBytes = zip.added;
    allAdded = true;
    progress({ phase: 'packaging', done: zip.consumed, total: totalBytes });
    await zip.finish();
    zip = null;
    progress({ phase: 'done', done: 1, total: 1 });
    return { outPath: opts.outPath, bundleId, fingerprint: key.fingerprint, files: manifest.files, verdicts: verdictCounts, machines: pass.machines.total };
  } finally {
    await zip?.abort();
    // Retried (Node retries ENOTEMPTY and EBUSY): a file of the failed step may still be closing in there.
    await rm(stage, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
  }
}

function checkControls(controls: readonly EvidenceControl[], scope: EvidenceScope): void {
  if (controls.length === 0) throw new EvidenceSourceError(`no controls are defined for security level ${scope.level}`);
  const ids = new Set<string>();
  for (const c of controls) {
    if (ids.has(c.id)) throw new EvidenceSourceError(`control ${c.id} is listed twice`);
    ids.add(c.id);
  }
}

function checkAttestations(list: readonly Attestation[]): void {
  for (const a of list) {
    if (!/^[0-9a-f]{64}$/.test(a.documentSha256)) {
      throw new EvidenceSourceError(`attestation ${a.id}: document hash must be 64 lower-case hex digits (SHA-256)`);
    }
  }
}

function controlsCsv(rows: readonly ControlRow[]): string {
  const out = [
    CSV_BOM,
    csvRow([
      'control_id', 'title_vi', 'title_en', 'severity', 'references', 'assessed_by', 'verdict', 'verdict_vi', 'verdict_en',
      'machines_pass', 'machines_fail', 'machines_unknown', 'machines_not_applicable', 'attestations_valid', 'attestation_documents',
      'remediation_vi', 'remediation_en',
    ]),
  ];
  for (const r of rows) {
    const c = r.control;
    out.push(
      csvRow([
        c.id, c.title.vi, c.title.en, c.severity, c.references.join('; '), c.assessedBy, r.verdict,
        VERDICT_LABELS[r.verdict].vi, VERDICT_LABELS[r.verdict].en, r.tally.pass, r.tally.fail, r.tally.unknown, r.tally.not_applicable,
        r.validAttestations, r.attestations.map((a) => `${a.documentTitle} (sha256 ${a.documentSha256})`).join('; '),
        c.remediation.vi, c.remediation.en,
      ]),
    );
  }
  return out.join('');
}

function attestationsCsv(list: readonly Attestation[], scope: EvidenceScope): string {
  const out = [
    CSV_BOM,
    csvRow(['attestation_id', 'control_id', 'unit', 'system', 'document_title', 'document_sha256', 'valid_from', 'valid_to', 'attested_by', 'valid_at_period_end']),
  ];
  for (const a of list) {
    out.push(
      csvRow([a.id, a.controlId, a.unitId ?? null, a.systemId ?? null, a.documentTitle, a.documentSha256, a.validFrom, a.validTo, a.attestedBy, attestationValidAt(a, scope.to)]),
    );
  }
  return out.join('');
}
