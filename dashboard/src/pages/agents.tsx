// The fleet table: every filter, sort and page is done by the server (GET /api/v1/agents), so the page holds
// one page of rows however large the fleet is. The URL carries the whole view, so a filtered page can be
// reloaded, bookmarked and sent to a colleague. CSV export fetches the filtered set page by page.
import { useRef, useState } from 'preact/hooks';
import { api, qs } from '../api.js';
import { toCsv } from '../csv.js';
import { useI18n } from '../i18n/index.js';
import type { Delta } from '../live.js';
import { currentQuery, navigate, routeStore } from '../router.js';
import { useStore } from '../store.js';
import { useResource } from '../use-resource.js';
import { AvBadge, Link, Loading, Problem, StateBadge } from '../components/ui.js';
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
  /** Alerts not yet resolved. */
  activeAlerts: number;
}

export interface AgentRow extends AgentSummary {
  level: number;
  avStatus: string;
}

interface Page {
  total: number;
  items: AgentRow[];
}

/** The filters GET /api/v1/agents understands, by their query-string names (the same names in our URL). */
const FILTER_KEYS = ['q', 'state', 'unit', 'system', 'level', 'os', 'av', 'failingControl'] as const;
type FilterKey = (typeof FILTER_KEYS)[number];
const SORT_KEYS = ['hostname', 'state', 'lastSeenAt', 'platform', 'unit', 'enrolledAt'] as const;
type SortKey = (typeof SORT_KEYS)[number];
const PAGE_SIZES = [50, 100, 200, 500];
const OS_VALUES = ['linux', 'windows', 'darwin', 'other'];
const AV_VALUES = ['protected', 'degraded', 'unprotected', 'unknown'];

const fleetDelta = (d: Delta) => d.type.startsWith('agent.') || (d.type === 'changed' && (d.resource === 'agents' || d.resource === 'systems'));

