// What the agent watches unless told otherwise. SOCLITE_AGENT_FIM_PATHS and SOCLITE_AGENT_AV_LOGS (lists
// separated by the platform's path delimiter) replace the defaults, e.g. to add an application's config files.
import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';
import { DEFAULT_LINUX_FIM_PATHS, DEFAULT_WINDOWS_FIM_PATHS } from './file-integrity.js';

const CLAMAV_LOGS = ['/var/log/clamav/clamav.log', '/var/log/clamav/clamd.log'];

const list = (v: string | undefined) => (v === undefined ? undefined : v.split(delimiter).filter(Boolean));

export function watchDefaults(env: NodeJS.ProcessEnv = process.env, platform = process.platform): { fimPaths: string[]; clamavLogs: string[] } {
  const fim = list(env.SOCLITE_AGENT_FIM_PATHS) ?? (platform === 'win32' ? DEFAULT_WINDOWS_FIM_PATHS : platform === 'linux' ? DEFAULT_LINUX_FIM_PATHS : []);
  const logs = list(env.SOCLITE_AGENT_AV_LOGS) ?? (platform === 'linux' ? CLAMAV_LOGS : []);
  return { fimPaths: fim.filter((p) => existsSync(p)), clamavLogs: logs };
}
