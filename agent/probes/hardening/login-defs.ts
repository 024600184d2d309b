// Pure parser for /etc/login.defs: password ageing and length defaults for new accounts. Only the keys a
// policy checks are returned; a key that is absent stays absent (the shadow default is not guessed).
export interface LoginDefs {
  passMaxDays?: number;
  passMinDays?: number;
  passWarnAge?: number;
  passMinLen?: number;
  encryptMethod?: string;
  umask?: string;
}

export function parseLoginDefs(text: string): LoginDefs {
  const out: LoginDefs = {};
  let keys = 0;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    const m = /^([A-Z][A-Z0-9_]*)\s+(\S+)/.exec(line);
    if (!m) continue;
    keys++;
    const [, k, v] = m;
    const num = () => {
      if (!/^-?\d+$/.test(v!)) throw new Error(`login.defs: ${k} is not a number: ${JSON.stringify(v)}`);
      return Number(v);
    };
    if (k === 'PASS_MAX_DAYS') out.passMaxDays = num();
    else if (k === 'PASS_MIN_DAYS') out.passMinDays = num();
    else if (k === 'PASS_WARN_AGE') out.passWarnAge = num();
    else if (k === 'PASS_MIN_LEN') out.passMinLen = num();
    else if (k === 'ENCRYPT_METHOD') out.encryptMethod = v!;
    else if (k === 'UMASK') out.umask = v!;
  }
  if (keys === 0) throw new Error('not a login.defs file: no "KEY value" lines');
  return out;
}
