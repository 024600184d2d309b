// A strict RFC 4180 reader for tests: records end with CRLF, quoted fields may hold commas, quotes ("") and
// line breaks. Anything else (a bare quote inside an unquoted field, text after a closing quote) is an error,
// so the writer cannot pass by being read leniently.
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  const n = text.length;
  if (n === 0) return rows;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= n) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            i++;
            break;
          }
        } else field += text[i++];
      }
    } else {
      while (i < n && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') throw new Error(`bare quote at ${i}`);
        field += text[i++];
      }
    }
    row.push(field);
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text.startsWith('\r\n', i)) {
      i += 2;
      rows.push(row);
      row = [];
      if (i === n) return rows;
      continue;
    }
    throw new Error(`expected , or CRLF at ${i}, got ${JSON.stringify(text.slice(i, i + 5))}`);
  }
}
