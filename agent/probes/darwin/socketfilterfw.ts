// Pure parser for macOS `/usr/libexec/ApplicationFirewall/socketfilterfw --getglobalstate --getblockall
// --getstealthmode`. Wording differs across releases ("Firewall is enabled. (State = 1)", "Block all DISABLED!",
// "Firewall stealth mode is on", "Stealth mode enabled"), so each setting is read by keyword; State >= 1 is on
// (State = 2 means stricter, and sources disagree on which stricter mode: Kolide PR #1842).
export interface AlfState {
  enabled?: boolean;
  state?: number;
  blockAll?: boolean;
  stealth?: boolean;
}

export function parseSocketfilterfw(text: string): AlfState {
  const out: AlfState = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const onOff = /\b(enabled|on|ENABLED)\b/.test(line) ? true : /\b(disabled|off|DISABLED)\b/.test(line) ? false : undefined;
    if (/block all/i.test(line)) {
      if (onOff !== undefined) out.blockAll = onOff;
    } else if (/stealth/i.test(line)) {
      if (onOff !== undefined) out.stealth = onOff;
    } else if (/^Firewall is /i.test(line)) {
      const st = /\(State = (\d)\)/.exec(line);
      if (st) out.state = Number(st[1]);
      out.enabled = st ? Number(st[1]) >= 1 : onOff;
    }
  }
  if (out.enabled === undefined && out.blockAll === undefined && out.stealth === undefined) {
    throw new Error('not socketfilterfw output: no "Firewall is ...", "block all" or "stealth" line');
  }
  return out;
}
