// Compliance: level -> controls (pass/fail/unknown counts, trend during this session) -> machines failing the
// chosen control, with the control's rationale and remediation from the policy pack.
import { useI18n } from '../i18n/index.js';
import type { Delta } from '../live.js';
import { currentQuery, navigate, routeStore } from '../router.js';
import { useStore } from '../store.js';
import { useResource } from '../use-resource.js';
import { Card, Link, Loading, Problem } from '../components/ui.js';
import { TimeChart } from '../components/time-chart.js';
import { qs } from '../api.js';

interface Summary {
  levels: { level: number; agents: number; compliant: number; nonCompliant: number; unknown: number }[];
  controls: { controlId: string; pack: string; title: { vi: string; en: string }; severity: string; pass: number; fail: number; unknown: number; notApplicable: number }[];
}

/* eslint-disable @typescript-eslint/no-explicit-any -- the control explanation is an open document */
interface ControlDetail {
  control: any;
  agents: { agentId: string; hostname: string; unitId: string; reason: string | null; observed: unknown; expected: string; since: string }[];
}

const changes = (d: Delta) => d.type === 'agent.posture' || (d.type === 'changed' && (d.resource === 'systems' || d.resource === 'attestations'));
const trend: { t: number; level: number; compliant: number; nonCompliant: number; unknown: number }[] = [];

const text = (v: unknown, lang: 'vi' | 'en'): string =>
  v && typeof v === 'object' && lang in (v as object) ? String((v as Record<string, unknown>)[lang]) : v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);

export function CompliancePage() {
  const { t, lang, date } = useI18n();
  useStore(routeStore);
  const q = currentQuery();
  const level = q.get('level') ?? '';
  const control = q.get('control') ?? '';
  const sum = useResource<Summary>(`/api/v1/compliance${qs({ level })}`, changes);
  const det = useResource<ControlDetail>(control ? `/api/v1/compliance/controls/${encodeURIComponent(control)}?status=fail` : null, changes);

  if (sum.data) {
    const now = Date.now();
    for (const l of sum.data.levels) if (!trend.some((x) => x.level === l.level && now - x.t < 1000)) trend.push({ t: now, ...l });
  }
  const shownLevel = Number(level || sum.data?.levels[0]?.level || 1);
  const levelTrend = trend.filter((x) => x.level === shownLevel);

  return (
    <div class="grid">
      <Card title={t('coTitle')} wide>
        {sum.error ? <Problem error={sum.error} retry={sum.reload} /> : !sum.data ? <Loading /> : (
          <>
            <div class="filters">
              <label>
                {t('coLevelFilter')}{' '}
                <select value={level} onChange={(e) => navigate(`/compliance${qs({ level: e.currentTarget.value })}`)} data-testid="filter-level">
                  <option value="">{t('all')}</option>
                  {[1, 2, 3, 4, 5].map((l) => (
                    <option value={String(l)}>{t('ovLevel', { level: l })}</option>
                  ))}
                </select>
              </label>
            </div>
            <table class="data">
              <thead>
                <tr>
                  <th>{t('coLevelFilter')}</th>
                  <th>{t('total')}</th>
                  <th>{t('ovCompliant')}</th>
                  <th>{t('ovNonCompliant')}</th>
                  <th>{t('ovUnknownShort')}</th>
                </tr>
              </thead>
              <tbody>
                {sum.data.levels.map((l) => (
                  <tr>
                    <td>{t('ovLevel', { level: l.level })}</td>
                    <td class="num">{l.agents}</td>
                    <td class="num">{l.compliant}</td>
                    <td class="num">{l.nonCompliant}</td>
                    <td class="num">{l.unknown}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {levelTrend.length > 1 && levelTrend[levelTrend.length - 1]!.t - levelTrend[0]!.t >= 60_000 && (
              <>
                <h3>
                  {t('coTrend')} — {t('ovLevel', { level: shownLevel })}
                </h3>
                <TimeChart
                  times={levelTrend.map((x) => x.t / 1000)}
                  series={[
                    { label: t('ovCompliant'), color: '#2f855a', values: levelTrend.map((x) => x.compliant) },
                    { label: t('ovNonCompliant'), color: '#c53030', values: levelTrend.map((x) => x.nonCompliant) },
                    { label: t('ovUnknownShort'), color: '#718096', values: levelTrend.map((x) => x.unknown) },
                  ]}
                  height={140}
                />
              </>
            )}
          </>
        )}
      </Card>

      {sum.data && (
        <Card title={t('coControls')} wide testId="controls">
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
                  <tr class={c.controlId === control ? 'selected' : ''}>
                    <td>
                      <Link to={`/compliance${qs({ level, control: c.controlId })}`}>
                        <code>{c.controlId}</code> {c.title[lang]}
                      </Link>
                    </td>
                    <td>{c.severity}</td>
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

      <Card title={control ? t('coMachinesFailing', { control }) : t('coControls')} wide testId="control-detail">
        {!control ? <p class="muted">{t('coPickControl')}</p> : det.error ? <Problem error={det.error} /> : !det.data ? <Loading /> : (
          <>
            <p>
              <b>{text(det.data.control.title, lang)}</b>
            </p>
            <h3>{t('coRationale')}</h3>
            <p>{text(det.data.control.rationale, lang)}</p>
            <h3>{t('coRemediation')}</h3>
            <p>{text(det.data.control.remediation, lang)}</p>
            {det.data.agents.length ? (
              <table class="data">
                <thead>
                  <tr>
                    <th>{t('agHost')}</th>
                    <th>{t('adObserved')}</th>
                    <th>{t('adExpected')}</th>
                    <th>{t('adSince')}</th>
                  </tr>
                </thead>
                <tbody>
                  {det.data.agents.map((a) => (
                    <tr>
                      <td>
                        <Link to={`/agents/${encodeURIComponent(a.agentId)}`}>{a.hostname}</Link>
                      </td>
                      <td class="mono">{text(a.observed, lang)}</td>
                      <td class="mono">{a.expected}</td>
                      <td>{date(a.since)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p class="muted">{t('coNoneFailing')}</p>
            )}
          </>
        )}
      </Card>
    </div>
  );
}
