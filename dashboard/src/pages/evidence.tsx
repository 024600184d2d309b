// Evidence exports for auditors: start an export for a level/unit/period, watch progress, download, see
// whether the signature verifies. Talks to /api/v1/evidence/exports; where the collector has no such route
// the page says so.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { useResource } from '../use-resource.js';
import { Card, Loading, Problem } from '../components/ui.js';

interface ExportJob {
  id: string;
  status: 'running' | 'done' | 'failed';
  scope: { level: number; unit: string | null; from: string | null; to: string };
  createdAt: string;
  progress: { phase: string; done: number; total: number };
  verification: { ok: boolean } | null;
}

export function EvidencePage() {
  const { t, date, pct } = useI18n();
  const list = useResource<{ items: ExportJob[] }>('/api/v1/evidence/exports', (d) => d.type === 'changed' && d.resource === 'evidence');
  const [level, setLevel] = useState('2');
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
      await api('/api/v1/evidence/exports', { method: 'POST', body: { level: Number(level), ...(from ? { from } : {}), ...(to ? { to } : {}) } });
      list.reload();
    } catch (e) {
      setErr(e instanceof Error ? e : new Error(String(e)));
    }
  };

  if (list.error instanceof ApiError && list.error.routeMissing) return <Card title={t('evTitle')} wide><Problem error={list.error} /></Card>;
  return (
    <Card title={t('evTitle')} wide>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void start();
        }}
      >
        <label>
          {t('evLevel')}{' '}
          <select value={level} onChange={(e) => setLevel(e.currentTarget.value)}>
            {[1, 2, 3, 4, 5].map((l) => (
              <option value={String(l)}>{t('ovLevel', { level: l })}</option>
            ))}
          </select>
        </label>
        <label>
          {t('evFrom')} <input type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label>
          {t('evTo')} <input type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
        </label>
        <button type="submit">{t('evStart')}</button>
      </form>
      {err && <Problem error={err} />}
      {list.error ? <Problem error={list.error} /> : !list.data ? <Loading /> : (
        <table class="data">
          <thead>
            <tr>
              <th>{t('seCreated')}</th>
              <th>{t('evLevel')}</th>
              <th>{t('evProgress')}</th>
              <th>{t('evVerified')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((j) => (
              <tr>
                <td>{date(j.createdAt)}</td>
                <td>{t('ovLevel', { level: j.scope.level })}</td>
                <td>{j.status === 'running' ? `${j.progress.phase} ${pct(j.progress.total ? j.progress.done / j.progress.total : 0)}` : j.status}</td>
                <td>{j.verification === null ? t('unknown') : j.verification.ok ? t('yes') : t('no')}</td>
                <td>{j.status === 'done' ? <a href={`/api/v1/evidence/exports/${encodeURIComponent(j.id)}/download`}>{t('evDownload')}</a> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}
