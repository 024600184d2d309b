// Pure parser for modprobe.d configuration: is the usb-storage module prevented from loading? Either
// "install usb-storage /bin/true|/bin/false" (the module cannot be loaded at all) or "blacklist usb-storage"
// (not auto-loaded on plug-in, the CIS-benchmark form). Module names treat '-' and '_' as the same.
export interface ModuleBlock {
  module: string;
  blacklisted: boolean;
  installDisabled: boolean;
}

export function parseModprobeConf(text: string, module = 'usb-storage'): ModuleBlock {
  const norm = (s: string) => s.replace(/-/g, '_');
  const want = norm(module);
  const out: ModuleBlock = { module, blacklisted: false, installDisabled: false };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const f = line.split(/\s+/);
    if (!/^(alias|options|install|remove|blacklist|softdep)$/.test(f[0]!)) {
      throw new Error(`not a modprobe.d line (alias|options|install|remove|blacklist|softdep): ${JSON.stringify(line.slice(0, 60))}`);
    }
    if (f[0] === 'blacklist' && f[1] && norm(f[1]) === want) out.blacklisted = true;
    if (f[0] === 'install' && f[1] && norm(f[1]) === want && /^(\/usr)?\/bin\/(true|false)$/.test(f[2] ?? '')) out.installDisabled = true;
  }
  return out;
}
