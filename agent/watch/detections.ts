// Turns new ClamAV log lines into malware_detected events, using the ClamAV log parser of the av probe.
import { createHash } from 'node:crypto';
import type { MalwareDetected } from '../../protocol/index.js';
import { parseClamavLog } from '../probes/av/clamav-log.js';
import type { TailLine } from './log-tail.js';

/**
 * One event per "<path>: <signature> FOUND" line. The id is derived from the file, its inode, the line's offset
 * and text, so a re-read of the same line (after a crash before the offset was saved) produces the same id,
 * which the collector stores once, while the same detection logged again later is a new event.
 */
export function clamavDetectionEvents(lines: TailLine[], logPath: string, inode: number, now = new Date()): MalwareDetected[] {
  const out: MalwareDetected[] = [];
  for (const { text: line, offset } of lines) {
    if (!/ FOUND\s*$/.test(line)) continue;
    let parsed;
    try {
      parsed = parseClamavLog(line);
    } catch {
      continue;
    }
    for (const d of parsed.detections) {
      out.push({
        id: createHash('sha256').update(`${logPath}\n${inode}\n${offset}\n${line}`).digest('base64url').slice(0, 32),
        type: 'malware_detected',
        at: d.loggedAt && !Number.isNaN(Date.parse(d.loggedAt)) ? new Date(d.loggedAt).toISOString() : now.toISOString(),
        data: { path: d.path.slice(0, 4096), signature: d.signature.slice(0, 256), product: 'ClamAV', action: 'detected' },
      });
    }
  }
  return out;
}
