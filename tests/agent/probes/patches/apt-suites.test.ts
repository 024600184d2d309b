// apt list --upgradable with one or several suites per package: a package is a security update exactly when
// one of its suites contains "-security", whatever the order, count or distribution names (property).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAptUpgradable } from '../../../../agent/probes/patches/apt.js';

const word = fc.stringMatching(/^[a-z][a-z0-9]{1,9}$/);
const suite = fc.oneof(
  word,
  word.map((w) => `${w}-security`),
  word.map((w) => `${w}-updates`),
  word.map((w) => `${w}-backports`),
  fc.constantFrom('now', 'stable', 'oldstable-security', 'jammy-security', 'bookworm-security', 'noble-updates'),
);
const pkg = fc.record({
  name: fc.stringMatching(/^[a-z0-9][a-z0-9+.-]{0,30}$/),
  suites: fc.array(suite, { minLength: 1, maxLength: 4 }),
  version: fc.stringMatching(/^[0-9][0-9a-z.+~:-]{0,20}$/),
  arch: fc.constantFrom('amd64', 'arm64', 'all', 'i386'),
  from: fc.option(fc.stringMatching(/^[0-9][0-9a-z.+~:-]{0,20}$/), { nil: undefined }),
});

describe('apt list --upgradable suites', () => {
  it('counts a package as security iff one of its suites contains -security (property)', () => {
    fc.assert(
      fc.property(fc.array(pkg, { maxLength: 30 }), (pkgs) => {
        const text = ['Listing...', ...pkgs.map((p) => `${p.name}/${p.suites.join(',')} ${p.version} ${p.arch}${p.from ? ` [upgradable from: ${p.from}]` : ''}`)].join('\n') + '\n';
        const r = parseAptUpgradable(text);
        expect(r.total).toBe(pkgs.length);
        const expected = pkgs.filter((p) => p.suites.some((s) => s.includes('-security'))).length;
        expect(r.security).toBe(expected);
        r.packages.forEach((got, i) => {
          expect(got.name).toBe(pkgs[i]!.name);
          expect(got.suites).toEqual(pkgs[i]!.suites);
          expect(got.version).toBe(pkgs[i]!.version);
          expect(got.from).toBe(pkgs[i]!.from);
        });
      }),
    );
  });

  it('reads the Ubuntu form with two suites', () => {
    const r = parseAptUpgradable('Listing... Done\nlibssl3/jammy-updates,jammy-security 3.0.2-0ubuntu1.18 amd64 [upgradable from: 3.0.2-0ubuntu1.15]\nsnapd/jammy-updates 2.63+22.04 amd64 [upgradable from: 2.61.3+22.04]\n');
    expect(r).toMatchObject({ total: 2, security: 1 });
    expect(r.packages[0]).toMatchObject({ name: 'libssl3', suites: ['jammy-updates', 'jammy-security'], security: true, from: '3.0.2-0ubuntu1.15' });
  });

  it('refuses a line that is not a package entry, saying which', () => {
    expect(() => parseAptUpgradable('Listing...\nE: Could not open lock file\n')).toThrow(/line 2/);
  });
});
