// Compliance: level -> controls (pass/fail/unknown counts, daily trend from the collector's snapshots) ->
// machines with a chosen status for a control, with the control's rationale, remediation and its own trend.
// Level, unit, period, control and status live in the URL, so every view can be reloaded and shared.
import { useEffect, useRef } from 'preact/hooks';
import { useI18n } from '../i18n/index.js';
import type { Delta } from '../live.js';
import { currentQuery, navigate, routeStore } from '../router.js';
import { useStore } from '../store.js';
import { useResource } from '../use-resource.js';
import { Card, Link, Loading, Problem, StatusBadge } from '../components/ui.js';
import { TimeChart, dayToSeconds } from '../components/time-chart.js';
import { qs } from '../api.js';

interface Summary {
  /** A fleet-wide re-evaluation under way (counts only for users who see every unit). */
  reevaluation: { reason: 'policy_changed' | 'attestations_changed'; startedAt: string; percent: number; done?: number; total?: number } | null;
  levels: { level: number; agents: number; compliant: number; nonCompliant: number; unknown: number }[];
  controls: { controlId: string; pack: string; title: { vi: string; en: string }; severity: string; pass: number; fail: number; unknown: number; notApplicable: number }[];
}

/* eslint-disable @typescript-eslint/no-explicit-any -- the control explanation is an open document */
interface ControlDetail {
  control: any;
  agents: { agentId: string; hostname: string; unitId: string; level: number; reason: string | null; observed: unknown; expected: string; since: string }[];
}

export interface LevelPoint {
  day: string;
  level: number;
  compliant: number;
  nonCompliant: number;
  unknown: number;
}
export interface ControlPoint {
  day: string;
  pass: number;
  fail: number;
  unknown: number;
  notApplicable: number;
}

const STATUSES = ['fail', 'unknown', 'pass', 'not_applicable'] as const;
const PERIODS = [30, 90, 365];
const DETAIL_PAGE = 100;
const changes = (d: Delta) => d.type === 'agent.posture' || (d.type === 'changed' && (d.resource === 'systems' || d.resource === 'attestations'));

const text = (v: unknown, lang: 'vi' | 'en'): string =>
  v && typeof v === 'object' && lang in (v as object) ? String((v as Record<string, unknown>)[lang]) : v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);

/** While the collector evaluates every machine again, how far it has gone: the table below is still moving. */
function ReevaluationNotice(p: { r: NonNullable<Summary['reevaluation']> }) {
  const { t, date } = useI18n();
  const { r } = p;
  return (
    <p class="notice" role="status" data-testid="reevaluation">
      {t(r.reason === 'attestations_changed' ? 'coReevaluatingAttestations' : 'coReevaluatingPolicy', { since: date(r.startedAt) })}{' '}
      <progress max={100} value={r.percent} aria-label={t('coReevaluationProgress')} />{' '}
      {r.done !== undefined && r.total !== undefined ? t('coReevaluatedOf', { done: r.done, total: r.total, percent: r.percent }) : `${r.percent} %`}
    </p>
  );
}

/** How often the summary is fetched again while a re-evaluation runs (its progress sends no live delta). */
const REEVALUATION_POLL_MS = 5_000;

function LevelTrend(p: { level: number; points: LevelPoint[] }) {
  const { t } = useI18n();
  const pts = p.points.filter((x) => x.level === p.level);
  return (
    <div class="trend" data-testid={`trend-level-${p.level}`}>
      <h3>{t('ovLevel', { level: p.level })}</h3>
      {pts.length ? (
        <TimeChart
          times={pts.map((x) => dayToSeconds(x.day))}
          days={pts.map((x) => x.day)}
          xLabel={t('coDay')}
          series={[
            { label: t('ovCompliant'), color: '#2f855a', values: pts.map((x) => x.compliant) },
            { label: t('ovNonCompliant'), color: '#c53030', values: pts.map((x) => x.nonCompliant) },
            { label: t('ovUnknownShort'), color: '#718096', values: pts.map((x) => x.unknown) },
          ]}
          height={150}
        />
      ) : (
        <p class="muted">{t('coTrendEmpty')}</p>
      )}
    </div>
  );
}

