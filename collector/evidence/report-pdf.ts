// report.pdf: the same content as report.html, laid out with pdfkit. The DejaVu Sans TrueType font from the
// dejavu-fonts-ttf package is embedded (subset) so Vietnamese diacritics render on any reader, offline; the
// PDF's 14 standard fonts only cover Latin-1.
import { createRequire } from 'node:module';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import { VERDICT_LABELS, type ControlVerdict } from './control-status.js';
import { T, both, isoMinute, scopeLines, type ReportModel } from './report-model.js';

const require = createRequire(import.meta.url);
const FONT_DIR = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
export const PDF_FONT_REGULAR = path.join(FONT_DIR, 'DejaVuSans.ttf');
export const PDF_FONT_BOLD = path.join(FONT_DIR, 'DejaVuSans-Bold.ttf');

const MARGIN = 40;
const VERDICT_FILL: Record<ControlVerdict, string> = {
  met_fully: '#e3f5e1',
  met_partly: '#fff4d6',
  not_met: '#fbe1e1',
  not_applicable: '#f0f0f0',
};

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Endpoint strings may carry control characters or broken UTF-16; neither belongs in a PDF text run. */
const clean = (s: string): string => s.replace(CONTROL, ' ').replace(LONE_SURROGATE, '\uFFFD');

type Cell = { text: string; bold?: boolean; fill?: string };

class Layout {
  constructor(private readonly doc: PDFKit.PDFDocument) {}

  get width(): number {
    return this.doc.page.width - 2 * MARGIN;
  }

  private ensure(height: number): boolean {
    if (this.doc.y + height > this.doc.page.height - MARGIN) {
      this.doc.addPage();
      return true;
    }
    return false;
  }

  heading(text: string): void {
    this.ensure(60);
    this.doc.moveDown(0.8).font('bold').fontSize(13).fillColor('#000').text(clean(text), MARGIN, this.doc.y, { width: this.width });
    this.doc.moveDown(0.3).font('regular').fontSize(9);
  }

  paragraph(text: string, size = 9): void {
    this.doc.font('regular').fontSize(size).fillColor('#000').text(clean(text), MARGIN, this.doc.y, { width: this.width });
  }

  /** A table whose rows wrap text and break across pages, repeating the header row. */
  table(widths: number[], header: string[], rows: Cell[][]): void {
    const total = widths.reduce((a, b) => a + b, 0);
    const cols = widths.map((w) => (w / total) * this.width);
    const drawRow = (cells: Cell[], isHeader: boolean): void => {
      const pad = 3;
      const heights = cells.map((c, i) => {
        this.doc.font(c.bold || isHeader ? 'bold' : 'regular').fontSize(8);
        return this.doc.heightOfString(clean(c.text), { width: cols[i]! - 2 * pad });
      });
      const height = Math.max(...heights) + 2 * pad;
      if (this.ensure(height) && !isHeader) drawRow(header.map((t) => ({ text: t })), true);
      const top = this.doc.y;
      let x = MARGIN;
      cells.forEach((c, i) => {
        const w = cols[i]!;
        const fill = isHeader ? '#e8e8e8' : c.fill;
        if (fill) this.doc.rect(x, top, w, height).fill(fill);
        this.doc.rect(x, top, w, height).lineWidth(0.5).strokeColor('#999').stroke();
        this.doc
          .fillColor('#000')
          .font(c.bold || isHeader ? 'bold' : 'regular')
          .fontSize(8)
          .text(clean(c.text), x + pad, top + pad, { width: w - 2 * pad });
        x += w;
      });
      this.doc.x = MARGIN;
      this.doc.y = top + height;
    };
    drawRow(header.map((t) => ({ text: t })), true);
    for (const r of rows) drawRow(r, false);
  }
}

export function renderReportPdf(m: ReportModel): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    info: {
      Title: `${both(T.title)} — ${clean(m.metadata.organisation)}`,
      Creator: `${m.generator.name} ${m.generator.version}`,
      CreationDate: m.generatedAt,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('regular', PDF_FONT_REGULAR);
  doc.registerFont('bold', PDF_FONT_BOLD);
  const L = new Layout(doc);

  doc.font('bold').fontSize(16).text(both(T.title), { width: L.width });
  doc.moveDown(0.5);
  L.table([1, 3], [both(T.scope), ''], scopeLines(m).map(([k, v]) => [{ text: both(k), bold: true }, { text: v }]));

  L.heading(both(T.summary));
  const counts: Record<ControlVerdict, number> = { met_fully: 0, met_partly: 0, not_met: 0, not_applicable: 0 };
  for (const c of m.controls) counts[c.verdict] += 1;
  const summary: Cell[][] = (Object.keys(counts) as ControlVerdict[]).map((v) => [
    { text: both(VERDICT_LABELS[v]), bold: true, fill: VERDICT_FILL[v] },
    { text: `${counts[v]} / ${m.controls.length}` },
  ]);
  summary.push(
    [{ text: both(T.machines), bold: true }, { text: String(m.machines.total) }],
    [{ text: both(T.machinesAllPass), bold: true }, { text: String(m.machines.allPass) }],
    [{ text: both(T.machinesWithFail), bold: true }, { text: String(m.machines.withFail) }],
    [{ text: both(T.machinesWithUnknown), bold: true }, { text: String(m.machines.withUnknown) }],
  );
  L.table([3, 1], [both(T.summary), ''], summary);

  L.heading(both(T.controls));
  L.table(
    [4, 2, 1, 1, 1, 1, 4],
    [both(T.control), both(T.verdict), T.pass.vi, T.fail.vi, T.unknown.vi, T.na.vi, both(T.remediation)],
    m.controls.map((row) => [
      { text: `${row.control.id}\n${row.control.title.vi}\n${row.control.title.en}${row.control.references.length ? `\n${row.control.references.join('; ')}` : ''}` },
      { text: both(VERDICT_LABELS[row.verdict]), fill: VERDICT_FILL[row.verdict] },
      { text: String(row.tally.pass) },
      { text: String(row.tally.fail) },
      { text: String(row.tally.unknown) },
      { text: String(row.tally.not_applicable) },
      {
        text:
          `${row.control.remediation.vi}\n${row.control.remediation.en}` +
          (row.attestations.length ? `\n${both(T.attestations)}: ${row.attestations.map((a) => a.documentTitle).join('; ')}` : ''),
      },
    ]),
  );

  L.heading(both(T.failingMachines));
  if (m.failingMachines.length === 0) L.paragraph(both(T.none));
  else {
    L.table(
      [3, 2, 2, 4],
      [both(T.hostname), both(T.unit), both(T.os), both(T.failingControls)],
      m.failingMachines.map((f) => [{ text: `${f.hostname}\n${f.id}` }, { text: f.unitId }, { text: f.os }, { text: f.failing.join(', ') }]),
    );
    if (m.failingMachinesOmitted > 0) L.paragraph(`+ ${m.failingMachinesOmitted} ${both(T.more)}`);
  }

  L.heading(both(T.generator));
  L.paragraph(`${both(T.generator)}: ${m.generator.name} ${m.generator.version}`);
  L.paragraph(`${both(T.generatedAt)}: ${isoMinute(m.generatedAt)} UTC`);
  L.paragraph(`${both(T.bundle)}: ${m.bundleId}`);
  doc.moveDown(0.5);
  L.paragraph(T.verifyNote.vi, 8);
  L.paragraph(T.verifyNote.en, 8);
  doc.end();
  return done;
}
