import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CSV_BOM, csvCell, csvRow, isoUtc, neutraliseText } from '../../collector/evidence/csv.js';
import { parseCsv } from './csv-parse.js';

// What a spreadsheet would show for a cell we wrote: the neutralised text, control characters replaced.
const expectedCell = (s: string): string => neutraliseText(s);

describe('csv', () => {
  it('round-trips any rows of strings through a strict RFC 4180 reader', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 }), (rows) => {
        const text = rows.map((r) => csvRow(r)).join('');
        expect(parseCsv(text)).toEqual(rows.map((r) => r.map(expectedCell)));
      }),
    );
  });

  it('never lets a cell start with a formula trigger', () => {
    fc.assert(
      fc.property(fc.constantFrom('=', '+', '-', '@', '\t', '\r'), fc.string(), (start, rest) => {
        const [cell] = parseCsv(csvRow([start + rest]))[0]!;
        expect(cell!.startsWith("'")).toBe(true);
        expect(cell!.slice(1)).toBe(neutraliseText(start + rest).slice(1));
      }),
    );
  });

  it('leaves ordinary text alone and keeps Vietnamese as UTF-8', () => {
    expect(csvCell('Đáp ứng đầy đủ')).toBe('Đáp ứng đầy đủ');
    expect(Buffer.from(csvRow(['Chưa đáp ứng']), 'utf8').toString('hex')).toContain(Buffer.from('ư', 'utf8').toString('hex'));
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('x\ny')).toBe('"x\ny"');
    expect(csvCell('=1+2')).toBe("'=1+2");
    expect(csvCell('-5')).toBe("'-5");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('\rx')).toBe('"\'\rx"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(42)).toBe('42');
    expect(csvCell(-1)).toBe("'-1");
    expect(csvCell('a\u0000b\u001b')).toBe('a\uFFFDb\uFFFD');
    expect(CSV_BOM).toBe('\uFEFF');
  });

  it('writes times as ISO 8601 UTC to the second', () => {
    expect(csvCell(new Date('2025-04-10T16:30:00.123+07:00'))).toBe('2025-04-10T09:30:00Z');
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }), (d) => {
        expect(isoUtc(d)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
        expect(Math.abs(Date.parse(isoUtc(d)) - d.getTime())).toBeLessThan(1000);
      }),
    );
    expect(() => csvCell(new Date(Number.NaN))).toThrow(/invalid date/);
    expect(() => csvCell(Number.POSITIVE_INFINITY)).toThrow(/non-finite/);
  });

  it('ends every record with CRLF', () => {
    expect(csvRow(['a', 'b'])).toBe('a,b\r\n');
  });
});
