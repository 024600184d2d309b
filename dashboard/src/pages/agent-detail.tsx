// One machine: its posture as reported, its findings (observed vs expected, since when), and a timeline of
// liveness changes, events and alerts. Every value here came from the endpoint and is shown as text.
import { useI18n } from '../i18n/index.js';
import type { Delta } from '../live.js';
import { useResource } from '../use-resource.js';
import { AvBadge, Card, Link, Loading, Problem, StateBadge, StatusBadge } from '../components/ui.js';
import type { AgentSummary } from './agents.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- the posture is a validated but open document */
interface Detail {
  agent: AgentSummary;
  posture: any;
  stateHistory: { state: string; reason: string; at: string }[];
  events: { eventId: string; type: string; occurredAt: string; receivedAt: string; data: Record<string, unknown> }[];
}

interface Findings {
  level: number;
  systems: string[];
  findings: { controlId: string; title?: { vi: string; en: string }; status: string; observed: unknown; expected: string; since: string; reason: string | null }[];
}

interface Alerts {
  items: { id: string; severity: string; status: string; title: { vi: string; en: string }; createdAt: string }[];
}

const show = (v: unknown): string => (v === undefined || v === null ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));

function Facts(p: { rows: [string, unknown][] }) {
  const { t } = useI18n();
  return (
    <table class="facts">
      <tbody>
        {p.rows.map(([k, v]) => (
          <tr>
            <th>{k}</th>
            <td>{typeof v === 'boolean' ? (v ? t('yes') : t('no')) : show(v)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function AgentDetailPage(p: { id: string }) {
  const { t, td, date, lang } = useI18n();
  // booleans in the viewer's language; anything else (absent, or not a boolean) as it came
  const yesNo = (v: unknown) => (typeof v === 'boolean' ? (v ? t('yes') : t('no')) : show(v));
  const mine = (d: Delta) => d.agentId === p.id;
  const d = useResource<Detail>(`/api/v1/agents/${encodeURIComponent(p.id)}`, mine);
  const f = useResource<Findings>(`/api/v1/agents/${encodeURIComponent(p.id)}/findings`, mine);
  const al = useResource<Alerts>(`/api/v1/alerts?agent=${encodeURIComponent(p.id)}&limit=100`, (x) => x.type === 'alert' && mine(x));

  if (d.error) return <Problem error={d.error} retry={d.reload} />;
  if (!d.data) return <Loading />;
  const { agent, posture } = d.data;

  const timeline = [
    ...d.data.stateHistory.map((s) => ({ at: s.at, text: `${td('state_', s.state)} — ${s.reason}` })),
    ...d.data.events.map((e) => ({ at: e.occurredAt, text: `${td('event_', e.type)} — ${show(e.data.path ?? e.data.signature ?? '')}` })),
    ...(al.data?.items ?? []).map((a) => ({ at: a.createdAt, text: `${td('sev_', a.severity)} · ${a.title[lang]} (${td('alst_', a.status)})` })),
  ].sort((x, y) => y.at.localeCompare(x.at));

  return (
    <div class="grid">
      <div class="wide">
        <Link to="/agents">{t('adBack')}</Link>
        <h1 class="host-title" data-testid="agent-title">
          {t('adTitle', { host: agent.hostname })} <StateBadge state={agent.state} />
        </h1>
        <p class="muted">
          {agent.id} · {t('adUnit')}: {agent.unitId} · {t('agLastSeen')}: {date(agent.lastSeenAt)} · {agent.stateReason}
          {f.data && <> · {t('adLevel', { level: f.data.level })}</>}
        </p>
      </div>

      {!posture ? (
        <Card title={t('adPosture')}>
          <p class="muted">{t('adNoPosture')}</p>
        </Card>
      ) : (
        <>
          <Card title={t('adHostSection')} testId="posture-host">
            <Facts
              rows={[
                [t('adHostname'), posture.host?.hostname],
                [t('adOsName'), `${show(posture.host?.os?.name)} ${show(posture.host?.os?.version)}`],
                [t('adIps'), (posture.host?.ips ?? []).join(', ')],
                [t('agVersion'), posture.agent?.version],
              ]}
            />
          </Card>
          <Card title={t('adAv')} testId="posture-av">
            <p>
              <AvBadge status={String(posture.av?.status ?? 'unknown')} />
            </p>
            {(posture.av?.reasons ?? []).map((r: string) => (
              <p class="muted">{r}</p>
            ))}
            <table class="compact">
              <thead>
                <tr>
                  <th>{t('adProduct')}</th>
                  <th>{t('adRunning')}</th>
                  <th>{t('adRealtime')}</th>
                  <th>{t('adUpToDate')}</th>
                </tr>
              </thead>
              <tbody>
                {(posture.av?.products ?? []).map((x: any) => (
                  <tr>
                    <td>{show(x.name)}</td>
                    <td>{yesNo(x.running)}</td>
                    <td>{yesNo(x.realtime)}</td>
                    <td>{yesNo(x.upToDate)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
          <Card title={t('adPatches')} testId="posture-patches">
            <Facts
              rows={[
                [t('adPendingSecurity'), posture.patches?.pendingSecurity],
                [t('adPendingTotal'), posture.patches?.pendingTotal],
                [t('adRebootRequired'), posture.patches?.rebootRequired],
                [t('adLastInstall'), posture.patches?.lastInstallAt ? date(posture.patches.lastInstallAt) : undefined],
                [t('adFirewall'), posture.network?.firewall?.enabled],
              ]}
            />
          </Card>
          <Card title={t('adNetwork')} wide testId="posture-network">
            <table class="data">
              <thead>
                <tr>
                  <th>{t('adProcess')}</th>
                  <th>{t('adAddress')}</th>
                  <th>{t('adPort')}</th>
                  <th>{t('adExposed')}</th>
                </tr>
              </thead>
              <tbody>
                {(posture.network?.listening ?? []).slice(0, 200).map((s: any) => (
                  <tr>
                    <td class="process">{show(s.process)}</td>
                    <td>{`${show(s.proto)} ${show(s.address)}`}</td>
                    <td class="num">{show(s.port)}</td>
                    <td>{s.exposed ? t('yes') : t('no')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
          {(posture.agent?.probeErrors ?? []).length > 0 && (
            <Card title={t('adProbeErrors')}>
              <Facts rows={posture.agent.probeErrors.map((e: any) => [show(e.probe), e.error])} />
            </Card>
          )}
        </>
      )}

      <Card title={t('adFindings')} wide testId="findings">
        {f.error ? <Problem error={f.error} /> : !f.data ? <Loading /> : (
          <table class="data">
            <thead>
              <tr>
                <th>{t('adControl')}</th>
                <th>{t('adStatus')}</th>
                <th>{t('adObserved')}</th>
                <th>{t('adExpected')}</th>
                <th>{t('adSince')}</th>
              </tr>
            </thead>
            <tbody>
              {[...f.data.findings]
                .sort((a, b) => ['fail', 'unknown', 'pass', 'not_applicable'].indexOf(a.status) - ['fail', 'unknown', 'pass', 'not_applicable'].indexOf(b.status))
                .map((x) => (
                  <tr>
                    <td>
                      <code>{x.controlId}</code> {x.title?.[lang] ?? ''}
                    </td>
                    <td>
                      <StatusBadge status={x.status} />
                      {x.reason && <div class="muted">{x.reason}</div>}
                    </td>
                    <td class="mono">{show(x.observed)}</td>
                    <td class="mono">{x.expected}</td>
                    <td>{date(x.since)}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        )}
      </Card>

      <Card title={t('adTimeline')} wide testId="timeline">
        <ul class="feed">
          {timeline.slice(0, 100).map((x) => (
            <li>
              <time>{date(x.at)}</time> <span>{x.text}</span>
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}
