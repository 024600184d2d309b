// Settings: units, information systems with their levels, enrollment tokens (create one and see it once),
// users, forwarder destinations with their health. Sections whose API this collector lacks say so.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { useResource } from '../use-resource.js';
import { Card, Loading, Problem } from '../components/ui.js';

interface Unit {
  id: string;
  name: string;
  parentId: string | null;
  defaultLevel: number;
}

function Section<T>(p: { title: string; path: string; testId: string; render: (data: T, reload: () => void) => preact.ComponentChildren }) {
  const r = useResource<T>(p.path, (d) => d.type === 'changed' && p.path.includes(`/${d.resource}`));
  return (
    <Card title={p.title} wide testId={p.testId}>
      {r.error ? <Problem error={r.error} retry={r.reload} /> : !r.data ? <Loading /> : p.render(r.data, r.reload)}
    </Card>
  );
}

function TokenCreator(p: { units: Unit[]; onCreated: () => void }) {
  const { t } = useI18n();
  const [unit, setUnit] = useState(p.units[0]?.id ?? 'default');
  const [token, setToken] = useState('');
  const [err, setErr] = useState('');
  return (
    <form
      class="filters"
      onSubmit={async (e) => {
        e.preventDefault();
        setErr('');
        try {
          const r = await api<{ token: string }>('/api/v1/tokens', { method: 'POST', body: { unit } });
          setToken(r.token);
          p.onCreated();
        } catch (x) {
          setErr(x instanceof ApiError ? x.message : String(x));
        }
      }}
    >
      <select value={unit} onChange={(e) => setUnit(e.currentTarget.value)} aria-label={t('agUnit')}>
        {p.units.map((u) => (
          <option value={u.id}>{u.name}</option>
        ))}
      </select>
      <button type="submit">{t('seTokenCreate')}</button>
      {token && (
        <p class="notice">
          {t('seTokenCreated')} <code data-testid="new-token">{token}</code>
        </p>
      )}
      {err && <span class="error">{err}</span>}
    </form>
  );
}

export function SettingsPage() {
  const { t, td, date } = useI18n();
  const units = useResource<{ items: Unit[] }>('/api/v1/units');
  return (
    <div class="grid">
      <Section<{ items: Unit[] }>
        title={t('seUnits')}
        path="/api/v1/units"
        testId="units"
        render={(d) => (
          <table class="data">
            <thead>
              <tr>
                <th>{t('seUnitId')}</th>
                <th>{t('seUnitName')}</th>
                <th>{t('seParent')}</th>
                <th>{t('seDefaultLevel')}</th>
              </tr>
            </thead>
            <tbody>
              {d.items.map((u) => (
                <tr>
                  <td>{u.id}</td>
                  <td>{u.name}</td>
                  <td>{u.parentId ?? '—'}</td>
                  <td>{u.defaultLevel}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      />
      <Section<{ items: { id: string; unitId: string; name: string; level: number; approvalRef: string | null; approvalDate: string | null }[] }>
        title={t('seSystems')}
        path="/api/v1/systems"
        testId="systems"
        render={(d) =>
          d.items.length ? (
            <table class="data">
              <thead>
                <tr>
                  <th>{t('seUnitName')}</th>
                  <th>{t('agUnit')}</th>
                  <th>{t('seSystemLevel')}</th>
                  <th>{t('seApproval')}</th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((s) => (
                  <tr>
                    <td>{s.name}</td>
                    <td>{s.unitId}</td>
                    <td>{s.level}</td>
                    <td>{[s.approvalRef, s.approvalDate].filter(Boolean).join(' · ') || '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p class="muted">{t('none')}</p>
          )
        }
      />
      <Section<{ items: { id: string; unitId: string; createdAt: string; expiresAt: string; maxUses: number; uses: number }[] }>
        title={t('seTokens')}
        path="/api/v1/tokens"
        testId="tokens"
        render={(d, reload) => (
          <>
            <TokenCreator units={units.data?.items ?? []} onCreated={reload} />
            <table class="data">
              <thead>
                <tr>
                  <th>{t('agUnit')}</th>
                  <th>{t('seCreated')}</th>
                  <th>{t('seExpires')}</th>
                  <th>{t('seTokenUses')}</th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((x) => (
                  <tr>
                    <td>{x.unitId}</td>
                    <td>{date(x.createdAt)}</td>
                    <td>{date(x.expiresAt)}</td>
                    <td>{`${x.uses} / ${x.maxUses}`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      />
      <Section<{ items: { id: string; username: string; role: string; unitIds: string[]; disabled: boolean }[] }>
        title={t('seUsers')}
        path="/api/v1/users"
        testId="users"
        render={(d) => (
          <table class="data">
            <thead>
              <tr>
                <th>{t('username')}</th>
                <th>{t('seRole')}</th>
                <th>{t('seUnitsCol')}</th>
                <th>{t('seDisabled')}</th>
              </tr>
            </thead>
            <tbody>
              {d.items.map((u) => (
                <tr>
                  <td>{u.username}</td>
                  <td>{td('role_', u.role)}</td>
                  <td>{u.unitIds.join(', ')}</td>
                  <td>{u.disabled ? t('yes') : t('no')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      />
      <Section<{ items: { name: string; type: string; queueDepth: number; lastError: string | null; lastSuccessAt: string | null }[] }>
        title={t('seForwarders')}
        path="/api/v1/forward/destinations"
        testId="forwarders"
        render={(d) => (
          <table class="data">
            <thead>
              <tr>
                <th>{t('seUnitName')}</th>
                <th>{t('seQueue')}</th>
                <th>{t('seLastError')}</th>
              </tr>
            </thead>
            <tbody>
              {d.items.map((f) => (
                <tr>
                  <td>{`${f.name} (${f.type})`}</td>
                  <td class="num">{f.queueDepth}</td>
                  <td>{f.lastError ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      />
    </div>
  );
}
