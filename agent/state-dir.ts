// Where the agent keeps its key, identity and outbox when no --state-dir is given.
import os from 'node:os';
import { join } from 'node:path';

export function defaultStateDir(): string {
  if (process.env.SOCLITE_AGENT_STATE_DIR) return process.env.SOCLITE_AGENT_STATE_DIR;
  if (process.platform === 'win32') return join(process.env.ProgramData ?? 'C:\\ProgramData', 'soclite', 'agent');
  return typeof process.getuid === 'function' && process.getuid() === 0 ? '/var/lib/soclite-agent' : join(os.homedir(), '.soclite-agent');
}
