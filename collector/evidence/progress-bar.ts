// Progress of an export on stderr: a redrawn bar on a terminal, one line per phase otherwise (CI logs and
// pipes should not fill with carriage returns).
import type { ExportPhase, ExportProgress } from './export.js';

const PHASE_LABEL: Record<ExportPhase, string> = {
  waiting: 'waiting / chờ',
  machines: 'machines / máy',
  history: 'history / lịch sử',
  reports: 'reports / báo cáo',
  packaging: 'zip / đóng gói',
  done: 'done / xong',
};

export function formatProgressLine(p: ExportProgress, width = 30): string {
  const label = PHASE_LABEL[p.phase].padEnd(18);
  if (p.total <= 0) return `${label} ${p.done}`;
  const ratio = Math.min(1, Math.max(0, p.done / p.total));
  const filled = Math.round(ratio * width);
  const pct = `${Math.floor(ratio * 100)}%`.padStart(4);
  const count = p.phase === 'packaging' ? `${(p.done / 1048576).toFixed(1)}/${(p.total / 1048576).toFixed(1)} MiB` : `${p.done}/${p.total}`;
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct} ${count}`;
}

export class ProgressBar {
  private lastDraw = 0;
  private lastPhase: ExportPhase | null = null;

  constructor(private readonly out: NodeJS.WriteStream) {}

  private get tty(): boolean {
    return Boolean(this.out.isTTY);
  }

  update = (p: ExportProgress): void => {
    if (!this.tty) {
      if (p.phase !== this.lastPhase && p.phase !== 'done') this.out.write(`${PHASE_LABEL[p.phase]}...\n`);
      this.lastPhase = p.phase;
      return;
    }
    const now = Date.now();
    const phaseChanged = p.phase !== this.lastPhase;
    if (!phaseChanged && now - this.lastDraw < 100 && p.done !== p.total) return;
    if (phaseChanged && this.lastPhase !== null) this.out.write('\n');
    this.lastPhase = p.phase;
    this.lastDraw = now;
    if (p.phase === 'done') return;
    this.out.write(`\r${formatProgressLine(p)}\x1b[K`);
  };

  finish(): void {
    if (this.tty && this.lastPhase !== null && this.lastPhase !== 'done') this.out.write('\n');
  }
}
