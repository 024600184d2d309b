// Pure parser for `mdatp health --output json` (Microsoft Defender for Endpoint on Linux and macOS). Values
// come wrapped as {"value": ..., "isManaged": ...}; timestamps are epoch milliseconds as strings
// (defender-docs health-status.md; GLPI Linux/AntiVirus/Defender.pm).
export interface MdatpHealth {
  appVersion?: string;
  healthy?: boolean;
  healthIssues: string[];
  licensed?: boolean;
  realTimeProtection?: boolean;
  passiveMode?: boolean;
  definitionsStatus?: string;
  definitionsUpdatedAt?: string;
  definitionsVersion?: string;
  engineVersion?: string;
  tamperProtection?: string;
  managed?: boolean;
  productExpiresAt?: string;
}

function unwrap(v: unknown): unknown {
  return v !== null && typeof v === 'object' && 'value' in (v as object) ? (v as { value: unknown }).value : v;
}
const bool = (v: unknown) => (typeof unwrap(v) === 'boolean' ? (unwrap(v) as boolean) : undefined);
const str = (v: unknown) => {
  const u = unwrap(v);
  return typeof u === 'string' || typeof u === 'number' ? String(u).slice(0, 128) : undefined;
};
const epochMs = (v: unknown) => {
  const s = str(v);
  if (!s || !/^\d{10,14}$/.test(s)) return undefined;
  return new Date(Number(s)).toISOString();
};

export function parseMdatpHealth(text: string): MdatpHealth {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new Error('not mdatp health JSON: output of `mdatp health --output json` expected');
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc) || !('healthy' in doc || 'appVersion' in doc)) {
    throw new Error('not mdatp health JSON: no "healthy" or "appVersion" key');
  }
  const d = doc as Record<string, unknown>;
  const out: MdatpHealth = { healthIssues: Array.isArray(d.healthIssues) ? d.healthIssues.map((x) => String(x).slice(0, 200)).slice(0, 32) : [] };
  const set = <K extends keyof MdatpHealth>(k: K, v: MdatpHealth[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('appVersion', str(d.appVersion));
  set('healthy', bool(d.healthy));
  set('licensed', bool(d.licensed));
  set('realTimeProtection', bool(d.realTimeProtectionEnabled));
  set('passiveMode', bool(d.passiveModeEnabled));
  const ds = d.definitionsStatus as Record<string, unknown> | undefined;
  set('definitionsStatus', typeof ds?.['$type'] === 'string' ? (ds['$type'] as string) : str(ds));
  set('definitionsUpdatedAt', epochMs(d.definitionsUpdated));
  set('definitionsVersion', str(d.definitionsVersion));
  set('engineVersion', str(d.engineVersion));
  set('tamperProtection', str(d.tamperProtection));
  set('productExpiresAt', epochMs(d.productExpiration));
  // Managed = an organisation is attached (orgId present); the anonymised fixtures keep the key.
  set('managed', typeof d.orgId === 'string' ? d.orgId.length > 0 : undefined);
  return out;
}
