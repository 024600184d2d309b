// Reads what a scan child (`soclite agent scan --json`) printed. The long-lived agent trusts nothing it did not
// compute itself: the output must be one JSON posture whose cost figures and identity fields have the types the
// collector needs, or it is refused with a reason. The collector still validates the full schema on arrival;
// this check exists so a crashed, truncated or confused child becomes "scan unknown", never a half posture.
import type { Posture } from '../../protocol/posture.js';

export class ScanOutputError extends Error {}

const PLATFORMS = new Set(['linux', 'windows', 'darwin', 'other']);
const SECTIONS = ['av', 'patches', 'network', 'hardening'] as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** The posture in a scan child's standard output, or ScanOutputError saying what is wrong with it. */
export function parseScanOutput(stdout: string): Posture {
  const text = stdout.trim();
  if (!text) throw new ScanOutputError('scan child printed nothing');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ScanOutputError(`scan child output is not JSON (${(err as Error).message}); it starts with ${JSON.stringify(text.slice(0, 60))}`);
  }
  if (!isObject(doc)) throw new ScanOutputError('scan child output is not a JSON object');
  const { agent, host } = doc;
  if (!isObject(agent)) throw new ScanOutputError('scan child output has no agent section');
  for (const k of ['scanMs', 'rssBytes', 'cpuPercent'] as const) {
    if (!isCount(agent[k])) throw new ScanOutputError(`scan child output: agent.${k} is not a non-negative number`);
  }
  if (typeof agent.collectedAt !== 'string' || Number.isNaN(Date.parse(agent.collectedAt))) {
    throw new ScanOutputError('scan child output: agent.collectedAt is not a time');
  }
  if (!Array.isArray(agent.probeErrors) || !agent.probeErrors.every((e) => isObject(e) && typeof e.probe === 'string' && typeof e.error === 'string')) {
    throw new ScanOutputError('scan child output: agent.probeErrors is not a list of {probe, error}');
  }
  if (!isObject(host)) throw new ScanOutputError('scan child output has no host section');
  if (typeof host.hostname !== 'string') throw new ScanOutputError('scan child output: host.hostname is not a string');
  if (!isObject(host.os) || !PLATFORMS.has(host.os.platform as string)) throw new ScanOutputError('scan child output: host.os.platform is missing or unknown');
  for (const s of SECTIONS) {
    if (doc[s] !== undefined && !isObject(doc[s])) throw new ScanOutputError(`scan child output: ${s} is not an object`);
  }
  const extra = Object.keys(doc).filter((k) => k !== 'agent' && k !== 'host' && !(SECTIONS as readonly string[]).includes(k));
  if (extra.length) throw new ScanOutputError(`scan child output has unexpected sections: ${extra.slice(0, 5).join(', ')}`);
  return doc as unknown as Posture;
}
