// Pure parser for sshd_config (or `sshd -T` output, which prints the effective values in lower case).
// sshd uses the FIRST value it reads for most keywords, so later duplicates are ignored, as sshd does.
// Match blocks apply to some connections only: keywords inside them are not global and are skipped.
export interface SshdSettings {
  permitRootLogin?: string;
  passwordAuthentication?: boolean;
  pubkeyAuthentication?: boolean;
  permitEmptyPasswords?: boolean;
  x11Forwarding?: boolean;
  maxAuthTries?: number;
  port: number[];
  includes: string[];
}

const SSHD_KEYWORDS = ['permitrootlogin', 'passwordauthentication', 'pubkeyauthentication', 'usepam', 'subsystem', 'hostkey', 'listenaddress', 'x11forwarding', 'acceptenv', 'printmotd', 'kbdinteractiveauthentication', 'challengeresponseauthentication', 'maxauthtries', 'allowusers', 'allowgroups', 'protocol', 'syslogfacility', 'loglevel', 'permitemptypasswords'];

export function parseSshdConfig(text: string): SshdSettings {
  const seen = new Map<string, string>();
  const out: SshdSettings = { port: [], includes: [] };
  let inMatch = false;
  let lines = 0;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const m = /^([A-Za-z][A-Za-z0-9]*)(?:\s*=\s*|\s+)(.+)$/.exec(line);
    if (!m) throw new Error(`not an sshd_config line ("Keyword value"): ${JSON.stringify(line.slice(0, 60))}`);
    lines++;
    const key = m[1]!.toLowerCase();
    const value = m[2]!.trim();
    if (key === 'match') {
      inMatch = true;
      continue;
    }
    if (inMatch) continue;
    if (key === 'include') out.includes.push(...value.split(/\s+/));
    else if (key === 'port') out.port.push(Number(value));
    else if (!seen.has(key)) seen.set(key, value);
  }
  if (lines === 0) throw new Error('not an sshd_config: no "Keyword value" lines');
  if (!SSHD_KEYWORDS.some((k) => seen.has(k)) && !out.port.length && !out.includes.length) {
    throw new Error('not an sshd_config: none of the usual keywords (Port, PermitRootLogin, PasswordAuthentication, UsePAM, Subsystem, Include...)');
  }
  const yes = (k: string) => (seen.has(k) ? /^yes$/i.test(seen.get(k)!) : undefined);
  const set = <K extends keyof SshdSettings>(k: K, v: SshdSettings[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('permitRootLogin', seen.get('permitrootlogin')?.toLowerCase());
  set('passwordAuthentication', yes('passwordauthentication'));
  set('pubkeyAuthentication', yes('pubkeyauthentication'));
  set('permitEmptyPasswords', yes('permitemptypasswords'));
  set('x11Forwarding', yes('x11forwarding'));
  const mat = seen.get('maxauthtries');
  if (mat && /^\d+$/.test(mat)) out.maxAuthTries = Number(mat);
  return out;
}
