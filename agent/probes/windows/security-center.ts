// Pure parser for root/SecurityCenter2 products as ConvertTo-Json prints them: either one class's list
// (AntiVirusProduct) or {antiVirus:[...], antiSpyware:[...], firewall:[...]} as collect.ps1 and cnquery print.
import { decodeProductState, type DecodedProductState } from '../av/wsc-product-state.js';
import { asList, parsePsJson, str } from './cim-json.js';

export interface WscProduct {
  category: 'antivirus' | 'antispyware' | 'firewall';
  name: string;
  productExe?: string;
  state: DecodedProductState;
  timestamp?: string;
}

export function parseSecurityCenter2(text: string): WscProduct[] {
  return securityCenterFrom(parsePsJson(text, 'SecurityCenter2'));
}

export function securityCenterFrom(doc: unknown): WscProduct[] {
  const groups: [WscProduct['category'], unknown][] = [];
  if (doc && typeof doc === 'object' && !Array.isArray(doc) && ('antiVirus' in doc || 'antiSpyware' in doc || 'firewall' in doc)) {
    const d = doc as Record<string, unknown>;
    groups.push(['antivirus', d.antiVirus], ['antispyware', d.antiSpyware], ['firewall', d.firewall]);
  } else groups.push(['antivirus', doc]);
  const out: WscProduct[] = [];
  const seen = new Set<string>();
  for (const [category, list] of groups) {
    for (const p of asList(list)) {
      const name = str(p.displayName);
      if (!name) throw new Error(`SecurityCenter2 ${category} entry has no displayName`);
      const state = decodeProductState(p.productState);
      // WSC sometimes lists one product twice (GLPI de-duplicates too).
      const key = `${category}|${name}|${state.value}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const exe = str(p.pathToSignedProductExe, 260);
      const ts = str(p.timestamp, 64);
      out.push({ category, name, state, ...(exe ? { productExe: exe } : {}), ...(ts ? { timestamp: ts } : {}) });
    }
  }
  return out;
}
