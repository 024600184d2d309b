// A control explained for people: what it requires at each level (parameters filled in, with where each
// number comes from), why, and how to fix it. Used by `soclite policy explain` and the dashboard.
import type { Localized, PolicySet, Reference } from './types.js';

export type ControlExplanation = {
  id: string;
  pack: string;
  family: string;
  title: Localized;
  rationale: Localized;
  remediation: Localized;
  severity: string;
  platforms: string[];
  roles?: string[];
  levels: string[];
  references: (Reference & { documentTitle?: Localized })[];
  expectedByLevel: Record<string, string>;
  parameters: { name: string; title: Localized; unit?: string; values: Record<string, unknown>; sources: Reference[]; orgDefault: boolean; note?: string; overridden: boolean }[];
  defined: string;
};

export function explainControl(set: PolicySet, id: string): ControlExplanation | undefined {
  const c = set.byId[id];
  if (!c) return undefined;
  const pack = set.packs[c.pack];
  const text = JSON.stringify(c.check ?? c.attestation ?? {});
  const used = Object.values(pack?.parameters ?? {}).filter((p) => text.includes(`"param":"${p.name}"`));
  return {
    id: c.id,
    pack: c.pack,
    family: c.family,
    title: c.title,
    rationale: c.rationale,
    remediation: c.remediation,
    severity: c.severity,
    platforms: c.platforms,
    roles: c.roles,
    levels: c.levels,
    references: c.references.map((r) => ({ ...r, documentTitle: pack?.documents[r.document]?.title })),
    expectedByLevel: Object.fromEntries(Object.entries(c.byTier).map(([t, k]) => [t, k.expected])),
    parameters: used.map((p) => ({
      name: p.name,
      title: p.title,
      unit: p.unit,
      values: Object.fromEntries(c.levels.map((t) => [t, p.values[t]])),
      sources: p.sources,
      orgDefault: p.orgDefault,
      note: p.note,
      overridden: p.overridden,
    })),
    defined: `${c.file}:${c.line}`,
  };
}

/** Plain-text rendering, Vietnamese first then English, for terminals. */
export function formatExplanation(e: ControlExplanation, set: PolicySet): string {
  const tierTitle = (t: string) => set.packs[e.pack]?.tiers.find((x) => x.id === t)?.title;
  const lines = [
    `${e.id}  [${e.pack} / ${e.family}]  severity: ${e.severity}`,
    `  vi: ${e.title.vi}`,
    `  en: ${e.title.en}`,
    `platforms: ${e.platforms.join(', ')}${e.roles ? `  roles: ${e.roles.join(', ')}` : ''}`,
    '',
    'Lý do / Rationale:',
    `  vi: ${e.rationale.vi}`,
    `  en: ${e.rationale.en}`,
    '',
    'Yêu cầu theo cấp độ / Expected by level:',
    ...Object.entries(e.expectedByLevel).map(([t, x]) => `  ${tierTitle(t)?.en ?? t}: ${x}`),
  ];
  if (e.parameters.length) {
    lines.push('', 'Tham số / Parameters:');
    for (const p of e.parameters) {
      const src = p.orgDefault ? 'organisation default (no number in the source documents)' : p.sources.map((s) => `${s.document} ${s.clause}`).join('; ');
      const vals = Object.entries(p.values).map(([t, v]) => `${t}=${String(v)}`).join(' ');
      lines.push(`  ${p.name}${p.unit ? ` (${p.unit})` : ''}: ${vals}${p.overridden ? '  [overridden]' : ''}`, `    ${p.title.en}; source: ${src}`);
      if (p.note) lines.push(`    note: ${p.note}`);
    }
  }
  lines.push(
    '',
    'Khắc phục / Remediation:',
    `  vi: ${e.remediation.vi}`,
    `  en: ${e.remediation.en}`,
    '',
    'Căn cứ / References:',
    ...e.references.map((r) => `  ${r.document}${r.documentTitle ? ` (${r.documentTitle.en})` : ''}: ${r.clause}${r.ig ? ` [${r.ig}]` : ''}`),
    '',
    `defined at ${e.defined}`,
  );
  return lines.join('\n');
}
