// Settings: units, information systems with their levels, enrollment tokens (create one and see it once),
// users and API tokens, and the SOC forwarder destinations with their delivery health. Each section is shown
// only to the roles its API serves (SETTINGS_BY_ROLE), so nobody meets a refusal they cannot do anything about.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { SETTINGS_BY_ROLE, sessionStore } from '../session.js';
import { useStore } from '../store.js';
import { useResource } from '../use-resource.js';
import { Card, Loading, Problem } from '../components/ui.js';

interface Unit {
  id: string;
  name: string;
  parentId: string | null;
  defaultLevel: number;
}
interface System {
  id: string;
  unitId: string;
  name: string;
  level: number;
  approvalRef: string | null;
  approvalDate: string | null;
}
interface EnrollmentToken {
  id: string;
  unitId: string;
  createdAt: string;
  expiresAt: string;
  maxUses: number;
  uses: number;
  revoked: boolean;
}
interface User {
  id: string;
  username: string;
  role: string;
  unitIds: string[];
  disabled: boolean;
}
interface ApiToken {
  id: string;
  userId: string;
  name: string;
  createdAt: string;
  expiresAt: string;
  unitIds: string[] | null;
  revokedAt: string | null;
}
export interface DestinationHealth {
  name: string;
  type: string;
  format: string;
  queueDepth: number;
  oldestUndeliveredAgeSec: number;
  consecutiveFailures: number;
  backingOff: boolean;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
}

const ROLES = ['admin', 'it_staff', 'incident_responder', 'auditor'];

function Section<T>(p: { title: string; path: string; resource: string; testId: string; render: (data: T, reload: () => void) => ComponentChildren }) {
  const r = useResource<T>(p.path, (d) => d.type === 'changed' && d.resource === p.resource);
  return (
    <Card title={p.title} wide testId={p.testId}>
      {r.error ? <Problem error={r.error} retry={r.reload} /> : !r.data ? <Loading /> : p.render(r.data, r.reload)}
    </Card>
  );
}

/** A small create form: posts, shows the API's message when refused, and lets the caller refresh its list. */
function CreateForm(p: { submitLabel: string; onSubmit: () => Promise<void>; children: ComponentChildren; testId?: string }) {
  const [err, setErr] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="filters"
      data-testid={p.testId}
      onSubmit={async (e) => {
        e.preventDefault();
        setErr('');
        setBusy(true);
        try {
          await p.onSubmit();
        } catch (x) {
          setErr(x instanceof ApiError ? x.message : String(x));
        } finally {
          setBusy(false);
        }
      }}
    >
      {p.children}
      <button type="submit" disabled={busy}>
        {p.submitLabel}
      </button>
      {err && (
        <span class="error" role="alert">
          {err}
        </span>
      )}
    </form>
  );
}

function UnitSelect(p: { units: Unit[]; value: string; onChange: (v: string) => void; label: string }) {
  return (
    <select value={p.value} onChange={(e) => p.onChange(e.currentTarget.value)} aria-label={p.label} required>
      {p.units.map((u) => (
        <option value={u.id}>{u.name}</option>
      ))}
    </select>
  );
}

function TokenCreator(p: { units: Unit[]; onCreated: () => void }) {
  const { t } = useI18n();
  const [unit, setUnit] = useState('');
  const [token, setToken] = useState('');
  return (
    <>
      <CreateForm
        submitLabel={t('seTokenCreate')}
        onSubmit={async () => {
          const r = await api<{ token: string }>('/api/v1/tokens', { method: 'POST', body: { unit: unit || p.units[0]?.id || 'default' } });
          setToken(r.token);
          p.onCreated();
        }}
      >
        <UnitSelect units={p.units} value={unit || p.units[0]?.id || ''} onChange={setUnit} label={t('agUnit')} />
      </CreateForm>
      {token && (
        <p class="notice">
          {t('seTokenCreated')} <code data-testid="new-token">{token}</code>
        </p>
      )}
    </>
  );
}

