// Pure parser for `timedatectl show` (systemd >= 239; KEY=VALUE lines, language-neutral).
export interface TimeSyncState {
  ntpEnabled: boolean;
  synchronized: boolean;
  timezone?: string;
}

export function parseTimedatectlShow(text: string): TimeSyncState {
  const kv = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(line.trim());
    if (m) kv.set(m[1]!, m[2]!);
  }
  const ntp = kv.get('NTP');
  const sync = kv.get('NTPSynchronized');
  if (ntp === undefined || sync === undefined) throw new Error('not `timedatectl show` output: NTP= and NTPSynchronized= lines expected');
  const yes = (v: string) => {
    if (v !== 'yes' && v !== 'no') throw new Error(`timedatectl: expected yes|no, got ${JSON.stringify(v.slice(0, 20))}`);
    return v === 'yes';
  };
  const tz = kv.get('Timezone');
  return { ntpEnabled: yes(ntp), synchronized: yes(sync), ...(tz ? { timezone: tz } : {}) };
}
