// A strict, single-pass CEF decoder written from the spec (not from our encoder), used to prove round trips
// of every character: header '\|' '\\'; extension '\\' '\=' '\n' '\r'; any other escape is an error.

export interface DecodedCef {
  version: string;
  header: string[]; // vendor, product, version, signatureId, name, severity
  extension: Map<string, string>;
}

export function decodeCef(line: string): DecodedCef {
  if (!line.startsWith('CEF:')) throw new Error('no CEF: prefix');
  let i = 4;
  const fields: string[] = [];
  let cur = '';
  while (fields.length < 7) {
    const c = line[i];
    if (c === undefined) throw new Error(`header ended after ${fields.length} fields`);
    if (c === '\\') {
      const n = line[i + 1];
      if (n !== '\\' && n !== '|') throw new Error(`bad header escape \\${n}`);
      cur += n;
      i += 2;
    } else if (c === '|') {
      fields.push(cur);
      cur = '';
      i++;
    } else {
      if (c === '\n' || c === '\r') throw new Error('raw line break in header');
      cur += c;
      i++;
    }
  }
  const ext = new Map<string, string>();
  const rest = line.slice(i);
  // key=value pairs separated by a single space; a new pair starts at ' key=' where '=' is unescaped.
  let pos = 0;
  while (pos < rest.length) {
    const eq = rest.indexOf('=', pos);
    if (eq < 0) throw new Error(`extension text without key at ${pos}`);
    const key = rest.slice(pos, eq);
    if (!/^[A-Za-z0-9]+$/.test(key)) throw new Error(`bad extension key ${JSON.stringify(key)}`);
    let value = '';
    let j = eq + 1;
    for (;;) {
      if (j >= rest.length) break;
      const c = rest[j]!;
      if (c === '\\') {
        const n = rest[j + 1];
        if (n === '\\' || n === '=') value += n;
        else if (n === 'n') value += '\n';
        else if (n === 'r') value += '\r';
        else throw new Error(`bad extension escape \\${n}`);
        j += 2;
        continue;
      }
      if (c === '=') throw new Error(`unescaped '=' in value of ${key}`);
      if (c === '\n' || c === '\r') throw new Error('raw line break in extension');
      if (c === ' ' && /^ [A-Za-z0-9]+=/.test(rest.slice(j))) break;
      value += c;
      j++;
    }
    if (ext.has(key)) throw new Error(`duplicate key ${key}`);
    ext.set(key, value);
    pos = j + 1;
  }
  return { version: fields[0]!, header: fields.slice(1), extension: ext };
}
