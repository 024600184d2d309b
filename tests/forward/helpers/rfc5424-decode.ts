// A strict RFC 5424 / RFC 6587 reader for tests, written from the ABNF: octet-counted frames, header fields,
// STRUCTURED-DATA with the three PARAM-VALUE escapes, optional BOM before MSG. Works on bytes.

export interface DecodedSyslog {
  pri: number;
  version: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  sd: Array<{ id: string; params: Array<[string, string]> }>;
  bom: boolean;
  msg: string;
}

/** Split a stream of octet-counted frames; throws unless the stream is exactly whole frames. */
export function splitFrames(stream: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  while (i < stream.length) {
    const sp = stream.indexOf(0x20, i);
    const len = stream.subarray(i, sp).toString('ascii');
    if (!/^[1-9][0-9]*$/.test(len)) throw new Error(`bad MSG-LEN ${JSON.stringify(len)}`);
    const end = sp + 1 + Number(len);
    if (end > stream.length) throw new Error('frame longer than the stream');
    out.push(stream.subarray(sp + 1, end));
    i = end;
  }
  return out;
}

export function decodeSyslog(bytes: Buffer): DecodedSyslog {
  const s = bytes.toString('utf8');
  if (Buffer.byteLength(s) !== bytes.length) throw new Error('not valid UTF-8');
  const m = /^<(\d{1,3})>(\d) (\S+) ([\x21-\x7e]{1,255}) ([\x21-\x7e]{1,48}) ([\x21-\x7e]{1,128}) ([\x21-\x7e]{1,32}) /.exec(s);
  if (!m) throw new Error(`bad header: ${JSON.stringify(s.slice(0, 120))}`);
  let i = m[0].length;
  const sd: DecodedSyslog['sd'] = [];
  if (s[i] === '-') i++;
  else {
    while (s[i] === '[') {
      i++;
      const idm = /^[^\s=\]"]{1,32}/.exec(s.slice(i));
      if (!idm) throw new Error('bad SD-ID');
      i += idm[0].length;
      const params: Array<[string, string]> = [];
      while (s[i] === ' ') {
        i++;
        const nm = /^([^\s=\]"]{1,32})="/.exec(s.slice(i));
        if (!nm) throw new Error('bad PARAM-NAME');
        i += nm[0].length;
        let v = '';
        for (;;) {
          const c = s[i];
          if (c === undefined) throw new Error('unterminated PARAM-VALUE');
          if (c === '\\' && (s[i + 1] === '"' || s[i + 1] === '\\' || s[i + 1] === ']')) {
            v += s[i + 1];
            i += 2;
          } else if (c === '"') {
            i++;
            break;
          } else if (c === ']') throw new Error('unescaped ] in PARAM-VALUE');
          else {
            v += c;
            i++;
          }
        }
        params.push([nm[1]!, v]);
      }
      if (s[i] !== ']') throw new Error('SD-ELEMENT not closed');
      i++;
      sd.push({ id: idm[0], params });
    }
    if (sd.length === 0) throw new Error('missing STRUCTURED-DATA');
  }
  let msg = '';
  let bom = false;
  if (i < s.length) {
    if (s[i] !== ' ') throw new Error('no SP before MSG');
    msg = s.slice(i + 1);
    if (msg.startsWith('\ufeff')) {
      bom = true;
      msg = msg.slice(1);
    }
  }
  return { pri: Number(m[1]), version: Number(m[2]), timestamp: m[3]!, hostname: m[4]!, appName: m[5]!, procId: m[6]!, msgId: m[7]!, sd, bom, msg };
}