interface View {
  filters: Record<FilterKey, string>;
  sort: SortKey;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

function readView(q: URLSearchParams): View {
  const filters = Object.fromEntries(FILTER_KEYS.map((k) => [k, q.get(k) ?? ''])) as Record<FilterKey, string>;
  const sort = (SORT_KEYS as readonly string[]).includes(q.get('sort') ?? '') ? (q.get('sort') as SortKey) : 'hostname';
  const limit = PAGE_SIZES.includes(Number(q.get('limit'))) ? Number(q.get('limit')) : 100;
  return { filters, sort, order: q.get('order') === 'desc' ? 'desc' : 'asc', limit, offset: Math.max(0, Math.floor(Number(q.get('offset') ?? 0)) || 0) };
}

/** The API query for a view: defaults left out, so the URL stays short. */
const apiQuery = (v: View, limit: number, offset: number) =>
  qs({ ...v.filters, sort: v.sort === 'hostname' ? undefined : v.sort, order: v.order === 'asc' ? undefined : v.order, limit, offset: offset || undefined });

const pageUrl = (v: View) =>
  `/agents${qs({ ...v.filters, sort: v.sort === 'hostname' ? undefined : v.sort, order: v.order === 'asc' ? undefined : v.order, limit: v.limit === 100 ? undefined : v.limit, offset: v.offset || undefined })}`;

function SortHeader(p: { view: View; col: SortKey; label: string; go: (c: Partial<View>) => void }) {
  const active = p.view.sort === p.col;
  const next = active && p.view.order === 'asc' ? 'desc' : 'asc';
  return (
    <th aria-sort={active ? (p.view.order === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" class={`sort ${active ? 'sorted' : ''}`} data-testid={`sort-${p.col}`} onClick={() => p.go({ sort: p.col, order: next, offset: 0 })}>
        {p.label}
        <span class="arrow">{active ? (p.view.order === 'asc' ? ' ▲' : ' ▼') : ' ↕'}</span>
      </button>
    </th>
  );
}

function FilterSelect(p: { label: string; testId: string; value: string; onChange: (v: string) => void; options: { value: string; label: string }[] }) {
  const { t } = useI18n();
  return (
    <label>
      {p.label}{' '}
      <select value={p.value} onChange={(e) => p.onChange(e.currentTarget.value)} data-testid={p.testId}>
        <option value="">{t('all')}</option>
        {p.options.map((o) => (
          <option value={o.value}>{o.label}</option>
        ))}
        {/* a value from a bookmarked URL that the lists no longer hold stays visible rather than silently dropped */}
        {p.value && !p.options.some((o) => o.value === p.value) && <option value={p.value}>{p.value}</option>}
      </select>
    </label>
  );
}

export function AgentsPage() {
  const { t, td, date, lang } = useI18n();
  useStore(routeStore);
  const view = readView(currentQuery());
  const [search, setSearch] = useState(view.filters.q);
  const [exporting, setExporting] = useState<{ done: number; total: number } | null>(null);
  const [exportError, setExportError] = useState<Error | null>(null);
  const cancelled = useRef(false);
  const units = useResource<{ items: { id: string; name: string }[] }>('/api/v1/units');
  const systems = useResource<{ id: string; name: string; unitId: string; level: number }[]>('/api/v1/systems', (d) => d.type === 'changed' && d.resource === 'systems');
  const controls = useResource<{ controls: { controlId: string; title: { vi: string; en: string }; fail: number }[] }>('/api/v1/compliance');
  const page = useResource<Page>(`/api/v1/agents${apiQuery(view, view.limit, view.offset)}`, fleetDelta);

  const go = (change: Partial<Omit<View, 'filters'>> & { filters?: Partial<Record<FilterKey, string>> }) => {
    const { filters, ...rest } = change;
    const next: View = { ...view, offset: 0, ...rest, filters: { ...view.filters, ...filters } };
    navigate(pageUrl(next));
  };
  const setFilter = (k: FilterKey) => (v: string) => go({ filters: { [k]: v } as Partial<Record<FilterKey, string>> });
  const anyFilter = FILTER_KEYS.some((k) => view.filters[k]);

  const header = [t('agHost'), t('agId'), t('agUnit'), t('agLevel'), t('agState'), t('agStateSince'), t('agLastSeen'), t('agOs'), t('agAv'), t('agAlerts'), t('agVersion'), t('agEnrolled')];
  const exportCsv = async () => {
    cancelled.current = false;
    const rows: unknown[][] = [];
    const seen = new Set<string>();
    let total = Infinity;
    setExporting({ done: 0, total: page.data?.total ?? 0 });
    // The same pages the table shows (rows per page as chosen): each request stays small and bounded, and the
    // progress moves page by page however large the filtered set is.
    for (let off = 0; off < total; off += view.limit) {
      if (cancelled.current) return setExporting(null);
      const p = await api<Page>(`/api/v1/agents${apiQuery(view, view.limit, off)}`);
      total = p.total;
      // A machine that moves between pages while the export runs (a new one sorts before it) is written once.
      for (const a of p.items) {
        if (seen.has(a.id)) continue;
        seen.add(a.id);
        rows.push([a.hostname, a.id, a.unitId, a.level, a.state, a.stateSince, a.lastSeenAt ?? '', a.platform, a.avStatus, a.activeAlerts, a.agentVersion, a.enrolledAt]);
      }
      setExporting({ done: Math.min(off + p.items.length, total), total });
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

  const total = page.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / view.limit));
  const current = Math.floor(view.offset / view.limit) + 1;
  const levelOptions = [1, 2, 3, 4, 5].map((l) => ({ value: String(l), label: t('ovLevel', { level: l }) }));

  return (
    <section class="card wide">
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          go({ filters: { q: search } });
        }}
      >
        <input type="search" placeholder={t('agSearch')} aria-label={t('agSearch')} value={search} onInput={(e) => setSearch(e.currentTarget.value)} data-testid="agent-search" />
        <FilterSelect label={t('agUnit')} testId="filter-unit" value={view.filters.unit} onChange={setFilter('unit')} options={(units.data?.items ?? []).map((u) => ({ value: u.id, label: u.name }))} />
        <FilterSelect label={t('agSystem')} testId="filter-system" value={view.filters.system} onChange={setFilter('system')} options={(systems.data ?? []).map((s) => ({ value: s.id, label: `${s.name} (${t('ovLevel', { level: s.level })})` }))} />
        <FilterSelect label={t('agLevel')} testId="filter-level" value={view.filters.level} onChange={setFilter('level')} options={levelOptions} />
        <FilterSelect label={t('agState')} testId="filter-state" value={view.filters.state} onChange={setFilter('state')} options={[...STATES, 'retired'].map((s) => ({ value: s, label: td('state_', s) }))} />
        <FilterSelect label={t('agOs')} testId="filter-os" value={view.filters.os} onChange={setFilter('os')} options={OS_VALUES.map((o) => ({ value: o, label: td('os_', o) }))} />
        <FilterSelect label={t('agAv')} testId="filter-av" value={view.filters.av} onChange={setFilter('av')} options={AV_VALUES.map((o) => ({ value: o, label: td('av_', o) }))} />
        <FilterSelect
          label={t('agFailingControl')}
          testId="filter-failing-control"
          value={view.filters.failingControl}
          onChange={setFilter('failingControl')}
          options={[...(controls.data?.controls ?? [])]
            .sort((a, b) => b.fail - a.fail || a.controlId.localeCompare(b.controlId))
            .map((c) => ({ value: c.controlId, label: `${c.controlId} — ${c.title[lang]} (${c.fail})` }))}
        />
        {anyFilter && (
          <button type="button" onClick={() => { setSearch(''); go({ filters: Object.fromEntries(FILTER_KEYS.map((k) => [k, ''])) as Record<FilterKey, string> }); }} data-testid="clear-filters">
            {t('agClearFilters')}
          </button>
        )}
        <span class="spacer" />
        {exporting ? (
          <span class="export-progress" data-testid="export-progress">
            <progress max={exporting.total || 1} value={exporting.done} />
            {t('agExporting', { done: exporting.done, total: exporting.total })}
            <button type="button" onClick={() => (cancelled.current = true)}>
              {t('cancel')}
            </button>
          </span>
        ) : (
          <button
            type="button"
            onClick={() => {
              setExportError(null);
              exportCsv().catch((e: Error) => {
                setExporting(null);
                setExportError(e);
              });
            }}
            disabled={!page.data || total === 0}
            data-testid="export-csv"
          >
            {t('agExportCsv', { n: total })}
          </button>
        )}
      </form>
      {exportError && <Problem error={exportError} />}
      {page.error ? <Problem error={page.error} retry={page.reload} /> : !page.data ? <Loading /> : (
        <>
          <table class="data" data-testid="agents-table" data-total={total} data-offset={view.offset}>
            <thead>
              <tr>
                <SortHeader view={view} col="hostname" label={t('agHost')} go={go} />
                <SortHeader view={view} col="state" label={t('agState')} go={go} />
                <th>{t('agLevel')}</th>
                <th>{t('agAv')}</th>
                <th>{t('agAlerts')}</th>
                <SortHeader view={view} col="lastSeenAt" label={t('agLastSeen')} go={go} />
                <SortHeader view={view} col="platform" label={t('agOs')} go={go} />
                <SortHeader view={view} col="unit" label={t('agUnit')} go={go} />
                <SortHeader view={view} col="enrolledAt" label={t('agEnrolled')} go={go} />
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
                    <div class="muted small">{date(a.stateSince)}</div>
                  </td>
                  <td class="num">{a.level}</td>
                  <td>
                    <AvBadge status={a.avStatus} />
                  </td>
                  <td class="num" data-testid="active-alerts">
                    {a.activeAlerts > 0 ? (
                      <Link to={`/agents/${encodeURIComponent(a.id)}`} class="badge alerts-open" title={t('agAlertsHint')}>
                        {a.activeAlerts}
                      </Link>
                    ) : (
                      <span class="muted">0</span>
                    )}
                  </td>
                  <td>{date(a.lastSeenAt)}</td>
                  <td>{a.platform}</td>
                  <td>{a.unitId}</td>
                  <td>{date(a.enrolledAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {!page.data.items.length && <p class="muted">{t('agNone')}</p>}
          <div class="pager" data-testid="pager">
            <span class="muted" data-testid="agents-count">
              {t('agCount', { from: total ? Math.min(view.offset + 1, total) : 0, to: Math.min(view.offset + view.limit, total), total })}
            </span>
            <label>
              {t('agPageSize')}{' '}
              <select value={String(view.limit)} onChange={(e) => go({ limit: Number(e.currentTarget.value) })} data-testid="page-size">
                {PAGE_SIZES.map((n) => (
                  <option value={String(n)}>{n}</option>
                ))}
              </select>
            </label>
            <button type="button" disabled={view.offset === 0} onClick={() => go({ offset: 0 })} data-testid="page-first">
              {t('agFirst')}
            </button>
            <button type="button" disabled={view.offset === 0} onClick={() => go({ offset: Math.max(0, view.offset - view.limit) })} data-testid="page-prev">
              {t('agPrev')}
            </button>
            <span data-testid="page-number">{t('agPage', { page: current, pages })}</span>
            <button type="button" disabled={view.offset + view.limit >= total} onClick={() => go({ offset: view.offset + view.limit })} data-testid="page-next">
              {t('agNext')}
            </button>
            <button type="button" disabled={view.offset + view.limit >= total} onClick={() => go({ offset: (pages - 1) * view.limit })} data-testid="page-last">
              {t('agLast')}
            </button>
          </div>
        </>
      )}
    </section>
  );
}
