// Pure parser for macOS `fdesetup status`: FileVault on/off, and whether encryption is still in progress.
export interface FileVaultStatus {
  enabled: boolean;
  inProgress?: 'encrypting' | 'decrypting';
  percent?: number;
  deferred?: boolean;
}

export function parseFdesetupStatus(text: string): FileVaultStatus {
  const m = /FileVault is (On|Off)/.exec(text);
  if (!m) throw new Error('not fdesetup status output: no "FileVault is On|Off" line');
  const out: FileVaultStatus = { enabled: m[1] === 'On' };
  const p = /(Encryption|Decryption) in progress: Percent completed = ([\d.]+)/.exec(text);
  if (p) {
    out.inProgress = p[1] === 'Encryption' ? 'encrypting' : 'decrypting';
    out.percent = Number(p[2]);
  }
  if (/Deferred enablement/i.test(text)) out.deferred = true;
  return out;
}
