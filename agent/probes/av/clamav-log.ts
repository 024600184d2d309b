// Pure parser for ClamAV detection output: clamd's log (/var/log/clamav/clamav.log), `clamscan` output and
// `clamscan --log` files all print "<path>: <Signature> FOUND" (ClamAV manual, "Output format").
export interface ClamavDetection {
  path: string;
  signature: string;
  /** the clamd log timestamp prefix ("Sun Nov 22 01:47:00 2026 -> "), when present, as written */
  loggedAt?: string;
}

export interface ClamavLogSummary {
  detections: ClamavDetection[];
  /** the "Infected files: N" line of a clamscan summary, when present */
  infectedFiles?: number;
  scannedFiles?: number;
}

// Lines only ClamAV prints: any one of them (or a timestamped clamd line, or a detection) marks the input as ClamAV's.
const CLAMAV_LINE =
  /^(-+ SCAN SUMMARY -+|(Known viruses|Engine version|Scanned directories|Data scanned|Data read|Start Date|End Date|Total errors): .*|LibClamAV (Error|Warning): .*|\/\S.*: OK|\+\+\+ Started at .*|--- Stopped at .*|clamd daemon .*|Reading databases from .*|Loaded \d+ signatures\.|Self checking every \d+ seconds\.|SelfCheck: .*|Limits: .*|Not loading PUA signatures\.|(Archive|Portable Executable|ELF|Mail files|OLE2|PDF|SWF|HTML|XMLDOCS|HWP3|OneNote) support (enabled|disabled)\.)$/;

export function parseClamavLog(text: string): ClamavLogSummary {
  const out: ClamavLogSummary = { detections: [] };
  let recognised = 0;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (!line.trim()) continue;
    let body = line;
    let loggedAt: string | undefined;
    const ts = /^(\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}) -> (.*)$/.exec(line);
    if (ts) {
      loggedAt = ts[1];
      body = ts[2]!;
    }
    // The path may itself contain ": ", so the signature is the last ": "-separated part before " FOUND".
    const m = /^(.*): (\S+) FOUND$/.exec(body);
    if (m) {
      recognised++;
      out.detections.push({ path: m[1]!, signature: m[2]!, ...(loggedAt ? { loggedAt } : {}) });
      continue;
    }
    const inf = /^Infected files: (\d+)$/.exec(body);
    if (inf) {
      out.infectedFiles = Number(inf[1]);
      recognised++;
      continue;
    }
    const sc = /^Scanned files: (\d+)$/.exec(body);
    if (sc) {
      out.scannedFiles = Number(sc[1]);
      recognised++;
      continue;
    }
    // A line with clamd's timestamp prefix is a clamd log line whatever it says; without one (LogTime off,
    // clamscan output) only ClamAV's own anchored lines count, so prose that merely mentions a keyword is not
    // taken for ClamAV output. Other lines (warnings, per-file notes) are skipped.
    if (loggedAt || CLAMAV_LINE.test(body)) recognised++;
  }
  if (recognised === 0) throw new Error('not ClamAV output: no clamd log line ("<date> -> ..."), "<path>: <signature> FOUND", "/<path>: OK" or scan-summary line');
  return out;
}
