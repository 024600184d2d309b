// Pure parsers for the PAM password stack (/etc/pam.d/common-password on Debian/Ubuntu, system-auth on RHEL)
// and /etc/security/pwquality.conf. Length and complexity come from pam_pwquality/pam_cracklib options or
// pwquality.conf; history from pam_pwhistory remember= or pam_unix remember=; lockout from pam_faillock.
export interface PamPasswordPolicy {
  quality?: 'pam_pwquality' | 'pam_cracklib';
  minLength?: number;
  minClass?: number;
  /** credits < 0 force at least that many characters of a class */
  requiredClasses: string[];
  history?: number;
  options: Record<string, string>;
}

function optionsOf(line: string): Record<string, string> {
  const opts: Record<string, string> = {};
  for (const tok of line.split(/\s+/).slice(3)) {
    const m = /^([a-z_]+)(?:=(\S*))?$/.exec(tok);
    if (m) opts[m[1]!] = m[2] ?? 'true';
  }
  return opts;
}

export function parsePamPassword(text: string): PamPasswordPolicy {
  const out: PamPasswordPolicy = { requiredClasses: [], options: {} };
  let sawPassword = false;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!/^-?password\s/.test(line)) continue;
    sawPassword = true;
    const f = line.split(/\s+/);
    // "password [success=1 default=ignore] pam_unix.so ..." — the control may be a bracketed list.
    const joined = line.replace(/\[[^\]]*\]/, 'control');
    const module = joined.split(/\s+/)[2] ?? f[2] ?? '';
    const opts = optionsOf(joined);
    if (/pam_pwquality\.so$|pam_cracklib\.so$/.test(module)) {
      out.quality = module.includes('pwquality') ? 'pam_pwquality' : 'pam_cracklib';
      Object.assign(out.options, opts);
    }
    if (/pam_pwhistory\.so$|pam_unix\.so$/.test(module) && opts.remember && /^\d+$/.test(opts.remember)) {
      out.history = Math.max(out.history ?? 0, Number(opts.remember));
    }
  }
  if (!sawPassword) throw new Error('not a PAM password stack: no "password ..." line');
  applyQuality(out, out.options);
  return out;
}

/** pwquality.conf uses the same keys as the PAM module options ("minlen = 14"). */
export function parsePwqualityConf(text: string): Record<string, string> {
  const opts: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    const m = /^([a-z_]+)\s*=\s*(\S*)$/.exec(line);
    if (m) opts[m[1]!] = m[2]!;
    else if (/^[a-z_]+$/.test(line)) opts[line] = 'true';
    else if (line) throw new Error(`not a pwquality.conf line: ${JSON.stringify(line.slice(0, 60))}`);
  }
  return opts;
}

/** Module options override pwquality.conf, which is why the conf is applied first by the caller. */
export function applyQuality(p: PamPasswordPolicy, opts: Record<string, string>): void {
  const num = (k: string) => (opts[k] !== undefined && /^-?\d+$/.test(opts[k]!) ? Number(opts[k]) : undefined);
  const minlen = num('minlen');
  if (minlen !== undefined) p.minLength = minlen;
  const minclass = num('minclass');
  if (minclass !== undefined) p.minClass = minclass;
  for (const [k, cls] of [
    ['dcredit', 'digit'],
    ['ucredit', 'upper'],
    ['lcredit', 'lower'],
    ['ocredit', 'other'],
  ] as const) {
    const c = num(k);
    if (c !== undefined && c < 0 && !p.requiredClasses.includes(cls)) p.requiredClasses.push(cls);
  }
}