export function CompliancePage() {
  const { t, td, lang, date } = useI18n();
  useStore(routeStore);
  const q = currentQuery();
  const level = /^[1-5]$/.test(q.get('level') ?? '') ? q.get('level')! : '';
  const unit = q.get('unit') ?? '';
  const control = q.get('control') ?? '';
  const status = (STATUSES as readonly string[]).includes(q.get('status') ?? '') ? q.get('status')! : 'fail';
  const days = PERIODS.includes(Number(q.get('days'))) ? Number(q.get('days')) : 90;
  const offset = Math.max(0, Math.floor(Number(q.get('offset') ?? 0)) || 0);
  const view = { level, unit, control, status: status === 'fail' ? '' : status, days: days === 90 ? '' : days };
  const go = (c: Record<string, string | number>, keepScroll = false) => navigate(`/compliance${qs({ ...view, offset: undefined, ...c })}`, { keepScroll });

  const units = useResource<{ items: { id: string; name: string }[] }>('/api/v1/units');
  const sum = useResource<Summary>(`/api/v1/compliance${qs({ level, unit })}`, changes);
  const trend = useResource<{ from: string; points: LevelPoint[] }>(`/api/v1/compliance/trend${qs({ level, unit, days })}`, changes);
  const det = useResource<ControlDetail>(
    control ? `/api/v1/compliance/controls/${encodeURIComponent(control)}${qs({ status, unit, limit: DETAIL_PAGE, offset: offset || undefined })}` : null,
    changes,
  );
  const ctrend = useResource<{ from: string; points: ControlPoint[] }>(control ? `/api/v1/compliance/trend${qs({ control, level, unit, days })}` : null, changes);
  const running = !!sum.data?.reevaluation;
  const reloadSummary = useRef(sum.reload);
  reloadSummary.current = sum.reload;
  useEffect(() => {
    if (!running) return;
    const id = window.setInterval(() => reloadSummary.current(), REEVALUATION_POLL_MS);
    return () => window.clearInterval(id);
  }, [running]);
  const counts = sum.data?.controls.find((c) => c.controlId === control);
  const trendLevels = level ? [Number(level)] : (sum.data?.levels ?? []).map((l) => l.level);

  return (
    <div class="grid">
      <Card title={t('coTitle')} wide>
        <div class="filters">
          <label>
            {t('coLevelFilter')}{' '}
            <select value={level} onChange={(e) => go({ level: e.currentTarget.value })} data-testid="filter-level">
              <option value="">{t('all')}</option>
              {[1, 2, 3, 4, 5].map((l) => (
                <option value={String(l)}>{t('ovLevel', { level: l })}</option>
              ))}
            </select>
          </label>
          <label>
            {t('agUnit')}{' '}
            <select value={unit} onChange={(e) => go({ unit: e.currentTarget.value })} data-testid="filter-unit">
              <option value="">{t('all')}</option>
              {(units.data?.items ?? []).map((u) => (
                <option value={u.id}>{u.name}</option>
              ))}
            </select>
          </label>
          <label>
            {t('coPeriod')}{' '}
            <select value={String(days)} onChange={(e) => go({ days: Number(e.currentTarget.value) === 90 ? '' : e.currentTarget.value })} data-testid="filter-days">
              {PERIODS.map((d) => (
                <option value={String(d)}>{t('coDays', { n: d })}</option>
              ))}
            </select>
          </label>
        </div>
        {sum.data?.reevaluation && <ReevaluationNotice r={sum.data.reevaluation} />}
        {sum.error ? <Problem error={sum.error} retry={sum.reload} /> : !sum.data ? <Loading /> : (
          <table class="data" data-testid="levels">
            <thead>
              <tr>
                <th>{t('coLevelFilter')}</th>
                <th class="num">{t('total')}</th>
                <th class="num">{t('ovCompliant')}</th>
                <th class="num">{t('ovNonCompliant')}</th>
                <th class="num">{t('ovUnknownShort')}</th>
              </tr>
            </thead>
            <tbody>
              {sum.data.levels.map((l) => (
                <tr>
                  <td>
                    <Link to={`/compliance${qs({ ...view, level: l.level })}`}>{t('ovLevel', { level: l.level })}</Link>
                  </td>
                  <td class="num">{l.agents}</td>
                  <td class="num">{l.compliant}</td>
                  <td class="num">{l.nonCompliant}</td>
                  <td class="num">{l.unknown}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>

      {control && (
      <Card title={t('coControlTitle', { control })} wide testId="control-detail">
        {det.error ? <Problem error={det.error} retry={det.reload} /> : !det.data ? <Loading /> : (
          <>
            <p>
              <b>{text(det.data.control.title, lang)}</b>
            </p>
            <h3>{t('coRationale')}</h3>
            <p>{text(det.data.control.rationale, lang)}</p>
            <h3>{t('coRemediation')}</h3>
            <p>{text(det.data.control.remediation, lang)}</p>
            <h3>{t('coControlTrend')}</h3>
            {ctrend.error ? <Problem error={ctrend.error} /> : !ctrend.data ? <Loading /> : ctrend.data.points.length ? (
              <div data-testid="trend-control">
                <TimeChart
                  times={ctrend.data.points.map((x) => dayToSeconds(x.day))}
                  days={ctrend.data.points.map((x) => x.day)}
                  xLabel={t('coDay')}
                  series={[
                    { label: t('coPass'), color: '#2f855a', values: ctrend.data.points.map((x) => x.pass) },
                    { label: t('coFail'), color: '#c53030', values: ctrend.data.points.map((x) => x.fail) },
                    { label: t('coUnknown'), color: '#718096', values: ctrend.data.points.map((x) => x.unknown) },
                    { label: t('coNa'), color: '#a0aec0', values: ctrend.data.points.map((x) => x.notApplicable) },
                  ]}
                  height={150}
                />
              </div>
            ) : (
              <p class="muted">{t('coTrendEmpty')}</p>
            )}
            <div class="tabs" role="tablist" data-testid="status-tabs">
              {STATUSES.map((s) => (
                <button
                  type="button"
                  role="tab"
                  aria-selected={s === status}
                  class={s === status ? 'tab active' : 'tab'}
                  data-status={s}
                  onClick={() => go({ status: s === 'fail' ? '' : s }, true)}
                >
                  {t('coMachinesWith', { status: td('status_', s) })}
                  {counts && ` (${{ fail: counts.fail, unknown: counts.unknown, pass: counts.pass, not_applicable: counts.notApplicable }[s]})`}
                </button>
              ))}
            </div>
            {det.data.agents.length ? (
              <table class="data" data-testid="control-machines" data-status={status}>
                <thead>
                  <tr>
                    <th>{t('agHost')}</th>
                    <th>{t('adStatus')}</th>
                    <th>{t('adObserved')}</th>
                    <th>{t('adExpected')}</th>
                    <th>{t('adSince')}</th>
                  </tr>
                </thead>
                <tbody>
                  {det.data.agents.map((a) => (
                    <tr data-agent={a.agentId}>
                      <td>
                        <Link to={`/agents/${encodeURIComponent(a.agentId)}`} class="host">
                          {a.hostname}
                        </Link>
                        <div class="muted small">{a.unitId}</div>
                      </td>
                      <td>
                        <StatusBadge status={status} />
                        {a.reason && <div class="muted small">{a.reason}</div>}
                      </td>
                      <td class="mono">{text(a.observed, lang)}</td>
                      <td class="mono">{a.expected}</td>
                      <td>{date(a.since)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p class="muted">{t('coNoneWithStatus', { status: td('status_', status) })}</p>
            )}
            {(offset > 0 || det.data.agents.length === DETAIL_PAGE) && (
              <div class="pager">
                <button type="button" disabled={offset === 0} onClick={() => go({ offset: Math.max(0, offset - DETAIL_PAGE) || '' })}>
                  {t('agPrev')}
                </button>
                <button type="button" disabled={det.data.agents.length < DETAIL_PAGE} onClick={() => go({ offset: offset + DETAIL_PAGE })}>
                  {t('agNext')}
                </button>
              </div>
            )}
            {status === 'fail' && det.data.agents.length > 0 && (
              <p>
                <Link to={`/agents${qs({ failingControl: control, unit })}`}>{t('coOpenInAgents')}</Link>
              </p>
            )}
          </>
        )}
      </Card>
      )}
      <Card title={t('coTrend')} wide testId="trend">
        <p class="muted">{t('coTrendNote', { days })}</p>
        {trend.error ? <Problem error={trend.error} retry={trend.reload} /> : !trend.data || !sum.data ? <Loading /> : !trendLevels.length ? (
          <p class="muted">{t('coTrendEmpty')}</p>
        ) : (
          <div class="trends">
            {trendLevels.map((l) => (
              <LevelTrend level={l} points={trend.data!.points} />
            ))}
          </div>
        )}
      </Card>

      {sum.data && (
        <Card title={t('coControls')} wide testId="controls">
          {!control && <p class="muted">{t('coPickControl')}</p>}
          <table class="data">
            <thead>
              <tr>
                <th>{t('adControl')}</th>
                <th>{t('coSeverity')}</th>
                <th class="num">{t('coPass')}</th>
                <th class="num">{t('coFail')}</th>
                <th class="num">{t('coUnknown')}</th>
                <th class="num">{t('coNa')}</th>
              </tr>
            </thead>
            <tbody>
              {[...sum.data.controls]
                .sort((a, b) => b.fail - a.fail || b.unknown - a.unknown || a.controlId.localeCompare(b.controlId))
                .map((c) => (
                  <tr class={c.controlId === control ? 'selected' : ''} data-control={c.controlId}>
                    <td>
                      <Link to={`/compliance${qs({ ...view, control: c.controlId, status: '' })}`}>
                        <code>{c.controlId}</code> {c.title[lang]}
                      </Link>
                    </td>
                    <td>
                      <span class={`badge sev-${/^[a-z]+$/.test(c.severity) ? c.severity : 'info'}`}>{td('sev_', c.severity)}</span>
                    </td>
                    <td class="num">{c.pass}</td>
                    <td class="num">{c.fail}</td>
                    <td class="num">{c.unknown}</td>
                    <td class="num">{c.notApplicable}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </Card>
      )}

    </div>
  );
}
