// Pure parser for `cryptsetup status <name>` (Kolide ee/tables/cryptsetup reads the same): whether a
// dm-crypt mapping is active and how it is encrypted.
export interface CryptsetupStatus {
  name?: string;
  active: boolean;
  inUse?: boolean;
  type?: string;
  cipher?: string;
  keysize?: string;
  device?: string;
}

export function parseCryptsetupStatus(text: string): CryptsetupStatus {
  const first = /^(\/dev\/mapper\/\S+|\S+) is (active|inactive)(?: and is (in use))?\.?/m.exec(text);
  if (!first) throw new Error('not cryptsetup status output: no "<device> is active|inactive" line');
  const out: CryptsetupStatus = { name: first[1]!, active: first[2] === 'active' };
  if (first[3]) out.inUse = true;
  for (const line of text.split('\n')) {
    const m = /^\s+(type|cipher|keysize|device):\s*(.*)$/.exec(line);
    if (m) out[m[1] as 'type' | 'cipher' | 'keysize' | 'device'] = m[2]!.trim();
  }
  return out;
}
