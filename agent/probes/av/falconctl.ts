// Pure parser for CrowdStrike `falconctl -g --cid --aid --rfm-state --rfm-reason --version ...` on Linux: items
// separated by ", " and ended by "." or ",", each `key=value`, `key = value` or `key is not set`; rfm-reason is
// followed by its own `code=0x..` item; tags are a comma list (formats as in Kolide's falconctl parser tests).
// rfm-state=true is Reduced Functionality Mode: the sensor runs but does not protect (unsupported kernel...).
export interface FalconctlOptions {
  values: Record<string, string | string[] | null>;
  aidSet?: boolean;
  reducedFunctionality?: boolean;
  rfmReason?: string;
  version?: string;
}

const ITEM_START = /,\s*(?=[a-z][a-z-]*\s*=|[a-z][a-z-]* is not set)/;

export function parseFalconctl(text: string): FalconctlOptions {
  const values: FalconctlOptions['values'] = {};
  const flat = text.replace(/\r?\n/g, ', ').replace(/[.,\s]+$/, '');
  let lastKey: string | undefined;
  for (const raw of flat.split(ITEM_START)) {
    const item = raw.trim().replace(/,$/, '');
    if (!item) continue;
    let m: RegExpExecArray | null;
    if ((m = /^([a-z][a-z-]*) is not set$/.exec(item))) values[m[1]!] = null;
    else if ((m = /^([a-z][a-z-]*)\s*=\s*(.*)$/.exec(item))) {
      let key = m[1]!;
      let value = m[2]!.trim().replace(/^"(.*)"$/, '$1');
      // "code=0x0" right after rfm-reason belongs to it
      if (key === 'code' && lastKey === 'rfm-reason') key = 'rfm-reason-code';
      value = value.replace(/\s*\(unset default\)$/, '');
      values[key] = key === 'tags' ? value.split(',').map((t) => t.trim()).filter(Boolean) : value;
      lastKey = key;
      continue;
    } else throw new Error(`not falconctl -g output: cannot read item ${JSON.stringify(item.slice(0, 60))}`);
    lastKey = m[1];
  }
  if (!Object.keys(values).length) throw new Error('not falconctl -g output: no items');
  const out: FalconctlOptions = { values };
  const s = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  if ('aid' in values) out.aidSet = values.aid !== null && values.aid !== '';
  if (s('rfm-state') !== undefined) out.reducedFunctionality = s('rfm-state') === 'true';
  if (s('rfm-reason')) out.rfmReason = s('rfm-reason')!;
  if (s('version')) out.version = s('version')!;
  return out;
}
