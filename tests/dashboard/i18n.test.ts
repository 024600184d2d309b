// Every string of the dashboard exists in Vietnamese and English, and the pages use only keys that exist.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { en } from '../../dashboard/src/i18n/en.js';
import { vi } from '../../dashboard/src/i18n/vi.js';
import { REPO_ROOT } from '../helpers/cli.js';

const SRC = join(REPO_ROOT, 'dashboard', 'src');
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : /\.tsx?$/.test(f) ? [join(dir, f)] : []));
/** The product name is the same in every language. */
const BRAND = new Set(['soclite']);
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('dashboard translations', () => {
  it('have the same keys in vi and en, none empty, with the same placeholders', () => {
    expect(Object.keys(vi).sort()).toEqual(Object.keys(en).sort());
    for (const [k, v] of Object.entries(en)) {
      const other = (vi as Record<string, string>)[k]!;
      expect(v.trim(), `en.${k}`).not.toBe('');
      expect(other.trim(), `vi.${k}`).not.toBe('');
      expect(placeholders(other), `placeholders of ${k}`).toEqual(placeholders(v));
    }
  });

  it('are really translated: Vietnamese differs from English for sentences', () => {
    const same = Object.keys(en).filter((k) => (en as Record<string, string>)[k] === (vi as Record<string, string>)[k] && /[a-z]{4,} [a-z]{3,}/i.test((en as Record<string, string>)[k]!));
    expect(same).toEqual([]);
  });

  it('every t("key") in the source exists, and JSX holds no untranslated text', () => {
    const sources = files(SRC).filter((f) => !f.includes(`${join('src', 'i18n')}`));
    expect(sources.length).toBeGreaterThan(8);
    for (const f of sources) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/\bt\('([A-Za-z_]+)'/g)) expect(m[1]! in en, `${f}: unknown key ${m[1]}`).toBe(true);
      // Literal words between JSX tags (">Save<") would not change with the language.
      for (const m of text.matchAll(/(?<![=\-])>\s*([A-Za-zÀ-ỹ][^<>{}]*?)\s*</g)) {
        if (BRAND.has(m[1]!)) continue;
        expect(/^[A-Za-zÀ-ỹ]/.test(m[1]!) && !/[=;()]/.test(m[1]!), `${f}: literal text "${m[1]}" in JSX`).toBe(false);
      }
    }
  });

  it('dynamic keys used with td() cover every known state, status and severity', () => {
    for (const p of ['state_online', 'state_late', 'state_offline', 'state_missing', 'state_stopped', 'state_retired', 'status_pass', 'status_fail', 'status_unknown', 'status_not_applicable', 'sev_critical', 'sev_high', 'sev_medium', 'sev_low', 'alst_open', 'alst_acknowledged', 'alst_suppressed', 'alst_resolved', 'av_protected', 'av_unknown', 'event_malware_detected', 'role_admin', 'role_auditor']) {
      expect(p in en, p).toBe(true);
    }
  });
});
