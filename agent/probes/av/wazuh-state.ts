// Pure parser for /var/ossec/var/run/wazuh-agentd.state (rewritten by the agent every 5 s; Wazuh docs
// "wazuh-agentd.state"): shell-style key='value' lines, status connected|disconnected|pending.
export interface WazuhAgentState {
  status: 'connected' | 'disconnected' | 'pending';
  lastKeepalive?: string;
  lastAck?: string;
  msgCount?: number;
}

export function parseWazuhAgentState(text: string): WazuhAgentState {
  const kv = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)='([^']*)'\s*$/.exec(line.trim());
    if (m) kv.set(m[1]!, m[2]!);
  }
  const status = kv.get('status');
  if (status !== 'connected' && status !== 'disconnected' && status !== 'pending') {
    throw new Error("not a wazuh-agentd.state file: no status='connected|disconnected|pending' line");
  }
  const out: WazuhAgentState = { status };
  if (kv.get('last_keepalive')) out.lastKeepalive = kv.get('last_keepalive')!;
  if (kv.get('last_ack')) out.lastAck = kv.get('last_ack')!;
  if (kv.get('msg_count') && /^\d+$/.test(kv.get('msg_count')!)) out.msgCount = Number(kv.get('msg_count'));
  return out;
}
