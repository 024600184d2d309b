// Pure parser for macOS `softwareupdate --list [--no-scan]`: "* Label: X" lines each followed by a tab-indented
// "Title: ..., Version: ..., Size: ..., Recommended: YES, Action: restart," line. Apple marks security content
// in titles ("Security Update", "Background Security Improvement", "Rapid Security Response"); macOS point
// releases carry security fixes too, so an update counts as security when it is one of those or a macOS update.
export interface MacUpdate {
  label: string;
  title?: string;
  version?: string;
  recommended?: boolean;
  restart: boolean;
  security: boolean;
}

export function parseSoftwareupdateList(text: string): { updates: MacUpdate[]; total: number; security: number; restartRequired: boolean } {
  const updates: MacUpdate[] = [];
  let current: MacUpdate | undefined;
  let recognised = /No new software available|Software Update Tool|Finding available software/.test(text);
  let listing = false;
  for (const raw of text.split('\n')) {
    if (/^Software Update found the following/.test(raw)) listing = true;
    // Catalina and later print "* Label: X"; older releases a bare "* X" bullet, which only counts inside the
    // "Software Update found the following ..." listing (a stray bullet elsewhere is not an update).
    const label = /^\s*\*\s*Label:\s*(.+?)\s*$/.exec(raw) ?? (listing ? /^\s*\*\s+(\S.*?)\s*$/.exec(raw) : null);
    if (label) {
      current = { label: label[1]!, restart: false, security: false };
      updates.push(current);
      recognised = true;
      continue;
    }
    if (current && /^\s+Title:/.test(raw)) {
      const fields = new Map<string, string>();
      for (const part of raw.trim().split(/,\s*/)) {
        const kv = /^([A-Za-z ]+):\s*(.*)$/.exec(part);
        if (kv) fields.set(kv[1]!.trim(), kv[2]!.trim());
      }
      if (fields.get('Title')) current.title = fields.get('Title')!;
      if (fields.get('Version')) current.version = fields.get('Version')!;
      if (fields.has('Recommended')) current.recommended = fields.get('Recommended') === 'YES';
      current.restart = /restart/i.test(fields.get('Action') ?? '');
    }
  }
  if (!recognised) throw new Error('not softwareupdate --list output');
  for (const u of updates) {
    const t = `${u.title ?? ''} ${u.label}`;
    u.security = /security/i.test(t) || /^macOS\b/i.test(u.title ?? u.label);
  }
  return { updates, total: updates.length, security: updates.filter((u) => u.security).length, restartRequired: updates.some((u) => u.restart) };
}
