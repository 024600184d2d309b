// The regex guard: patterns that can backtrack catastrophically on hostile endpoint strings are refused.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPatternSafety } from '../../collector/policy/index.js';

describe('checkPatternSafety', () => {
  it.each(['^sshd$', '(?<name>ab)c', 'anydesk|teamviewer', '^(svchost|system)\\.exe$', '^[a-z0-9._-]{1,64}$', 'a+b*c?', '(?:ab)+', '\\d{1,5}', '[(+*]+'])(
    'accepts %s',
    (p) => expect(checkPatternSafety(p)).toBeUndefined(),
  );

  it.each([
    ['(a+)+$', /nested quantifier/],
    ['(a*)*b', /nested quantifier/],
    ['(a|aa)*', /nested quantifier/],
    ['((a|b)c)+', /nested quantifier/],
    ['(\\w+\\s?)*$', /nested quantifier/],
    ['(a{1,3}){2,}', /nested quantifier/],
    ['(a)\\1', /backreferences/],
    ['(?=a)b', /lookaround/],
    ['(?<!a)b', /lookaround/],
    ['x'.repeat(201), /longer than 200/],
    ['(', /invalid regular expression/],
    ['', /empty/],
  ])('refuses %s', (p, why) => expect(checkPatternSafety(p)).toMatch(why));

  it('refuses flags other than i, m, s, u', () => {
    expect(checkPatternSafety('a', 'g')).toMatch(/flags/);
    expect(checkPatternSafety('a', 'y')).toMatch(/flags/);
  });

  it('never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60 }), (p) => {
      const r = checkPatternSafety(p);
      expect(r === undefined || typeof r === 'string').toBe(true);
    }));
  });
});
