// Pure parser for CrowdStrike `falconctl -g --aid --rfm-state --rfm-reason --version ...` on Linux: one line of
// comma-separated "key=value" items, e.g. `aid="0123...", rfm-state=false, version = 7.10.17706.0`.
// rfm-state=true is Reduced Functionality Mode: the sensor runs but does not protect (unsupported kernel...).
export interface FalconctlOptions {
  values: Record<string, string>;
  aidSet?: boolean;
  reducedFunctionality?: boolean;
  rfmReason?: string;
  version?: string;
}

export function parseFalconctl(text: string): FalconctlOptions {
  const values: Record<string, string> = {};
  // falconctl ends each item with ", " or ".\n"; values may be quoted.
  for (const part of text.replace(/\.\s*$/m, '').split(/,\s*(?=[a-z-]+\s*[=:]|aid is not set)/i)) {
    const p = part.trim().replace(/\.$/, '');
    if (!p) continue;
    if (/^aid is not set$/i.test(p)) {
      values.aid = '';
      continue;
    }
    const m = /^([a-z][a-z-]*)\s*[=:]\s*(.*)$/i.exec(p);
    if (m) values[m[1]!.toLowerCase()] = m[2]!.trim().replace(/^"(.*)"$/, '$1');
  }
  if (!Object.keys(values).length) throw new Error('not falconctl -g output: no key=value items');
  const out: FalconctlOptions = { values };
  if ('aid' in values) out.aidSet = values.aid !== '';
  if (values['rfm-state'] !== undefined) out.reducedFunctionality = values['rfm-state'] === 'true';
  if (values['rfm-reason']) out.rfmReason = values['rfm-reason'];
  if (values.version) out.version = values.version;
  return out;
}
