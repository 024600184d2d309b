// Pure parser for /var/log/dpkg.log: the time of the last package install or upgrade. Lines look like
// "2026-11-20 10:31:02 upgrade openssl:amd64 3.0.15-1~deb12u1 3.0.17-1~deb12u2". The log has no zone: it is
// local time, which the caller supplies as an offset.
export function lastDpkgInstall(text: string, utcOffsetMinutes = 0): string | undefined {
  let last: string | undefined;
  for (const line of text.split('\n')) {
    const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) (install|upgrade) /.exec(line);
    if (m) last = `${m[1]}T${m[2]}`;
  }
  if (!last) return undefined;
  const asUtc = Date.parse(`${last}Z`);
  return new Date(asUtc - utcOffsetMinutes * 60_000).toISOString();
}
