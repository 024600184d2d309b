// The triage queue: filters by status and severity; acknowledge, assign, resolve, suppress (reason + expiry)
// and notes. Every action goes to the API; the list re-fetches when any page (this one or another) changes an
// alert, because the live socket says so.
import { useState } from 'preact/hooks';
import { api, qs, ApiError } from '../api.js';
import { useI18n } from '../i18n/index.js';
import type { Delta } from '../live.js';
import { currentQuery, navigate, routeStore } from '../router.js';
import { sessionStore } from '../session.js';
import { useStore } from '../store.js';
import { useResource } from '../use-resource.js';
import { Link, Loading, Problem } from '../components/ui.js';

interface Alert {
  id: string;
  agentId: string;
  kind: string;
  severity: string;
  status: string;
  title: { vi: string; en: string };
  details: Record<string, string | number | boolean>;
  occurrences: number;
  createdAt: string;
  lastSeenAt: string;
  assignee: string | null;
  suppressedUntil: string | null;
}

const STATUSES = ['open', 'acknowledged', 'suppressed', 'resolved'];
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];
const concerns = (d: Delta) => d.type === 'alert' || (d.type === 'changed' && d.resource === 'alerts');

function Actions(p: { a: Alert; onDone: () => void }) {
  const { t } = useI18n();
  const me = useStore(sessionStore)?.username ?? '';
  const [mode, setMode] = useState<'' | 'resolve' | 'suppress' | 'note'>('');
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState(() => new Date(Date.now() + 24 * 3600_000).toISOString().slice(0, 16));
  const [err, setErr] = useState('');
  const act = async (path: string, body?: unknown) => {
    setErr('');
    try {
      await api(`/api/v1/alerts/${encodeURIComponent(p.a.id)}/${path}`, { method: 'POST', body });
      setMode('');
      setReason('');
      p.onDone();
    } catch (e) {
      setErr(e instanceof ApiError ? e.message : String(e));
    }
  };
  const closed = p.a.status === 'resolved';
  return (
    <div class="actions">
      {p.a.status === 'open' && (
        <button onClick={() => act('acknowledge')} data-testid="alert-ack">
          {t('alAck')}
        </button>
      )}
      {!closed && <button onClick={() => act('assign', { assignee: me })}>{t('alAssign')}</button>}
      {!closed && <button onClick={() => setMode('resolve')}>{t('alResolve')}</button>}
      {!closed && <button onClick={() => setMode('suppress')}>{t('alSuppress')}</button>}
      <button onClick={() => setMode('note')}>{t('alNote')}</button>
      {mode && (
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (mode === 'resolve') void act('resolve', { resolution: reason });
            if (mode === 'note') void act('notes', { text: reason });
            if (mode === 'suppress') void act('suppress', { reason, until: new Date(until).toISOString() });
          }}
        >
          <input required placeholder={t('alReason')} aria-label={t('alReason')} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          {mode === 'suppress' && (
            <label>
              {t('alExpiry')} <input type="datetime-local" required value={until} onInput={(e) => setUntil(e.currentTarget.value)} />
            </label>
          )}
          <button type="submit">{t('save')}</button>
          <button type="button" onClick={() => setMode('')}>
            {t('cancel')}
          </button>
        </form>
      )}
      {err && <span class="error">{err}</span>}
    </div>
  );
}

export function AlertsPage() {
  const { t, td, date, lang } = useI18n();
  useStore(routeStore);
  const q = currentQuery();
  const status = q.get('status') ?? 'open,acknowledged';
  const severity = q.get('severity') ?? '';
  const list = useResource<{ total: number; items: Alert[] }>(`/api/v1/alerts${qs({ status, severity, limit: 200 })}`, concerns);
  const go = (c: Record<string, string>) => navigate(`/alerts${qs({ status, severity, ...c })}`);

  return (
    <section class="card wide">
      <div class="filters">
        <label>
          {t('alStatus')}{' '}
          <select value={status} onChange={(e) => go({ status: e.currentTarget.value })} data-testid="filter-status">
            <option value="open,acknowledged">{`${td('alst_', 'open')} + ${td('alst_', 'acknowledged')}`}</option>
            {STATUSES.map((s) => (
              <option value={s}>{td('alst_', s)}</option>
            ))}
          </select>
        </label>
        <label>
          {t('alSeverity')}{' '}
          <select value={severity} onChange={(e) => go({ severity: e.currentTarget.value })}>
            <option value="">{t('all')}</option>
            {SEVERITIES.map((s) => (
              <option value={s}>{td('sev_', s)}</option>
            ))}
          </select>
        </label>
      </div>
      {list.error ? <Problem error={list.error} retry={list.reload} /> : !list.data ? <Loading /> : list.data.items.length === 0 ? (
        <p class="muted">{t('alNone')}</p>
      ) : (
        <table class="data" data-testid="alerts-table">
          <thead>
            <tr>
              <th>{t('alSeverity')}</th>
              <th>{t('alRule')}</th>
              <th>{t('alAgent')}</th>
              <th>{t('alStatus')}</th>
              <th>{t('alRaised')}</th>
              <th>{t('alAssignee')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((a) => (
              <tr key={a.id} data-alert={a.id} data-status={a.status}>
                <td>
                  <span class={`badge sev-${SEVERITIES.includes(a.severity) ? a.severity : 'info'}`}>{td('sev_', a.severity)}</span>
                </td>
                <td>
                  {a.title[lang]}
                  <div class="muted mono">{Object.entries(a.details).slice(0, 3).map(([k, v]) => `${k}=${String(v)}`).join(' · ')}</div>
                </td>
                <td>
                  <Link to={`/agents/${encodeURIComponent(a.agentId)}`}>{String(a.details.hostname ?? a.agentId)}</Link>
                </td>
                <td data-testid="alert-status">
                  {td('alst_', a.status)}
                  {a.suppressedUntil && a.status === 'suppressed' && <div class="muted">{date(a.suppressedUntil)}</div>}
                </td>
                <td>{date(a.createdAt)}</td>
                <td>{a.assignee ?? '—'}</td>
                <td>
                  <Actions a={a} onDone={list.reload} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
