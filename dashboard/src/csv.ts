// CSV as RFC 4180 describes it (CRLF line ends, fields with comma, quote, CR or LF quoted, quotes doubled),
// with spreadsheet formula injection neutralised: a cell that a spreadsheet would run as a formula (it starts
// with = + - @, tab or CR) gets a leading apostrophe, so hostile hostnames stay text when the file is opened.
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (FORMULA_START.test(s)) s = "'" + s;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
