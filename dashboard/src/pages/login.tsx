// Login form. The password goes only to POST /api/v1/session; the answer's CSRF token is kept for this tab.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { setSession, sessionEndedStore, type SessionInfo } from '../session.js';
import { useStore } from '../store.js';

export function LoginPage() {
  const { t } = useI18n();
  const ended = useStore(sessionEndedStore);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="login card"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError('');
        try {
          setSession(await api<SessionInfo>('/api/v1/session', { method: 'POST', body: { username, password } }));
        } catch (x) {
          setError(x instanceof ApiError && x.status === 401 ? t('badCredentials') : x instanceof Error ? x.message : String(x));
        } finally {
          setBusy(false);
        }
      }}
    >
      <h2>{t('loginTitle')}</h2>
      {ended && <p class="notice">{t('sessionEnded')}</p>}
      <label>
        {t('username')}
        <input name="username" autocomplete="username" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
      </label>
      <label>
        {t('password')}
        <input name="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={busy}>
        {t('login')}
      </button>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
