// Builds small throw-away packs in a temp dir so language features can be tested one at a time.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const TEST_PACK = `pack: t
title: { vi: "Gói thử", en: "Test pack" }
framework: { vi: "Thử", en: "Test" }
documents:
  - { id: DOC, title: { vi: "Tài liệu", en: "Document" } }
tiers:
  - { id: 1, title: { vi: "Cấp độ 1", en: "Level 1" }, securityLevels: [1, 2] }
  - { id: 3, title: { vi: "Cấp độ 3", en: "Level 3" }, securityLevels: [3, 4, 5] }
parameters:
  maxLock:
    type: integer
    title: { vi: "Khóa", en: "Lock" }
    byLevel: { 1: 900, 3: 300 }
    sources: [{ document: DOC, clause: "1.2" }]
  maxAge:
    type: integer
    title: { vi: "Tuổi", en: "Age" }
    default: 30
    orgDefault: true
`;

/** One control with the given check (YAML, indented as a block under "check:"), levels 1 and 3. */
export function controlYaml(id: string, check: string, extra = ''): string {
  return `  - id: ${id}
    title: { vi: "Tiêu đề", en: "Title" }
    rationale: { vi: "Lý do", en: "Why" }
    remediation: { vi: "Khắc phục", en: "Fix" }
    severity: medium
    platforms: [windows, linux]
    levels: [1, 3]
    references: [{ document: DOC, clause: "1.1" }]
${extra}    check:
${check
  .trim()
  .split('\n')
  .map((l) => `      ${l}`)
  .join('\n')}
`;
}

export function writePack(controls: string, pack = TEST_PACK): string {
  const root = mkdtempSync(path.join(tmpdir(), 'soclite-policy-'));
  const dir = path.join(root, 't');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'pack.yaml'), pack);
  writeFileSync(path.join(dir, 'family.yaml'), `family: f\ntitle: { vi: "Nhóm", en: "Family" }\ncontrols:\n${controls}`);
  return root;
}
