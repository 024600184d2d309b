// Pure parser for `apt-config dump`: are unattended upgrades switched on? APT::Periodic::Unattended-Upgrade
// "1" (or any positive number of days) turns them on; absent or "0" is off.
export function unattendedUpgradesEnabled(dump: string): boolean {
  const lines = dump.split('\n').filter((l) => l.trim());
  if (!lines.length || lines.some((l) => !/^[A-Za-z0-9:_.+-]+(::)?\s*("[^"]*"|\{|\});?\s*$|^[A-Za-z0-9:_.+-]+ "[^"]*";$/.test(l.trim()))) {
    throw new Error('not `apt-config dump` output: every line must be `Key "value";`');
  }
  const m = /^APT::Periodic::Unattended-Upgrade\s+"([^"]*)";\s*$/m.exec(dump);
  if (!m) return false;
  const n = Number(m[1]);
  return Number.isFinite(n) ? n > 0 : m[1] === 'always';
}
