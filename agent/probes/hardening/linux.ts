// Linux hardening source: disk encryption (lsblk), time sync (timedatectl), password policy (login.defs, PAM,
// pwquality.conf), lockout (pam_faillock), audit logging (auditd), USB storage (modprobe.d), SSH server
// (sshd_config), local admins (/etc/group, /etc/passwd), and whether this is a desktop (screen lock applies)
// or a server (it does not). Each fact it cannot read is listed in probeErrors with the reason.
import type { HardeningSection, HostSection } from '../../../protocol/posture.js';
import type { HostAccess } from '../host-access.js';
import type { ProcessSnapshot } from '../linux-processes.js';
import type { ProbeErrors } from '../probe-errors.js';
import { parseLsblk } from './lsblk.js';
import { parseTimedatectlShow } from './timedatectl.js';
import { parseLoginDefs } from './login-defs.js';
import { applyQuality, parsePamPassword, parsePwqualityConf } from './pam-password.js';
import { parseModprobeConf } from './modprobe.js';
import { parseSshdConfig } from './sshd-config.js';
import { parseLocalAdmins } from './group-admins.js';
import { parseFaillock } from './faillock.js';
import { parseCryptsetupStatus } from './cryptsetup-status.js';

async function fact<T>(errors: ProbeErrors, name: string, fn: () => Promise<T | undefined>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    errors.add(`hardening.${name}`, err);
    return undefined;
  }
}

const enoent = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

async function readOptional(host: HostAccess, p: string): Promise<string | undefined> {
  try {
    return await host.readFile(p, { maxBytes: 1024 * 1024 });
  } catch (err) {
    if (enoent(err)) return undefined;
    throw err;
  }
}

const DISPLAY_MANAGERS = ['/usr/sbin/gdm3', '/usr/sbin/gdm', '/usr/sbin/lightdm', '/usr/bin/sddm', '/usr/sbin/sddm', '/usr/bin/greetd'];

export interface LinuxHardening {
  hardening: HardeningSection;
  role?: HostSection['role'];
}

