// Pure parser for `apt-config dump`: are unattended upgrades switched on? APT::Periodic::Unattended-Upgrade
// "1" (or any positive number of days) turns them on; absent or "0" is off.
export function unattendedUpgradesEnabled(dump: string): boolean {
  const m = /^APT::Periodic::Unattended-Upgrade\s+"([^"]*)";\s*$/m.exec(dump);
  if (!m) return false;
  const n = Number(m[1]);
  return Number.isFinite(n) ? n > 0 : m[1] === 'always';
}
