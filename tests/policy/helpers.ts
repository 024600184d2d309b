// Shared test helpers: the repo root, the fixture postures and attestation sets, a loaded shipped policy set.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPolicySet, type Attestation, type PolicySet } from '../../collector/policy/index.js';
import type { Posture } from '../../protocol/posture.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const policiesDir = path.join(repoRoot, 'policies');
export const fixturesDir = path.join(repoRoot, 'tests/fixtures/postures');

type Manifest = {
  now: string;
  postures: { file: string; expect: 'compliant' | 'weak' | 'partial' }[];
  attestations: Record<'valid' | 'expired', string>;
};

export const manifest = JSON.parse(readFileSync(path.join(fixturesDir, 'manifest.json'), 'utf8')) as Manifest;
export const fixtureNow = new Date(manifest.now);

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(path.isAbsolute(file) ? file : path.join(fixturesDir, file), 'utf8')) as T;
}

export const posture = (file: string) => readJson<Posture>(file);
export const attestationSets: Record<'none' | 'valid' | 'expired', Attestation[]> = {
  none: [],
  valid: readJson<Attestation[]>(manifest.attestations.valid),
  expired: readJson<Attestation[]>(manifest.attestations.expired),
};

let shipped: PolicySet | undefined;
export function shippedSet(): PolicySet {
  return (shipped ??= loadPolicySet(policiesDir));
}
