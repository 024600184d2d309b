// Evidence exports for auditors: start an export for a level/unit/system/period, watch its progress, download
// the signed bundle and see whether its signature and manifest verified (and, if not, which file failed how).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { useResource } from '../use-resource.js';
import { Card, Loading, Problem } from '../components/ui.js';

interface ExportJob {
  id: string;
  status: 'running' | 'done' | 'failed';
  scope: { level: number; unit: string | null; system: string | null; from: string | null; to: string; asOf: string | null };
  requestedBy: { username: string };
  createdAt: string;
  finishedAt: string | null;
  progress: { phase: string; done: number; total: number };
  result: { machines: number; bytes: number; sha256: string; verdicts: { met_fully: number; met_partly: number; not_met: number; not_applicable: number } } | null;
  verification: { ok: boolean; verified: number; problems: { file: string; kind: string; detail: string }[] } | null;
  error: string | null;
  downloadUrl: string | null;
}

export function EvidencePage() {
  const { t, td, date, pct } = useI18n();
  const list = useResource<{ items: ExportJob[] }>('/api/v1/evidence/exports', (d) => d.type === 'changed' && d.resource === 'evidence');
  const units = useResource<{ items: { id: string; name: string }[] }>('/api/v1/units');
  const systems = useResource<{ id: string; name: string; unitId: string; level: number }[]>('/api/v1/systems');
  const [level, setLevel] = useState('2');
  const [unit, setUnit] = useState('');
  const [system, setSystem] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [err, setErr] = useState<Error | null>(null);
  // A running export reports progress only when asked: poll while one runs, stop when none does.
  const running = list.data?.items.some((j) => j.status === 'running') ?? false;
  useEffect(() => {
    if (!running) return;
    const timer = window.setInterval(list.reload, 2000);
    return () => window.clearInterval(timer);
  }, [running]);

  const start = async () => {
    setErr(null);
    try {
      await api('/api/v1/evidence/exports', {
        method: 'POST',
        body: { level: Number(level), ...(unit ? { unit } : {}), ...(system ? { system } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) },
      });
      list.reload();
    } catch (e) {
      setErr(e instanceof Error ? e : new Error(String(e)));
    }
  };

  const sysOptions = (systems.data ?? []).filter((s) => !unit || s.unitId === unit);
  return (
    <Card title={t('evTitle')} wide testId="evidence">
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void start();
        }}
      >
        <label>
          {t('evLevel')}{' '}
          <select value={level} onChange={(e) => setLevel(e.currentTarget.value)} data-testid="evidence-level">
            {[1, 2, 3, 4, 5].map((l) => (
              <option value={String(l)}>{t('ovLevel', { level: l })}</option>
            ))}
          </select>
        </label>
        <label>
          {t('agUnit')}{' '}
          <select value={unit} onChange={(e) => setUnit(e.currentTarget.value)}>
            <option value="">{t('all')}</option>
            {(units.data?.items ?? []).map((u) => (
              <option value={u.id}>{u.name}</option>
            ))}
          </select>
        </label>
        <label>
          {t('agSystem')}{' '}
          <select value={system} onChange={(e) => setSystem(e.currentTarget.value)}>
            <option value="">{t('all')}</option>
            {sysOptions.map((s) => (
              <option value={s.id}>{s.name}</option>
            ))}
          </select>
        </label>
        <label>
          {t('evFrom')} <input type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label>
          {t('evTo')} <input type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
        </label>
        <button type="submit" data-testid="evidence-start">
          {t('evStart')}
        </button>
      </form>
      <p class="muted">{t('evHint')}</p>
      {err && <Problem error={err} />}
      {list.error ? <Problem error={list.error} retry={list.reload} /> : !list.data ? <Loading /> : list.data.items.length === 0 ? (
        <p class="muted">{t('evNone')}</p>
      ) : (
        <table class="data" data-testid="evidence-table">
          <thead>
            <tr>
              <th>{t('seCreated')}</th>
              <th>{t('evScope')}</th>
              <th>{t('evProgress')}</th>
              <th>{t('evResult')}</th>
              <th>{t('evVerified')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((j) => (
              <tr data-export={j.id} data-status={j.status}>
                <td>
                  {date(j.createdAt)}
                  <div class="muted small">{j.requestedBy.username}</div>
                </td>
                <td>
                  {t('ovLevel', { level: j.scope.level })}
                  <div class="muted small">
                    {[j.scope.unit, j.scope.system, j.scope.asOf ? `@ ${j.scope.asOf}` : `${j.scope.from ?? '…'} → ${j.scope.to}`].filter(Boolean).join(' · ')}
                  </div>
                </td>
                <td>
                  {j.status === 'running' ? (
                    <>
                      <progress max={j.progress.total || 1} value={j.progress.done} /> <span data-testid="export-phase">{`${td('evPhase_', j.progress.phase)} ${pct(j.progress.total ? j.progress.done / j.progress.total : 0)}`}</span>
                    </>
                  ) : j.status === 'failed' ? (
                    <span class="error">{t('evFailed', { error: j.error ?? '' })}</span>
                  ) : (
                    t('evDone', { time: date(j.finishedAt) })
                  )}
                </td>
                <td>
                  {j.result
                    ? t('evResultText', { machines: j.result.machines, met: j.result.verdicts.met_fully, partly: j.result.verdicts.met_partly, notMet: j.result.verdicts.not_met })
                    : '—'}
                </td>
                <td data-testid="evidence-verified">
                  {j.verification === null ? (
                    t('unknown')
                  ) : j.verification.ok ? (
                    <span class="badge outcome-success">{t('evVerifiedOk', { n: j.verification.verified })}</span>
                  ) : (
                    <>
                      <span class="badge outcome-failure">{t('evVerifiedBad')}</span>
                      {j.verification.problems.slice(0, 5).map((p) => (
                        <div class="muted small mono">{`${p.file}: ${p.kind} ${p.detail}`}</div>
                      ))}
                    </>
                  )}
                </td>
                <td>{j.downloadUrl?.startsWith("/api/v1/evidence/") ? <a href={j.downloadUrl} data-testid="evidence-download">{t('evDownload')}</a> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}