export async function readLinuxHardening(host: HostAccess, errors: ProbeErrors, procs?: ProcessSnapshot): Promise<LinuxHardening> {
  const h: HardeningSection = {};
  const running = (names: string[]) => procs?.processes.some((p) => names.includes(p.comm)) ?? false;

  const disk = await fact(errors, 'diskEncryption', async () => {
    const r = await host.exec('lsblk', ['-J', '-o', 'NAME,TYPE,FSTYPE,MOUNTPOINT'], { timeoutMs: 5000 });
    if (r.code !== 0) throw new Error(`lsblk exited ${r.code}: ${r.stderr.trim().slice(0, 200)}`);
    const mounts = parseLsblk(r.stdout);
    const root = mounts.find((m) => m.mount === '/');
    if (!root) throw new Error('lsblk shows no block device mounted on / (container or network root): encryption not observable');
    // cryptsetup (root) names the exact scheme and cipher, e.g. "LUKS2 aes-xts-plain64"; lsblk's LUKS/dm-crypt
    // stays when it cannot be asked.
    const methods = new Map<string, string>();
    let source = 'lsblk -J -o NAME,TYPE,FSTYPE,MOUNTPOINT';
    for (const dev of [...new Set(mounts.map((m) => m.cryptDevice).filter((d): d is string => !!d))].slice(0, 16)) {
      try {
        const s = await host.exec('cryptsetup', ['status', dev], { timeoutMs: 5000 });
        if (s.code !== 0) continue;
        const st = parseCryptsetupStatus(s.stdout);
        if (st.active) methods.set(dev, [st.type, st.cipher].filter(Boolean).join(' ').slice(0, 64));
        source = 'lsblk -J -o NAME,TYPE,FSTYPE,MOUNTPOINT, cryptsetup status';
      } catch {
        // cryptsetup absent or not permitted: the lsblk method is kept
      }
    }
    return {
      enabled: root.encrypted,
      volumes: mounts.slice(0, 64).map((m) => {
        const method = (m.cryptDevice && methods.get(m.cryptDevice)) || m.method;
        return { mount: m.mount.slice(0, 512), encrypted: m.encrypted, ...(method ? { method } : {}) };
      }),
      source,
    };
  });
  if (disk) h.diskEncryption = disk;

  const time = await fact(errors, 'timeSync', async () => {
    const r = await host.exec('timedatectl', ['show'], { timeoutMs: 5000 });
    if (r.code !== 0) {
      // Without systemd (containers, some minimal hosts) a running NTP daemon is the next best evidence.
      const daemon = ['chronyd', 'ntpd', 'systemd-timesyn', 'openntpd'].find((d) => running([d]));
      if (daemon) return { enabled: true, source: `/proc (${daemon} running)` };
      throw new Error(`timedatectl show exited ${r.code} and no NTP daemon runs: ${(r.stderr || r.stdout).trim().slice(0, 200)}`);
    }
    const t = parseTimedatectlShow(r.stdout);
    return { enabled: t.ntpEnabled, synchronized: t.synchronized, source: 'timedatectl show' };
  });
  if (time) h.timeSync = time;

  const pw = await fact(errors, 'passwordPolicy', async () => {
    const defs = await readOptional(host, '/etc/login.defs');
    const pamFile = (await host.exists('/etc/pam.d/common-password')) ? '/etc/pam.d/common-password' : '/etc/pam.d/system-auth';
    const pam = await readOptional(host, pamFile);
    if (defs === undefined && pam === undefined) throw new Error('neither /etc/login.defs nor a PAM password stack exists');
    const policy: NonNullable<HardeningSection['passwordPolicy']> = {};
    const sources: string[] = [];
    if (defs !== undefined) {
      const d = parseLoginDefs(defs);
      sources.push('/etc/login.defs');
      if (d.passMaxDays !== undefined && d.passMaxDays >= 0) policy.maxAgeDays = Math.min(d.passMaxDays, 100000);
      if (d.passMinLen !== undefined) policy.minLength = d.passMinLen;
    }
    if (pam !== undefined) {
      const p = parsePamPassword(pam);
      sources.push(pamFile);
      if (p.quality === 'pam_pwquality') {
        // pwquality.conf holds the defaults; options on the PAM line override them.
        const conf = await readOptional(host, '/etc/security/pwquality.conf');
        if (conf !== undefined) {
          sources.push('/etc/security/pwquality.conf');
          applyQuality(p, { ...parsePwqualityConf(conf), ...p.options });
        }
      }
      if (p.minLength !== undefined) policy.minLength = Math.max(policy.minLength ?? 0, p.minLength);
      if (p.quality) policy.complexity = (p.minClass ?? 0) >= 3 || p.requiredClasses.length >= 3;
      else policy.complexity = false;
      if (p.history !== undefined) policy.history = p.history;
    }
    policy.source = sources.join(', ').slice(0, 200);
    return policy;
  });
  if (pw) h.passwordPolicy = pw;

  const lockout = await fact(errors, 'lockout', async () => {
    const authFile = (await host.exists('/etc/pam.d/common-auth')) ? '/etc/pam.d/common-auth' : '/etc/pam.d/system-auth';
    const auth = await readOptional(host, authFile);
    if (auth === undefined) throw new Error(`${authFile} absent`);
    const conf = await readOptional(host, '/etc/security/faillock.conf');
    const f = parseFaillock(auth, conf);
    return { ...(f.enabled ? { threshold: f.deny ?? 3 } : { threshold: 0 }), ...(f.unlockTimeSec !== undefined ? { durationMin: Math.ceil(f.unlockTimeSec / 60) } : {}), source: f.source };
  });
  if (lockout) h.lockout = lockout;

  const audit = await fact(errors, 'auditLogging', async () => {
    if (!procs) throw new Error('process list unreadable');
    const installed = await host.exists('/sbin/auditd') || (await host.exists('/usr/sbin/auditd'));
    return { enabled: running(['auditd']), source: installed ? '/proc (auditd)' : '/proc (auditd), auditd not installed' };
  });
  if (audit) h.auditLogging = audit;

  const usb = await fact(errors, 'usbStorage', async () => {
    let files: string[] = [];
    for (const dir of ['/etc/modprobe.d', '/usr/lib/modprobe.d', '/lib/modprobe.d']) {
      try {
        files.push(...(await host.readDir(dir)).filter((f) => f.endsWith('.conf')).map((f) => `${dir}/${f}`));
      } catch (err) {
        if (!enoent(err)) throw err;
      }
    }
    files = files.slice(0, 200);
    let blacklisted = false;
    let disabled = false;
    for (const f of files) {
      const b = parseModprobeConf(await host.readFile(f, { maxBytes: 256 * 1024 }), 'usb-storage');
      blacklisted ||= b.blacklisted;
      disabled ||= b.installDisabled;
    }
    const usbguard = running(['usbguard-daemon']);
    return { blocked: disabled || blacklisted || usbguard, source: usbguard ? 'usbguard-daemon running' : 'modprobe.d (usb-storage install/blacklist)' };
  });
  if (usb) h.usbStorage = usb;

  const ssh = await fact(errors, 'remoteShell', async () => {
    const text = await readOptional(host, '/etc/ssh/sshd_config');
    const active = running(['sshd']);
    if (text === undefined) return { enabled: active, source: '/proc (sshd); /etc/ssh/sshd_config absent' };
    let s = parseSshdConfig(text);
    // Debian/Ubuntu put overrides in sshd_config.d/*.conf via Include; the first value read wins, and the
    // Include sits at the top, so included files take precedence over the main file.
    const merged: string[] = [];
    for (const inc of s.includes) {
      const dir = inc.replace(/\/\*\.conf$/, '');
      if (dir === inc) continue;
      try {
        for (const f of (await host.readDir(dir)).filter((x) => x.endsWith('.conf')).sort()) merged.push(await host.readFile(`${dir}/${f}`, { maxBytes: 256 * 1024 }));
      } catch (err) {
        if (!enoent(err)) throw err;
      }
    }
    if (merged.length) s = parseSshdConfig([...merged, text].join('\n'));
    return {
      enabled: active,
      // OpenSSH's compiled-in default since 7.0 is prohibit-password.
      permitRootLogin: s.permitRootLogin ?? 'prohibit-password',
      ...(s.passwordAuthentication !== undefined ? { passwordAuthentication: s.passwordAuthentication } : {}),
      source: '/etc/ssh/sshd_config',
    };
  });
  if (ssh) h.remoteShell = ssh;

  const admins = await fact(errors, 'localAdmins', async () => {
    const group = await host.readFile('/etc/group');
    const passwd = await readOptional(host, '/etc/passwd');
    const a = parseLocalAdmins(group, passwd);
    return { members: a.members.slice(0, 256).map((m) => m.slice(0, 256)), source: '/etc/group (sudo, wheel, admin), /etc/passwd (UID 0)' };
  });
  if (admins) h.localAdmins = admins;

  // Screen lock concerns machines where people sit at a desktop; a host without a display manager is a server.
  let role: HostSection['role'] | undefined;
  try {
    const dm = (await Promise.all(DISPLAY_MANAGERS.map((p) => host.exists(p)))).some(Boolean);
    role = dm ? 'workstation' : 'server';
    if (role === 'server') errors.add('hardening.screenLock', 'not applicable: no graphical display manager installed (host.role = server)');
    else errors.add('hardening.screenLock', 'desktop screen-lock settings are per user (gsettings in the user session) and are not read by the system agent');
  } catch (err) {
    errors.add('host.role', err);
  }
  return { hardening: h, ...(role ? { role } : {}) };
}
