// CSV for auditors. Decisions, so every file in a bundle is read the same way:
// - RFC 4180: fields separated by commas, records end with CRLF, a field containing a comma, quote, CR or LF is
//   wrapped in double quotes and inner quotes are doubled.
// - UTF-8 with a byte-order mark. Auditors open these files in Excel, which reads a BOM-less CSV in the
//   Windows ANSI code page and garbles Vietnamese diacritics. Scripts should read the files as "utf-8-sig"
//   (Python) or strip U+FEFF; the README in every bundle says so.
// - Times are ISO 8601 in UTC with second precision: 2024-06-30T23:59:59Z.
// - Formula injection: a text cell starting with = + - @ TAB or CR is prefixed with an apostrophe, so
//   spreadsheet software shows it as text instead of evaluating it (OWASP "CSV Injection"). Values come from
//   endpoints and are hostile.
// - Other C0 control characters (NUL, ESC...) are replaced by U+FFFD: they have no place in a report and
//   confuse terminals and parsers.

export const CSV_BOM = '\uFEFF';
export const CSV_EOL = '\r\n';

export type CsvValue = string | number | boolean | Date | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const BAD_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
const NEEDS_QUOTES = /[",\r\n]/;

const isoCache = new Map<number, string>();

export function isoUtc(d: Date): string {
  const ms = d.getTime();
  if (Number.isNaN(ms)) throw new Error('invalid date in CSV value');
  // Cached: a machine's results share their evaluation time, and toISOString shows up in profiles.
  const hit = isoCache.get(ms);
  if (hit !== undefined) return hit;
  const s = isoSeconds(d);
  if (isoCache.size >= 4096) isoCache.clear();
  isoCache.set(ms, s);
  return s;
}

function isoSeconds(d: Date): string {
  const iso = d.toISOString();
  // Years 0-9999 give "YYYY-MM-DDTHH:MM:SS.sssZ"; others (+/-YYYYYY) keep their extended form.
  return iso.length === 24 ? `${iso.slice(0, 19)}Z` : iso.replace(/\.\d{3}Z$/, 'Z');
}

/** Text as it should appear in the cell (before quoting): neutralised and stripped of control characters. */
export function neutraliseText(text: string): string {
  const clean = text.replace(BAD_CONTROL, '\uFFFD');
  return FORMULA_START.test(clean) ? `'${clean}` : clean;
}

export function csvCell(value: CsvValue): string {
  let text: string;
  if (value === null || value === undefined) text = '';
  else if (value instanceof Date) text = isoUtc(value);
  else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`non-finite number in CSV value: ${value}`);
    // Numbers are ours (counts, levels), never from an endpoint: a negative one is still neutralised.
    text = neutraliseText(String(value));
  } else if (typeof value === 'boolean') text = value ? 'true' : 'false';
  else text = neutraliseText(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(values: readonly CsvValue[]): string {
  return values.map(csvCell).join(',') + CSV_EOL;
}
