// The fleet table: server-side paging and filtering (fluid with 10,000 agents: the page holds one page of
// rows), search, and CSV export of everything that matches the filters, fetched page by page.
import { useState } from 'preact/hooks';
import { api, qs } from '../api.js';
import { toCsv } from '../csv.js';
import { useI18n } from '../i18n/index.js';
import type { Delta } from '../live.js';
import { currentQuery, navigate, routeStore } from '../router.js';
import { useStore } from '../store.js';
import { useResource } from '../use-resource.js';
import { Link, Loading, Problem, StateBadge } from '../components/ui.js';
import { STATES } from './overview.js';

export interface AgentSummary {
  id: string;
  unitId: string;
  hostname: string;
  platform: string;
  agentVersion: string;
  enrolledAt: string;
  lastSeenAt: string | null;
  state: string;
  stateSince: string;
  stateReason: string;
}

interface Page {
  total: number;
  items: AgentSummary[];
}

// The API's default page size. limit and offset are sent only when they differ from the defaults: GET /agents
// currently refuses numeric query parameters (its schema wants integers and the app does not coerce query text).
const PAGE = 100;
const paging = (limit: number, offset: number) => ({ limit: limit === PAGE ? undefined : limit, offset: offset || undefined });
const fleetDelta = (d: Delta) => d.type.startsWith('agent.');

export function AgentsPage() {
  const { t, td, date } = useI18n();
  useStore(routeStore);
  const q = currentQuery();
  const filters = { state: q.get('state') ?? '', unit: q.get('unit') ?? '', q: q.get('q') ?? '' };
  const offset = Math.max(0, Number(q.get('offset') ?? 0) || 0);
  const [search, setSearch] = useState(filters.q);
  const [exporting, setExporting] = useState<string | null>(null);
  const [exportError, setExportError] = useState<Error | null>(null);
  const units = useResource<{ items: { id: string; name: string }[] }>('/api/v1/units');
  const page = useResource<Page>(`/api/v1/agents${qs({ ...filters, ...paging(PAGE, offset) })}`, fleetDelta);

  const go = (change: Record<string, string | number>) => {
    const next = { ...filters, offset: 0, ...change };
    navigate(`/agents${qs(next)}`);
  };

  const header = [t('agHost'), t('agId'), t('agUnit'), t('agState'), t('agStateSince'), t('agLastSeen'), t('agOs'), t('agVersion')];
  const exportCsv = async () => {
    const rows: unknown[][] = [];
    let total = Infinity;
    for (let off = 0; off < total; off += PAGE) {
      const p = await api<Page>(`/api/v1/agents${qs({ ...filters, ...paging(PAGE, off) })}`);
      total = p.total;
      setExporting(t('agExporting', { done: Math.min(off + PAGE, total), total }));
      for (const a of p.items) rows.push([a.hostname, a.id, a.unitId, a.state, a.stateSince, a.lastSeenAt ?? '', a.platform, a.agentVersion]);
      if (!p.items.length) break;
    }
    // BOM so spreadsheet programs read the Vietnamese text as UTF-8.
    const blob = new Blob(['\ufeff' + toCsv(header, rows)], { type: 'text/csv;charset=utf-8' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `soclite-agents-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.csv`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    setExporting(null);
  };

  return (
    <section class="card wide">
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          go({ q: search });
        }}
      >
        <input type="search" placeholder={t('agSearch')} aria-label={t('agSearch')} value={search} onInput={(e) => setSearch(e.currentTarget.value)} data-testid="agent-search" />
        <label>
          {t('agState')}{' '}
          <select value={filters.state} onChange={(e) => go({ state: e.currentTarget.value })} data-testid="filter-state">
            <option value="">{t('all')}</option>
            {[...STATES, 'retired'].map((s) => (
              <option value={s}>{td('state_', s)}</option>
            ))}
          </select>
        </label>
        <label>
          {t('agUnit')}{' '}
          <select value={filters.unit} onChange={(e) => go({ unit: e.currentTarget.value })} data-testid="filter-unit">
            <option value="">{t('all')}</option>
            {(units.data?.items ?? []).map((u) => (
              <option value={u.id}>{u.name}</option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => {
            setExportError(null);
            exportCsv().catch((e: Error) => {
              setExporting(null);
              setExportError(e);
            });
          }} disabled={exporting !== null} data-testid="export-csv">
          {exporting ?? t('agExportCsv')}
        </button>
      </form>
      {exportError && <Problem error={exportError} />}
      {page.error ? <Problem error={page.error} retry={page.reload} /> : !page.data ? <Loading /> : (
        <>
          <table class="data" data-testid="agents-table">
            <thead>
              <tr>
                <th>{t('agHost')}</th>
                <th>{t('agState')}</th>
                <th>{t('agStateSince')}</th>
                <th>{t('agLastSeen')}</th>
                <th>{t('agOs')}</th>
                <th>{t('agUnit')}</th>
              </tr>
            </thead>
            <tbody>
              {page.data.items.map((a) => (
                <tr key={a.id} data-agent={a.id}>
                  <td>
                    <Link to={`/agents/${encodeURIComponent(a.id)}`} class="host">
                      {a.hostname}
                    </Link>
                  </td>
                  <td>
                    <StateBadge state={a.state} />
                  </td>
                  <td>{date(a.stateSince)}</td>
                  <td>{date(a.lastSeenAt)}</td>
                  <td>{a.platform}</td>
                  <td>{a.unitId}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {!page.data.items.length && <p class="muted">{t('agNone')}</p>}
          <div class="pager">
            <span class="muted">
              {t('agSort')} · {t('agCount', { from: page.data.total ? offset + 1 : 0, to: Math.min(offset + PAGE, page.data.total), total: page.data.total })}
            </span>
            <button disabled={offset === 0} onClick={() => go({ offset: Math.max(0, offset - PAGE) })}>
              {t('agPrev')}
            </button>
            <button disabled={offset + PAGE >= page.data.total} onClick={() => go({ offset: offset + PAGE })}>
              {t('agNext')}
            </button>
          </div>
        </>
      )}
    </section>
  );
}
