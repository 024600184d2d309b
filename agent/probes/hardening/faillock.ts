// Pure parser for account lockout on Linux: pam_faillock (or the older pam_tally2) in the PAM auth stack,
// with options on the PAM line or in /etc/security/faillock.conf ("deny = 5", "unlock_time = 900").
export interface FaillockPolicy {
  enabled: boolean;
  deny?: number;
  unlockTimeSec?: number;
  source: string;
}

export function parseFaillock(pamAuth: string, faillockConf?: string): FaillockPolicy {
  let module: string | undefined;
  const opts: Record<string, string> = {};
  let sawAuth = false;
  if (faillockConf !== undefined) {
    for (const raw of faillockConf.split('\n')) {
      const m = /^\s*([a-z_]+)\s*=\s*(\S+)\s*$/.exec(raw.replace(/#.*$/, ''));
      if (m) opts[m[1]!] = m[2]!;
    }
  }
  for (const raw of pamAuth.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim().replace(/\[[^\]]*\]/, 'control');
    if (!/^-?auth\s/.test(line)) continue;
    sawAuth = true;
    const f = line.split(/\s+/);
    if (/pam_faillock\.so$|pam_tally2\.so$/.test(f[2] ?? '')) {
      module = f[2]!.replace(/\.so$/, '');
      for (const tok of f.slice(3)) {
        const m = /^([a-z_]+)=(\S+)$/.exec(tok);
        if (m) opts[m[1]!] = m[2]!;
      }
    }
  }
  if (!sawAuth) throw new Error('not a PAM auth stack: no "auth ..." line');
  const num = (k: string) => (opts[k] && /^\d+$/.test(opts[k]!) ? Number(opts[k]) : undefined);
  const out: FaillockPolicy = { enabled: module !== undefined, source: module ? `PAM ${module}` : 'PAM auth stack (no pam_faillock/pam_tally2)' };
  if (module) {
    const deny = num('deny');
    if (deny !== undefined) out.deny = deny;
    const unlock = num('unlock_time');
    if (unlock !== undefined) out.unlockTimeSec = unlock;
  }
  return out;
}
