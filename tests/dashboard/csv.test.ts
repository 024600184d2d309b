// The agents CSV export: RFC 4180 framing and no spreadsheet formula from hostile endpoint strings.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { csvCell, toCsv } from '../../dashboard/src/csv.js';
import { parseCsv } from './csv-parse.js';

describe('dashboard CSV export', () => {
  it('quotes commas, quotes and line breaks, and neutralises formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell('=1+2')).toBe("'=1+2");
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('+cmd')).toBe("'+cmd");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell(null)).toBe('');
  });

  it('round-trips any table through a strict RFC 4180 reader, with no cell starting a formula', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ unit: 'grapheme', maxLength: 12 }), { minLength: 2, maxLength: 2 }), { maxLength: 8 }), (rows) => {
        const parsed = parseCsv(toCsv(['a', 'b'], rows));
        expect(parsed.length).toBe(rows.length + 1);
        parsed.slice(1).forEach((r, i) =>
          r.forEach((cell, j) => {
            const orig = rows[i]![j]!;
            expect(cell).toBe(/^[=+\-@\t\r]/.test(orig) ? "'" + orig : orig);
            expect(cell).not.toMatch(/^[=+\-@]/);
          }),
        );
      }),
    );
  });
});
