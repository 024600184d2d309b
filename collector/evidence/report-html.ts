// report.html: one self-contained page (no scripts, no external resources) so it opens offline and shows the
// same thing years later. Every value is escaped: hostnames and observed values come from endpoints.
import { VERDICT_LABELS } from './control-status.js';
import { T, both, isoMinute, scopeLines, type ReportModel } from './report-model.js';
import type { Localized } from './source.js';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const h = escapeHtml;
const label = (l: Localized): string => `<span lang="vi">${h(l.vi)}</span> / <span lang="en">${h(l.en)}</span>`;

const STYLE = `
body{font-family:"DejaVu Sans","Noto Sans",Arial,sans-serif;margin:2em;color:#222;font-size:14px}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #bbb;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#eee}td.n{text-align:right}.met_fully{background:#e3f5e1}.met_partly{background:#fff4d6}
.not_met{background:#fbe1e1}.not_applicable{background:#f0f0f0}small{color:#555}`;

export function renderReportHtml(m: ReportModel): string {
  const out: string[] = [];
  out.push('<!DOCTYPE html>', '<html lang="vi"><head><meta charset="utf-8">');
  out.push(`<title>${h(both(T.title))} — ${h(m.metadata.organisation)}</title><style>${STYLE}</style></head><body>`);
  out.push(`<h1>${label(T.title)}</h1>`);

  out.push(`<h2>${label(T.scope)}</h2><table>`);
  for (const [k, v] of scopeLines(m)) out.push(`<tr><th>${label(k)}</th><td>${h(v)}</td></tr>`);
  out.push('</table>');

  const counts = { met_fully: 0, met_partly: 0, not_met: 0, not_applicable: 0 };
  for (const c of m.controls) counts[c.verdict] += 1;
  out.push(`<h2>${label(T.summary)}</h2><table>`);
  for (const v of ['met_fully', 'met_partly', 'not_met', 'not_applicable'] as const) {
    out.push(`<tr class="${v}"><th>${label(VERDICT_LABELS[v])}</th><td class="n">${counts[v]} / ${m.controls.length}</td></tr>`);
  }
  out.push(`<tr><th>${label(T.machines)}</th><td class="n">${m.machines.total}</td></tr>`);
  out.push(`<tr><th>${label(T.machinesAllPass)}</th><td class="n">${m.machines.allPass}</td></tr>`);
  out.push(`<tr><th>${label(T.machinesWithFail)}</th><td class="n">${m.machines.withFail}</td></tr>`);
  out.push(`<tr><th>${label(T.machinesWithUnknown)}</th><td class="n">${m.machines.withUnknown}</td></tr>`);
  out.push('</table>');

  out.push(`<h2>${label(T.controls)}</h2><table><tr>`);
  for (const c of [T.control, T.verdict, T.pass, T.fail, T.unknown, T.na, T.attestations, T.remediation]) out.push(`<th>${label(c)}</th>`);
  out.push('</tr>');
  for (const row of m.controls) {
    const c = row.control;
    out.push(
      `<tr class="${row.verdict}"><td><b>${h(c.id)}</b><br>${h(c.title.vi)}<br><small>${h(c.title.en)}</small>` +
        (c.references.length ? `<br><small>${h(c.references.join('; '))}</small>` : '') +
        `</td><td>${label(VERDICT_LABELS[row.verdict])}</td>` +
        `<td class="n">${row.tally.pass}</td><td class="n">${row.tally.fail}</td><td class="n">${row.tally.unknown}</td>` +
        `<td class="n">${row.tally.not_applicable}</td><td>${row.attestations.map((a) => h(a.documentTitle)).join('<br>') || '—'}` +
        `</td><td>${h(c.remediation.vi)}<br><small>${h(c.remediation.en)}</small></td></tr>`,
    );
  }
  out.push('</table>');

  out.push(`<h2>${label(T.failingMachines)}</h2>`);
  if (m.failingMachines.length === 0) out.push(`<p>${label(T.none)}</p>`);
  else {
    out.push(`<table><tr><th>${label(T.hostname)}</th><th>${label(T.unit)}</th><th>${label(T.os)}</th><th>${label(T.failingControls)}</th></tr>`);
    for (const f of m.failingMachines) {
      out.push(`<tr><td>${h(f.hostname)}<br><small>${h(f.id)}</small></td><td>${h(f.unitId)}</td><td>${h(f.os)}</td><td>${h(f.failing.join(', '))}</td></tr>`);
    }
    out.push('</table>');
    if (m.failingMachinesOmitted > 0) out.push(`<p>+ ${m.failingMachinesOmitted} ${label(T.more)}</p>`);
  }

  out.push(`<h2>${label(T.generator)}</h2><table>`);
  out.push(`<tr><th>${label(T.generator)}</th><td>${h(`${m.generator.name} ${m.generator.version}`)}</td></tr>`);
  out.push(`<tr><th>${label(T.generatedAt)}</th><td>${h(isoMinute(m.generatedAt))} UTC</td></tr>`);
  out.push(`<tr><th>${label(T.bundle)}</th><td>${h(m.bundleId)}</td></tr></table>`);
  out.push(`<p><small>${label(T.verifyNote)}</small></p>`);
  out.push('</body></html>', '');
  return out.join('\n');
}
