// Assembles assessment-results.json. The small parts are an object serialised once; the big arrays are
// "slots" in it, each replaced by `[`, the staged part the fleet pass produced, `]`. The result is a list of
// segments (segments.ts), not a copy. Slot markers carry a random nonce, so no string from an endpoint or a user
// can impersonate one.
import { randomBytes } from 'node:crypto';
import { attestationValidAt, type ControlTally, type ControlVerdict } from './control-status.js';
import { OSCAL_VERSION, findingElement, oscalString, oscalTime, oscalToken, prop, uuidV5 } from './oscal.js';
import type { Attestation, EvidenceControl, EvidenceScope, ScopeMetadata } from './source.js';
import type { Segment } from './segments.js';
import type { StagedResult } from './staged-file.js';

export interface OscalInputs {
  bundleId: string;
  generatedAt: Date;
  generator: string;
  scope: EvidenceScope;
  metadata: ScopeMetadata;
  controls: readonly EvidenceControl[];
  verdicts: readonly ControlVerdict[];
  tallies: readonly ControlTally[];
  attestations: readonly Attestation[];
  inventoryPart: StagedResult;
  inventoryCount: number;
  observationsPart: StagedResult;
  observationCount: number;
  relatedParts: readonly StagedResult[];
  observationCounts: readonly number[];
}

export function oscalDocumentSegments(x: OscalInputs): Segment[] {
  const nonce = randomBytes(12).toString('hex');
  const slot = (name: string): string => `@@soclite-slot-${nonce}:${name}@@`;
  const slotFiles = new Map<string, StagedResult>();
  const useSlot = (name: string, file: StagedResult): string => {
    slotFiles.set(name, file);
    return slot(name);
  };

  const { scope, metadata } = x;
  const policyResource = uuidV5(`policy:${metadata.policyPack}:level-${scope.level}`);
  const docResources = new Map<string, Record<string, unknown>>();
  for (const a of x.attestations) {
    if (docResources.has(a.documentSha256)) continue;
    docResources.set(a.documentSha256, {
      uuid: uuidV5(`attested-document:${a.documentSha256}`),
      title: oscalString(a.documentTitle),
      rlinks: [{ href: `urn:sha256:${a.documentSha256}`, hashes: [{ algorithm: 'SHA-256', value: a.documentSha256 }] }],
    });
  }

  const scopeProps = [prop('security-level', scope.level), prop('policy-pack', metadata.policyPack)];
  if (scope.unit) scopeProps.push(prop('unit', scope.unit));
  if (scope.system) scopeProps.push(prop('information-system', scope.system));
  if (scope.from) scopeProps.push(prop('period-from', oscalTime(scope.from)));
  scopeProps.push(prop(scope.from ? 'period-to' : 'as-of', oscalTime(scope.to)));

  const findings = x.controls.map((c, i) =>
    findingElement(
      c,
      x.verdicts[i]!,
      x.tallies[i]!,
      x.attestations.filter((a) => a.controlId === c.id && attestationValidAt(a, scope.to)).length,
      x.observationCounts[i]! > 0 ? useSlot(`related-${i}`, x.relatedParts[i]!) : null,
    ),
  );

  const result: Record<string, unknown> = {
    uuid: uuidV5(`result:${x.bundleId}`),
    title: `Security level ${scope.level} — ${oscalString(metadata.organisation)}`,
    description:
      `Automated evaluation of the level ${scope.level} controls of ${oscalString(metadata.policyPack)} on every machine in scope` +
      ` (state at ${oscalTime(scope.to)}), with attestations for organisational controls.`,
    start: oscalTime(scope.from ?? scope.to),
    end: oscalTime(scope.to),
    props: scopeProps,
    'reviewed-controls': {
      'control-selections': [
        x.controls.length > 0
          ? { 'include-controls': x.controls.map((c) => ({ 'control-id': oscalToken(c.id) })) }
          : { 'include-all': {} },
      ],
    },
  };
  if (x.inventoryCount > 0) result['local-definitions'] = { 'inventory-items': useSlot('inventory', x.inventoryPart) };
  if (x.attestations.length > 0) {
    result.attestations = x.attestations.map((a) => ({
      parts: [
        {
          name: 'attestation',
          title: `${oscalString(a.controlId)}: ${oscalString(a.documentTitle)}`,
          prose:
            `Attested by ${oscalString(a.attestedBy)}; valid from ${oscalTime(a.validFrom)}` +
            `${a.validTo ? ` to ${oscalTime(a.validTo)}` : ', no expiry'}; document SHA-256 ${a.documentSha256}` +
            `${attestationValidAt(a, scope.to) ? '' : ' (not valid at the end of the period)'}.`,
          props: [prop('control-id', a.controlId), prop('document-sha256', a.documentSha256)],
        },
      ],
    }));
  }
  if (x.observationCount > 0) result.observations = useSlot('observations', x.observationsPart);
  if (findings.length > 0) result.findings = findings;

  const doc = {
    'assessment-results': {
      uuid: x.bundleId,
      metadata: {
        title: `Compliance evidence / Bằng chứng tuân thủ — level ${scope.level} — ${oscalString(metadata.organisation)}`,
        'last-modified': oscalTime(x.generatedAt),
        version: oscalTime(x.generatedAt),
        'oscal-version': OSCAL_VERSION,
        props: [prop('generator', x.generator)],
        parties: [{ uuid: uuidV5(`organisation:${metadata.organisation}`), type: 'organization', name: oscalString(metadata.organisation) }],
      },
      'import-ap': { href: `#${policyResource}` },
      results: [result],
      'back-matter': {
        resources: [
          {
            uuid: policyResource,
            title: `soclite policy pack ${oscalString(metadata.policyPack)}, security level ${scope.level}`,
            description: 'The assessment plan: every control of the level evaluated automatically on every machine in scope.',
          },
          ...docResources.values(),
        ],
      },
    },
  };

  // Slots serialise as `"@@...@@"` strings; each becomes `[`, the staged part, `]`.
  const text = JSON.stringify(doc);
  const pattern = new RegExp(`"@@soclite-slot-${nonce}:([a-z0-9-]+)@@"`, 'g');
  const out: Segment[] = [];
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    const part = slotFiles.get(m[1]!)!;
    out.push(Buffer.from(`${text.slice(last, m.index)}[`, 'utf8'), { path: part.path, bytes: part.bytes }, Buffer.from(']'));
    last = m.index! + m[0].length;
  }
  out.push(Buffer.from(text.slice(last), 'utf8'));
  return out;
}
