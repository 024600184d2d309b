// Pure parser for `nft -j list ruleset`: is inbound traffic filtered? An input-hook chain with policy drop,
// or one holding drop/reject rules, filters inbound (Pareto's heuristic, checks/linux/firewall.go).
import type { Inbound } from './firewall.js';

export interface NftSummary {
  enabled: boolean;
  defaultInbound?: Inbound;
  inputChains: { family: string; table: string; name: string; policy?: string; rules: number }[];
}

export function parseNftRuleset(text: string): NftSummary {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error('not nft JSON: output of `nft -j list ruleset` expected');
  }
  const items = (doc as { nftables?: unknown })?.nftables;
  if (!Array.isArray(items)) throw new Error('not nft JSON: no top-level "nftables" array');
  const chains: NftSummary['inputChains'] = [];
  const byKey = new Map<string, NftSummary['inputChains'][number]>();
  let blockingRules = 0;
  for (const it of items as Record<string, unknown>[]) {
    const chain = it?.chain as Record<string, unknown> | undefined;
    if (chain && chain.hook === 'input' && chain.type === 'filter') {
      const c = { family: String(chain.family), table: String(chain.table), name: String(chain.name), rules: 0, ...(typeof chain.policy === 'string' ? { policy: chain.policy } : {}) };
      chains.push(c);
      byKey.set(`${c.family}/${c.table}/${c.name}`, c);
    }
  }
  for (const it of items as Record<string, unknown>[]) {
    const rule = it?.rule as Record<string, unknown> | undefined;
    if (!rule) continue;
    const c = byKey.get(`${String(rule.family)}/${String(rule.table)}/${String(rule.chain)}`);
    if (!c) continue;
    c.rules++;
    const expr = JSON.stringify(rule.expr ?? []);
    if (/"(drop|reject)"\s*:/.test(expr)) blockingRules++;
  }
  const policyDrop = chains.some((c) => c.policy === 'drop');
  const out: NftSummary = { enabled: policyDrop || blockingRules > 0, inputChains: chains };
  if (chains.length) out.defaultInbound = policyDrop ? 'deny' : 'allow';
  return out;
}
