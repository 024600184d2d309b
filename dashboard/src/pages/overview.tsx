// The landing page: in ten seconds, how many machines report, which lack protection, which are unpatched or
// exposed, how each security level stands, what is failing most, which alerts are open, and what just happened.
import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../i18n/index.js';
import { onLive, type Delta } from '../live.js';
import { useResource } from '../use-resource.js';
import { AvBadge, Card, Link, Loading, Problem, StackedBar, Stat, StateBadge } from '../components/ui.js';
import type { AgentRow } from './agents.js';
import { TimeChart } from '../components/time-chart.js';

export interface Overview {
  generatedAt: string;
  total: number;
  byState: Record<string, number>;
  withoutPosture: number;
  av: { protected: number; degraded: number; unprotected: number; unknown: number; coverageRatio: number };
  patches: { upToDate: number; missingSecurity: number; rebootRequired: number; unknown: number; complianceRatio: number };
  exposure: { machinesWithRiskyServices: number; unknown: number; byService: { port: number; service: string; machines: number }[] };
  os: { name: string; machines: number }[];
}

interface Compliance {
  levels: { level: number; agents: number; compliant: number; nonCompliant: number; unknown: number }[];
  controls: { controlId: string; title: { vi: string; en: string }; severity: string; pass: number; fail: number; unknown: number }[];
}

interface AlertList {
  total: number;
}

export const STATES = ['online', 'late', 'offline', 'missing', 'stopped'] as const;
const STATE_TONES: Record<string, string> = { online: 'good', late: 'warn', offline: 'bad', missing: 'grey', stopped: 'muted' };
const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

const fleetDelta = (d: Delta) => d.type.startsWith('agent.');
const complianceDelta = (d: Delta) => d.type === 'agent.posture' || d.type === 'agent.enrolled' || (d.type === 'changed' && d.resource === 'systems');
const alertDelta = (d: Delta) => d.type === 'alert' || (d.type === 'changed' && d.resource === 'alerts');

/** Online/late/offline counts sampled whenever the overview refreshes, for the chart of this session. */
const history: { t: number; counts: Record<string, number> }[] = [];

function Feed() {
  const { t, td, date } = useI18n();
  const [items, setItems] = useState<(Delta & { n: number })[]>([]);
  useEffect(() => {
    let n = 0;
    return onLive((d) => {
      if (d === 'resync') return;
      setItems((old) => [...d.map((x) => ({ ...x, n: ++n + Date.now() })).reverse(), ...old].slice(0, 30));
    });
  }, []);
  if (!items.length) return <p class="muted">{t('ovFeedEmpty')}</p>;
  const text = (d: Delta) => {
    const host = d.hostname ?? d.agentId ?? '';
    switch (d.type) {
      case 'agent.enrolled':
        return t('feed_agent_enrolled', { host });
      case 'agent.state':
        return t('feed_agent_state', { host, from: td('state_', d.from ?? ''), to: td('state_', d.to ?? ''), reason: d.reason ?? '' });
      case 'agent.posture':
        return t('feed_agent_posture', { host });
      case 'agent.event':
        return t('feed_agent_event', { host, event: td('event_', d.eventType ?? '') });
      case 'alert':
        return `${td('sev_', (d as Delta & { severity?: string }).severity ?? '')} · ${td('alst_', (d as Delta & { status?: string }).status ?? '')} · ${d.agentId ?? ''}`;
      default:
        return t('feed_changed', { resource: d.resource ?? d.type });
    }
  };
  return (
    <ul class="feed" data-testid="feed">
      {items.map((d) => (
        <li key={d.n}>
          <time>{date(d.at)}</time>
          {d.agentId ? <Link to={`/agents/${encodeURIComponent(d.agentId)}`}>{text(d)}</Link> : <span>{text(d)}</span>}
        </li>
      ))}
    </ul>
  );
}