function UnitCreator(p: { units: Unit[]; onCreated: () => void }) {
  const { t } = useI18n();
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [parent, setParent] = useState('');
  const [level, setLevel] = useState('2');
  return (
    <CreateForm
      submitLabel={t('seUnitAdd')}
      onSubmit={async () => {
        await api('/api/v1/units', { method: 'POST', body: { id, name, parentId: parent || p.units[0]?.id, defaultLevel: Number(level) } });
        setId('');
        setName('');
        p.onCreated();
      }}
    >
      <input required placeholder={t('seUnitId')} aria-label={t('seUnitId')} value={id} pattern="[a-z0-9][a-z0-9_\-]{1,63}" title={t('seUnitIdHint')} onInput={(e) => setId(e.currentTarget.value)} />
      <input required placeholder={t('seUnitName')} aria-label={t('seUnitName')} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      <label>
        {t('seParent')} <UnitSelect units={p.units} value={parent || p.units[0]?.id || ''} onChange={setParent} label={t('seParent')} />
      </label>
      <label>
        {t('seDefaultLevel')}{' '}
        <select value={level} onChange={(e) => setLevel(e.currentTarget.value)}>
          {[1, 2, 3, 4, 5].map((l) => (
            <option value={String(l)}>{l}</option>
          ))}
        </select>
      </label>
    </CreateForm>
  );
}

function SystemCreator(p: { units: Unit[]; onCreated: () => void }) {
  const { t } = useI18n();
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [unit, setUnit] = useState('');
  const [level, setLevel] = useState('2');
  const [ref, setRef] = useState('');
  return (
    <CreateForm
      submitLabel={t('seSystemAdd')}
      onSubmit={async () => {
        await api('/api/v1/systems', { method: 'POST', body: { id, name, unitId: unit || p.units[0]?.id, level: Number(level), ...(ref ? { approvalRef: ref } : {}) } });
        setId('');
        setName('');
        setRef('');
        p.onCreated();
      }}
    >
      <input required placeholder={t('seUnitId')} aria-label={t('seUnitId')} value={id} onInput={(e) => setId(e.currentTarget.value)} />
      <input required placeholder={t('seUnitName')} aria-label={t('seUnitName')} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      <UnitSelect units={p.units} value={unit || p.units[0]?.id || ''} onChange={setUnit} label={t('agUnit')} />
      <label>
        {t('seSystemLevel')}{' '}
        <select value={level} onChange={(e) => setLevel(e.currentTarget.value)}>
          {[1, 2, 3, 4, 5].map((l) => (
            <option value={String(l)}>{l}</option>
          ))}
        </select>
      </label>
      <input placeholder={t('seApproval')} aria-label={t('seApproval')} value={ref} onInput={(e) => setRef(e.currentTarget.value)} />
    </CreateForm>
  );
}

function UserCreator(p: { units: Unit[]; onCreated: () => void }) {
  const { t, td } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState('it_staff');
  const [unit, setUnit] = useState('');
  return (
    <CreateForm
      submitLabel={t('seUserAdd')}
      onSubmit={async () => {
        await api('/api/v1/users', { method: 'POST', body: { username, password, role, unitIds: [unit || p.units[0]?.id] } });
        setUsername('');
        setPassword('');
        p.onCreated();
      }}
    >
      <input required placeholder={t('username')} aria-label={t('username')} autocomplete="off" value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
      <input required type="password" placeholder={t('password')} aria-label={t('password')} autocomplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      <select value={role} onChange={(e) => setRole(e.currentTarget.value)} aria-label={t('seRole')}>
        {ROLES.map((r) => (
          <option value={r}>{td('role_', r)}</option>
        ))}
      </select>
      <UnitSelect units={p.units} value={unit || p.units[0]?.id || ''} onChange={setUnit} label={t('agUnit')} />
    </CreateForm>
  );
}

