// Pure parser for `lsblk -J -o NAME,TYPE,FSTYPE,MOUNTPOINT`: which mounted file systems sit on an encrypted
// layer. lsblk prints a tree (disk > part > crypt > lvm ...); a mount is encrypted when any ancestor of its
// device, or the device itself, has TYPE=crypt.
export interface MountEncryption {
  mount: string;
  device: string;
  encrypted: boolean;
  method?: string;
  /** the dm-crypt mapping the mount sits on (for `cryptsetup status <name>`) */
  cryptDevice?: string;
}

interface Node {
  name?: unknown;
  type?: unknown;
  fstype?: unknown;
  mountpoint?: unknown;
  mountpoints?: unknown;
  children?: unknown;
}

export function parseLsblk(text: string): MountEncryption[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error('not lsblk JSON: output of `lsblk -J -o NAME,TYPE,FSTYPE,MOUNTPOINT` expected');
  }
  const devices = (doc as { blockdevices?: unknown })?.blockdevices;
  if (!Array.isArray(devices)) throw new Error('not lsblk JSON: no "blockdevices" array');
  const out: MountEncryption[] = [];
  // `parentFs` lets a crypt child of a crypto_LUKS partition be named LUKS rather than plain dm-crypt.
  const walk = (n: Node, cryptAbove: [string, string] | undefined, parentFs: string, depth: number) => {
    if (depth > 32) throw new Error('lsblk tree deeper than 32 levels');
    const type = String(n.type ?? '');
    const fstype = typeof n.fstype === 'string' ? n.fstype : '';
    const crypt: [string, string] | undefined = type === 'crypt' ? [parentFs === 'crypto_LUKS' ? 'LUKS' : 'dm-crypt', String(n.name ?? '')] : cryptAbove;
    const mounts = Array.isArray(n.mountpoints) ? n.mountpoints : [n.mountpoint];
    for (const m of mounts) {
      if (typeof m !== 'string' || !m || m === '[SWAP]') continue;
      out.push({ mount: m, device: String(n.name ?? ''), encrypted: crypt !== undefined, ...(crypt ? { method: crypt[0], cryptDevice: crypt[1] } : {}) });
    }
    if (Array.isArray(n.children)) for (const c of n.children) walk(c as Node, crypt, fstype, depth + 1);
  };
  for (const d of devices) walk(d as Node, undefined, '', 0);
  return out;
}
