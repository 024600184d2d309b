// Pure builders for the pieces of an OSCAL 1.1.2 assessment-results document. The exporter streams the large
// arrays (inventory items, observations) and uses these to build each element. Gotchas of the schema handled
// here: arrays need at least one item (omit the key instead), StringDatatype values must be non-empty without
// surrounding whitespace, ids are NCName tokens, UUIDs must be v4 or v5, times carry a zone.
import { createHash, randomUUID } from 'node:crypto';
import type { ControlTally, ControlVerdict } from './control-status.js';
import { STATUS_LABELS, VERDICT_LABELS } from './control-status.js';
import type { EvidenceControl, EvidenceFinding, EvidenceMachine } from './source.js';

export const OSCAL_VERSION = '1.1.2';
/** Namespace of soclite's own property names, so they cannot clash with OSCAL's. */
export const SOCLITE_NS = 'urn:soclite:oscal';
// Fixed namespace for name-based (v5) UUIDs: the same machine gets the same inventory uuid in every export.
const UUID_NAMESPACE = '5b0c2a8e-3f6d-4c1e-9a7b-2d4e6f8a0c13';

export function uuidV5(name: string, namespace: string = UUID_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const h = hash.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const CONTROL_CHARS = /[\u0000-\u001f\u007f]+/g;
const NEEDS_CLEANING = /[\u0000-\u001f\u007f]|\s\s|^\s|\s$/;

/** A StringDatatype value: control characters and runs of whitespace collapsed, trimmed, never empty. */
export function oscalString(text: string | null | undefined, fallback = '(empty)', max = 2000): string {
  // Fast path: most values are already clean (this runs ~10 times per machine-control result).
  if (text && text.length <= max && !NEEDS_CLEANING.test(text)) return text;
  const clean = (text ?? '').replace(CONTROL_CHARS, ' ').replace(/\s+/g, ' ').trim();
  const cut = clean.length > max ? `${clean.slice(0, max - 1).trimEnd()}…` : clean;
  return cut === '' ? fallback : cut;
}

const TOKEN = /^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$/u;

/** An NCName token for ids such as control ids ("8.1" is not one: it becomes "c-8.1"). */
export function oscalToken(id: string): string {
  if (TOKEN.test(id)) return id;
  const body = id.replace(/[^\p{L}\p{N}.\-_]/gu, '_');
  return TOKEN.test(body) ? body : `c-${body || 'empty'}`;
}

// toISOString is a measurable cost at 400,000 results x 3 times; a machine's results share their evaluation
// time (one posture report), so a small cache hits most of the time.
const isoCache = new Map<number, string>();
export function oscalTime(d: Date): string {
  const ms = d.getTime();
  let s = isoCache.get(ms);
  if (s === undefined) {
    s = d.toISOString();
    if (isoCache.size >= 4096) isoCache.clear();
    isoCache.set(ms, s);
  }
  return s;
}

export type OscalProp = { name: string; value: string; ns?: string };
export const prop = (name: string, value: string | number): OscalProp => ({
  name,
  ns: SOCLITE_NS,
  value: oscalString(String(value)),
});

export function inventoryItem(machine: EvidenceMachine, uuid: string = machineUuid(machine.id)): Record<string, unknown> {
  return {
    uuid,
    description: `${oscalString(machine.hostname, '(no hostname)', 255)} — ${oscalString(machine.os, 'unknown OS', 255)}`,
    props: [
      { name: 'asset-id', value: oscalString(machine.id, '(no id)', 255) },
      prop('hostname', oscalString(machine.hostname, '(no hostname)', 255)),
      prop('os', oscalString(machine.os, 'unknown', 255)),
      prop('unit', machine.unitId),
      ...machine.systemIds.map((s) => prop('information-system', s)),
      prop('last-seen', machine.lastSeenAt ? oscalTime(machine.lastSeenAt) : 'never'),
    ],
  };
}

export const machineUuid = (agentId: string): string => uuidV5(`machine:${agentId}`);

export function observation(
  uuid: string,
  finding: EvidenceFinding,
  machineSubjectUuid: string,
  collectedFallback: Date,
): Record<string, unknown> {
  const label = STATUS_LABELS[finding.status];
  const lines = [
    `${label.en} / ${label.vi}.`,
    `Observed: ${oscalString(finding.observed, '(not recorded)')}.`,
    `Expected: ${oscalString(finding.expected, '(not recorded)')}.`,
  ];
  if (finding.reason) lines.push(`Reason: ${oscalString(finding.reason)}.`);
  const props = [prop('control-id', finding.controlId), prop('result', finding.status)];
  if (finding.since) props.push(prop('since', oscalTime(finding.since)));
  return {
    uuid,
    description: lines.join(' '),
    props,
    methods: ['TEST'],
    subjects: [{ 'subject-uuid': machineSubjectUuid, type: 'inventory-item' }],
    collected: oscalTime(finding.lastEvaluatedAt ?? collectedFallback),
  };
}

export function findingElement(
  control: EvidenceControl,
  verdict: ControlVerdict,
  tally: ControlTally,
  validAttestations: number,
  relatedObservationsSlot: string | null,
): Record<string, unknown> {
  const label = VERDICT_LABELS[verdict];
  const counts = `pass ${tally.pass}, fail ${tally.fail}, unknown ${tally.unknown}, not applicable ${tally.not_applicable}`;
  const description =
    control.assessedBy === 'attestation'
      ? `${label.en} / ${label.vi}. Organisational control: ${validAttestations} valid attestation(s).`
      : `${label.en} / ${label.vi}. Machines: ${counts}. Valid attestations: ${validAttestations}.`;
  const element: Record<string, unknown> = {
    uuid: randomUUID(),
    title: `${oscalString(control.id)}: ${oscalString(control.title.en)} / ${oscalString(control.title.vi)}`,
    description,
    props: [
      prop('control-id', control.id),
      prop('verdict', verdict),
      prop('severity', control.severity),
      prop('machines-pass', tally.pass),
      prop('machines-fail', tally.fail),
      prop('machines-unknown', tally.unknown),
      prop('machines-not-applicable', tally.not_applicable),
    ],
    target: {
      type: 'objective-id',
      'target-id': oscalToken(control.id),
      status: {
        state: verdict === 'met_fully' || verdict === 'not_applicable' ? 'satisfied' : 'not-satisfied',
        reason: verdict === 'met_fully' ? 'pass' : verdict === 'not_applicable' ? 'other' : 'fail',
        ...(verdict === 'not_applicable' ? { remarks: 'Not applicable to any machine in scope.' } : {}),
      },
    },
  };
  if (relatedObservationsSlot) element['related-observations'] = relatedObservationsSlot;
  return element;
}