/** Seconds as the largest sensible unit, so "oldest waiting" reads at a glance. */
function useDuration() {
  const { t } = useI18n();
  return (sec: number) =>
    sec < 90 ? t('durSec', { n: Math.round(sec) }) : sec < 5400 ? t('durMin', { n: Math.round(sec / 60) }) : sec < 172_800 ? t('durHour', { n: Math.round(sec / 3600) }) : t('durDay', { n: Math.round(sec / 86400) });
}

function Forwarders(p: { items: DestinationHealth[] }) {
  const { t, date } = useI18n();
  const dur = useDuration();
  if (!p.items.length) return <p class="muted">{t('seForwardersNone')}</p>;
  return (
    <table class="data" data-testid="forwarders-table">
      <thead>
        <tr>
          <th>{t('seUnitName')}</th>
          <th>{t('seHealth')}</th>
          <th class="num">{t('seQueue')}</th>
          <th>{t('seOldest')}</th>
          <th>{t('seLastSuccess')}</th>
          <th>{t('seLastError')}</th>
        </tr>
      </thead>
      <tbody>
        {p.items.map((f) => {
          const health = f.backingOff || f.consecutiveFailures > 0 ? 'failing' : f.queueDepth > 0 ? 'pending' : 'ok';
          return (
            <tr data-destination={f.name} data-health={health}>
              <td>
                <b>{f.name}</b>
                <div class="muted small">{`${f.type} · ${f.format}`}</div>
              </td>
              <td>
                <span class={`badge fwd-${health}`}>{t(health === 'ok' ? 'seFwdOk' : health === 'pending' ? 'seFwdPending' : 'seFwdFailing')}</span>
                {f.consecutiveFailures > 0 && <div class="muted small">{t('seFailures', { n: f.consecutiveFailures })}</div>}
                {f.backingOff && <div class="muted small">{t('seBackingOff')}</div>}
              </td>
              <td class="num" data-testid="queue-depth">
                {f.queueDepth}
              </td>
              <td>{f.queueDepth > 0 ? dur(f.oldestUndeliveredAgeSec) : '—'}</td>
              <td>{date(f.lastSuccessAt)}</td>
              <td>
                {f.lastError ? (
                  <>
                    <span class="error">{f.lastError}</span>
                    <div class="muted small">{date(f.lastErrorAt)}</div>
                  </>
                ) : (
                  '—'
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function SettingsPage() {
  const { t, td, date } = useI18n();
  const session = useStore(sessionStore);
  const role = session?.role ?? '';
  const shown = SETTINGS_BY_ROLE[role] ?? [];
  const canWrite = role === 'admin' || role === 'it_staff';
  const units = useResource<{ items: Unit[] }>('/api/v1/units', (d) => d.type === 'changed' && d.resource === 'units');
  const unitList = units.data?.items ?? [];
  const users = useResource<{ items: User[] }>(shown.includes('apiTokens') ? '/api/v1/users' : null);
  const userName = (id: string) => users.data?.items.find((u) => u.id === id)?.username ?? id;
  return (
    <div class="grid">
      {shown.includes('forwarders') && (
        <Section<DestinationHealth[]>
          title={t('seForwarders')}
          path="/api/v1/forward/destinations"
          resource="forward"
          testId="forwarders"
          render={(d) => <Forwarders items={d} />}
        />
      )}
      {shown.includes('units') && (
        <Section<{ items: Unit[] }>
          title={t('seUnits')}
          path="/api/v1/units"
          resource="units"
          testId="units"
          render={(d, reload) => (
            <>
              {canWrite && <UnitCreator units={d.items} onCreated={reload} />}
              <table class="data">
                <thead>
                  <tr>
                    <th>{t('seUnitId')}</th>
                    <th>{t('seUnitName')}</th>
                    <th>{t('seParent')}</th>
                    <th class="num">{t('seDefaultLevel')}</th>
                  </tr>
                </thead>
                <tbody>
                  {d.items.map((u) => (
                    <tr>
                      <td class="mono">{u.id}</td>
                      <td>{u.name}</td>
                      <td>{u.parentId ?? '—'}</td>
                      <td class="num">{u.defaultLevel}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        />
      )}
      {shown.includes('systems') && (
        <Section<System[]>
          title={t('seSystems')}
          path="/api/v1/systems"
          resource="systems"
          testId="systems"
          render={(d, reload) => (
            <>
              {canWrite && <SystemCreator units={unitList} onCreated={reload} />}
              {d.length ? (
                <table class="data">
                  <thead>
                    <tr>
                      <th>{t('seUnitId')}</th>
                      <th>{t('seUnitName')}</th>
                      <th>{t('agUnit')}</th>
                      <th class="num">{t('seSystemLevel')}</th>
                      <th>{t('seApproval')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.map((s) => (
                      <tr>
                        <td class="mono">{s.id}</td>
                        <td>{s.name}</td>
                        <td>{s.unitId}</td>
                        <td class="num">{s.level}</td>
                        <td>{[s.approvalRef, s.approvalDate].filter(Boolean).join(' · ') || '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : (
                <p class="muted">{t('seSystemsNone')}</p>
              )}
            </>
          )}
        />
      )}
      {shown.includes('tokens') && (
        <Section<{ items: EnrollmentToken[] }>
          title={t('seTokens')}
          path="/api/v1/tokens"
          resource="tokens"
          testId="tokens"
          render={(d, reload) => (
            <>
              <TokenCreator units={unitList} onCreated={reload} />
              <table class="data">
                <thead>
                  <tr>
                    <th>{t('agUnit')}</th>
                    <th>{t('seCreated')}</th>
                    <th>{t('seExpires')}</th>
                    <th>{t('seTokenUses')}</th>
                    <th>{t('seTokenState')}</th>
                  </tr>
                </thead>
                <tbody>
                  {d.items.map((x) => (
                    <tr>
                      <td>{x.unitId}</td>
                      <td>{date(x.createdAt)}</td>
                      <td>{date(x.expiresAt)}</td>
                      <td>{`${x.uses} / ${x.maxUses}`}</td>
                      <td>{x.revoked ? t('seRevoked') : Date.parse(x.expiresAt) < Date.now() ? t('seExpired') : x.uses >= x.maxUses ? t('seUsedUp') : t('seUsable')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        />
      )}
      {shown.includes('users') && (
        <Section<{ items: User[] }>
          title={t('seUsers')}
          path="/api/v1/users"
          resource="users"
          testId="users"
          render={(d, reload) => (
            <>
              <UserCreator units={unitList} onCreated={reload} />
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
            </>
          )}
        />
      )}
      {shown.includes('apiTokens') && (
        <Section<{ items: ApiToken[] }>
          title={t('seApiTokens')}
          path="/api/v1/api-tokens"
          resource="api-tokens"
          testId="api-tokens"
          render={(d, reload) =>
            d.items.length ? (
              <table class="data">
                <thead>
                  <tr>
                    <th>{t('seUnitName')}</th>
                    <th>{t('username')}</th>
                    <th>{t('seExpires')}</th>
                    <th>{t('seUnitsCol')}</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {d.items.map((x) => (
                    <tr>
                      <td>{x.name}</td>
                      <td>{userName(x.userId)}</td>
                      <td>{date(x.expiresAt)}</td>
                      <td>{x.unitIds?.join(', ') ?? t('seUserUnits')}</td>
                      <td>
                        {x.revokedAt ? (
                          t('seRevoked')
                        ) : (
                          <button type="button" onClick={() => void api(`/api/v1/api-tokens/${encodeURIComponent(x.id)}`, { method: 'DELETE' }).then(reload, reload)}>
                            {t('seRevoke')}
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p class="muted">{t('seApiTokensNone')}</p>
            )
          }
        />
      )}
    </div>
  );
}