export function OverviewPage() {
  const { t, td, pct, lang, date } = useI18n();
  const ov = useResource<Overview>('/api/v1/overview', fleetDelta);
  const co = useResource<Compliance>('/api/v1/compliance', complianceDelta);
  // The machines enrolled last: right after `npm start` (or enrolling a new one) it is there by name.
  const newest = useResource<{ items: AgentRow[] }>('/api/v1/agents?sort=enrolledAt&order=desc&limit=5', fleetDelta);
  // One count per severity: the API's total, not a client-side count of a page that might be truncated.
  const bySeverity = SEVERITIES.map((s) => useResource<AlertList>(`/api/v1/alerts?status=open,acknowledged&severity=${s}&limit=1`, alertDelta));
  const alertsError = bySeverity.find((r) => r.error)?.error;

  if (ov.data && (history.length === 0 || history[history.length - 1]!.t !== Date.parse(ov.data.generatedAt))) {
    history.push({ t: Date.parse(ov.data.generatedAt), counts: ov.data.byState });
    if (history.length > 500) history.shift();
  }

  return (
    <div class="grid">
      <Card title={t('ovAgents')} wide testId="card-agents">
        {ov.error ? <Problem error={ov.error} retry={ov.reload} /> : !ov.data ? <Loading /> : (
          <>
            <p class="muted">
              {t('ovAgentsTotal', { n: ov.data.total })} · {t('updatedAt', { time: date(ov.updatedAt) })}
            </p>
            <div class="stats">
              {STATES.map((s) => (
                <Link to={`/agents?state=${s}`} class="stat-link">
                  <Stat value={ov.data!.byState[s] ?? 0} label={td('state_', s)} testId={`state-${s}`} tone={STATE_TONES[s]} />
                </Link>
              ))}
            </div>
            {history.length > 1 && history[history.length - 1]!.t - history[0]!.t >= 60_000 && (
              <TimeChart
                times={history.map((h) => h.t / 1000)}
                series={(['online', 'late', 'offline'] as const).map((s, i) => ({
                  label: td('state_', s),
                  color: ['#2f855a', '#b7791f', '#c53030'][i]!,
                  values: history.map((h) => h.counts[s] ?? 0),
                }))}
                height={140}
                xLabel={t('ovTime')}
              />
            )}
            {ov.data.withoutPosture > 0 && <p class="muted">{t('ovNoPosture', { n: ov.data.withoutPosture })}</p>}
          </>
        )}
      </Card>

      {ov.data && (
        <>
          <Card title={t('ovAvCoverage')} testId="card-av">
            <div class="big" data-testid="av-coverage">{pct(ov.data.av.coverageRatio)}</div>
            <StackedBar
              parts={(['protected', 'degraded', 'unprotected', 'unknown'] as const).map((k) => ({
                label: td('av_', k),
                value: ov.data!.av[k],
                tone: { protected: 'good', degraded: 'warn', unprotected: 'bad', unknown: 'grey' }[k],
              }))}
            />
          </Card>
          <Card title={t('ovPatch')} testId="card-patch">
            <div class="big" data-testid="patch-compliance">{pct(ov.data.patches.complianceRatio)}</div>
            <p>{t('ovPatchDetail', { upToDate: ov.data.patches.upToDate, missing: ov.data.patches.missingSecurity, unknown: ov.data.patches.unknown })}</p>
            <p class="muted">{t('ovRebootRequired', { n: ov.data.patches.rebootRequired })}</p>
          </Card>
          <Card title={t('ovExposure')} testId="card-exposure">
            <div class="big" data-testid="exposed-machines">{ov.data.exposure.machinesWithRiskyServices}</div>
            <p>{t('ovExposureDetail', { n: ov.data.exposure.machinesWithRiskyServices, unknown: ov.data.exposure.unknown })}</p>
            {ov.data.exposure.byService.length ? (
              <table class="compact">
                <tbody>
                  {ov.data.exposure.byService.slice(0, 6).map((s) => (
                    <tr>
                      <td>{s.service}</td>
                      <td class="num">{s.port}</td>
                      <td class="num">{s.machines}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p class="muted">{t('ovExposureNone')}</p>
            )}
          </Card>
        </>
      )}

      <Card title={t('ovCompliance')} testId="card-compliance">
        {co.error ? <Problem error={co.error} /> : !co.data ? <Loading /> : (
          <table class="compact">
            <tbody>
              {co.data.levels.map((l) => (
                <tr>
                  <th>{t('ovLevel', { level: l.level })}</th>
                  <td>
                    <StackedBar
                      parts={[
                        { label: t('ovCompliant'), value: l.compliant, tone: 'good' },
                        { label: t('ovNonCompliant'), value: l.nonCompliant, tone: 'bad' },
                        { label: t('ovUnknownShort'), value: l.unknown, tone: 'grey' },
                      ]}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>

      <Card title={t('ovTopFailing')} testId="card-top-failing">
        {co.error ? <Problem error={co.error} /> : !co.data ? <Loading /> : (
          <ol class="top">
            {[...co.data.controls]
              .filter((c) => c.fail > 0)
              .sort((a, b) => b.fail - a.fail)
              .slice(0, 8)
              .map((c) => (
                <li>
                  <Link to={`/compliance?control=${encodeURIComponent(c.controlId)}`}>
                    <code>{c.controlId}</code> {c.title[lang]}
                  </Link>{' '}
                  <b>{c.fail}</b>
                </li>
              ))}
          </ol>
        )}
      </Card>

      <Card title={t('ovAlerts')} testId="card-alerts">
        {alertsError ? <Problem error={alertsError} /> : bySeverity.some((r) => !r.data) ? <Loading /> : (
          <div class="stats">
            {SEVERITIES.map((s, i) => (
              <Link to={`/alerts?severity=${s}`} class="stat-link">
                <Stat value={bySeverity[i]!.data!.total} label={td('sev_', s)} testId={`alerts-${s}`} tone={`sev-${s}`} />
              </Link>
            ))}
          </div>
        )}
      </Card>

      <Card title={t('ovNewest')} testId="card-newest">
        {newest.error ? <Problem error={newest.error} /> : !newest.data ? <Loading /> : newest.data.items.length === 0 ? (
          <p class="muted">{t('ovNewestNone')}</p>
        ) : (
          <table class="compact">
            <tbody>
              {newest.data.items.map((a) => (
                <tr data-agent={a.id}>
                  <td>
                    <Link to={`/agents/${encodeURIComponent(a.id)}`} class="host" title={a.hostname}>
                      {a.hostname}
                    </Link>
                  </td>
                  <td>
                    <StateBadge state={a.state} />
                  </td>
                  <td>
                    <AvBadge status={a.avStatus} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>

      <Card title={t('ovFeed')} testId="card-feed">
        <Feed />
      </Card>

      {ov.data && (
        <Card title={t('ovOs')} testId="card-os">
          <table class="compact">
            <tbody>
              {ov.data.os.map((o) => (
                <tr>
                  <td>{o.name || t('unknown')}</td>
                  <td class="num">{o.machines}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
    </div>
  );
}
