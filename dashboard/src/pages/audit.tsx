// The audit log for admins and auditors: who did what, from where, with what outcome, newest first, filtered by
// action and paged backwards by sequence number; above it, whether the hash chain still verifies (a broken
// chain names the first bad record). Only records about the viewer's units are listed (the API decides).
import { useI18n } from '../i18n/index.js';
import { currentQuery, navigate, routeStore } from '../router.js';
import { useStore } from '../store.js';
import { useResource } from '../use-resource.js';
import { Card, Loading, Problem } from '../components/ui.js';
import { qs } from '../api.js';

interface AuditRecord {
  seq: number;
  at: string;
  actor: { type: string; id: string | null; name: string; role: string | null };
  ip: string | null;
  action: string;
  target: { type: string; id: string } | null;
  unitIds: string[];
  outcome: string;
  details: Record<string, unknown>;
  hash: string;
}

interface Verdict {
  ok: boolean;
  records: number;
  headHash?: string;
  firstBadSeq?: number;
  problem?: string;
}

/** Actions the collector records (collector/http/routes, collector/audit): offered in the filter. */
const ACTIONS = [
  'session.login',
  'session.logout',
  'user.create',
  'user.role_change',
  'user.password_set',
  'user.password_change',
  'api_token.create',
  'api_token.revoke',
  'enrollment_token.create',
  'agent.enroll',
  'agent.retire',
  'agent.systems_set',
  'unit.create',
  'system.create',
  'attestation.create',
  'policy.change',
  'alert.acknowledge',
  'evidence.export',
  'evidence.export_finish',
  'evidence.download',
];
const PAGE = 100;

const brief = (d: Record<string, unknown>): string => {
  const s = JSON.stringify(d);
  return s === '{}' ? '' : s.length > 240 ? s.slice(0, 240) + '…' : s;
};

export function AuditPage() {
  const { t, td, date } = useI18n();
  useStore(routeStore);
  const q = currentQuery();
  const action = q.get('action') ?? '';
  const beforeSeq = /^[1-9][0-9]{0,15}$/.test(q.get('beforeSeq') ?? '') ? q.get('beforeSeq')! : '';
  const list = useResource<{ items: AuditRecord[] }>(`/api/v1/audit${qs({ action, beforeSeq, limit: PAGE })}`, (d) => d.type === 'changed');
  const verify = useResource<Verdict>('/api/v1/audit/verify');
  const go = (c: Record<string, string>) => navigate(`/audit${qs({ action, beforeSeq: '', ...c })}`);
  const items = list.data?.items ?? [];

  return (
    <div class="grid">
      <Card title={t('auChain')} wide testId="audit-verify">
        {verify.error ? <Problem error={verify.error} retry={verify.reload} /> : !verify.data ? <Loading /> : verify.data.ok ? (
          <p class="verdict good" data-testid="audit-chain" data-ok="true">
            {t('auChainOk', { n: verify.data.records })} <code>{verify.data.headHash ?? ''}</code>
          </p>
        ) : (
          <p class="verdict bad" data-testid="audit-chain" data-ok="false">
            {t('auChainBroken', { seq: verify.data.firstBadSeq ?? '?', problem: verify.data.problem ?? '' })}
          </p>
        )}
        <button type="button" onClick={verify.reload}>
          {t('auVerifyAgain')}
        </button>
      </Card>
      <Card title={t('auTitle')} wide testId="audit">
        <div class="filters">
          <label>
            {t('auAction')}{' '}
            <select value={action} onChange={(e) => go({ action: e.currentTarget.value })} data-testid="filter-action">
              <option value="">{t('all')}</option>
              {ACTIONS.map((a) => (
                <option value={a}>{a}</option>
              ))}
              {action && !ACTIONS.includes(action) && <option value={action}>{action}</option>}
            </select>
          </label>
        </div>
        {list.error ? <Problem error={list.error} retry={list.reload} /> : !list.data ? <Loading /> : items.length === 0 ? (
          <p class="muted">{t('auNone')}</p>
        ) : (
          <table class="data" data-testid="audit-table">
            <thead>
              <tr>
                <th class="num">#</th>
                <th>{t('auWhen')}</th>
                <th>{t('auActor')}</th>
                <th>{t('auAction')}</th>
                <th>{t('auTarget')}</th>
                <th>{t('auOutcome')}</th>
                <th>{t('auDetails')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr data-seq={r.seq} data-action={r.action}>
                  <td class="num">{r.seq}</td>
                  <td>{date(r.at)}</td>
                  <td>
                    {r.actor.name}
                    <div class="muted small">{[r.actor.role ? td('role_', r.actor.role) : r.actor.type, r.ip].filter(Boolean).join(' · ')}</div>
                  </td>
                  <td class="mono">{r.action}</td>
                  <td class="mono">{r.target ? `${r.target.type}:${r.target.id}` : '—'}</td>
                  <td>
                    <span class={`badge outcome-${r.outcome === 'success' ? 'success' : 'failure'}`}>{td('outcome_', r.outcome)}</span>
                  </td>
                  <td class="mono small">{brief(r.details)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <div class="pager">
          <button type="button" disabled={!beforeSeq} onClick={() => go({ beforeSeq: '' })}>
            {t('auNewest')}
          </button>
          <button type="button" disabled={items.length < PAGE} onClick={() => go({ beforeSeq: String(items[items.length - 1]!.seq) })} data-testid="audit-older">
            {t('auOlder')}
          </button>
        </div>
      </Card>
    </div>
  );
}
