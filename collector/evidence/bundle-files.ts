// The files of an evidence bundle, in the order they are zipped. The signed SHA256SUMS lists every file but
// itself and its signature; verification treats any other name in a bundle as an unexpected extra.
import type { Localized } from './source.js';

export const SUMS_FILE = 'SHA256SUMS';
export const SIGNATURE_FILE = 'SHA256SUMS.sig';
export const PUBLIC_KEY_FILE = 'public-key.pem';
export const MANIFEST_FILE = 'manifest.json';
export const README_FILE = 'README.txt';

export const BUNDLE_FILES: Record<string, Localized & { mediaType: string }> = {
  'assessment-results.json': {
    vi: 'Kết quả đánh giá theo chuẩn NIST OSCAL 1.1.2',
    en: 'NIST OSCAL 1.1.2 assessment results',
    mediaType: 'application/json',
  },
  'controls.csv': { vi: 'Mỗi yêu cầu của cấp độ: mức đáp ứng, số máy đạt/không đạt', en: 'One row per control: verdict, machine counts', mediaType: 'text/csv' },
  'findings.csv': { vi: 'Máy × yêu cầu: trạng thái, giá trị quan sát, từ khi nào', en: 'Machine x control: status, observed value, since when', mediaType: 'text/csv' },
  'machines.csv': { vi: 'Các máy trong phạm vi', en: 'Machines in scope', mediaType: 'text/csv' },
  'history.csv': { vi: 'Mọi thay đổi trạng thái trong thời kỳ', en: 'Every status transition in the period', mediaType: 'text/csv' },
  'attestations.csv': { vi: 'Chứng thực và mã băm tài liệu', en: 'Attestations and document hashes', mediaType: 'text/csv' },
  'report.html': { vi: 'Báo cáo (HTML)', en: 'Report (HTML)', mediaType: 'text/html' },
  'report.pdf': { vi: 'Báo cáo (PDF)', en: 'Report (PDF)', mediaType: 'application/pdf' },
  [PUBLIC_KEY_FILE]: { vi: 'Khóa công khai Ed25519 của máy chủ thu thập', en: "The collector's Ed25519 public key", mediaType: 'application/x-pem-file' },
  [README_FILE]: { vi: 'Tệp này', en: 'This file', mediaType: 'text/plain' },
  [MANIFEST_FILE]: { vi: 'Danh mục tệp, phạm vi, phiên bản công cụ', en: 'File list, scope, generator version', mediaType: 'application/json' },
  [SUMS_FILE]: { vi: 'Mã băm SHA-256 của các tệp trên', en: 'SHA-256 of the files above', mediaType: 'text/plain' },
  [SIGNATURE_FILE]: { vi: 'Chữ ký Ed25519 (thô) của SHA256SUMS', en: 'Raw Ed25519 signature of SHA256SUMS', mediaType: 'application/octet-stream' },
};

/** Files whose hashes SHA256SUMS must list. */
export const HASHED_FILES = Object.keys(BUNDLE_FILES).filter((n) => n !== SUMS_FILE && n !== SIGNATURE_FILE);

export interface ManifestFile {
  path: string;
  bytes: number;
  sha256: string;
  mediaType: string;
}

/** coreutils format: "<hex>  <name>\n" (two spaces = text mode), which `sha256sum -c` reads. */
export function formatSums(files: readonly { path: string; sha256: string }[]): string {
  return files.map((f) => `${f.sha256}  ${f.path}\n`).join('');
}

export class SumsFormatError extends Error {}

export function parseSums(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((line, i) => {
    const m = /^([0-9a-f]{64}) [ *]([^\r\n]+)$/.exec(line);
    if (!m) throw new SumsFormatError(`${SUMS_FILE} line ${i + 1} is not "<sha256>  <file>"`);
    if (out.has(m[2]!)) throw new SumsFormatError(`${SUMS_FILE} lists ${m[2]} twice`);
    out.set(m[2]!, m[1]!);
  });
  return out;
}
