// The shell: header with navigation for the user's role, language switch, live status and logout; the page
// chosen by the path below it.
import { useEffect } from 'preact/hooks';
import { api } from './api.js';
import { setLang, useI18n } from './i18n/index.js';
import type { MessageKey } from './i18n/en.js';
import { liveStatus, startLive, stopLive } from './live.js';
import { navigate, routeStore } from './router.js';
import { PAGES_BY_ROLE, resumeSession, sessionCheckingStore, sessionStore, setSession } from './session.js';
import { useStore } from './store.js';
import { Link, Loading } from './components/ui.js';
import { LoginPage } from './pages/login.js';
import { OverviewPage } from './pages/overview.js';
import { AgentsPage } from './pages/agents.js';
import { AgentDetailPage } from './pages/agent-detail.js';
import { CompliancePage } from './pages/compliance.js';
import { AlertsPage } from './pages/alerts.js';
import { EvidencePage } from './pages/evidence.js';
import { SettingsPage } from './pages/settings.js';
import { AuditPage } from './pages/audit.js';

const NAV: { page: string; path: string; label: MessageKey }[] = [
  { page: 'overview', path: '/', label: 'navOverview' },
  { page: 'agents', path: '/agents', label: 'navAgents' },
  { page: 'compliance', path: '/compliance', label: 'navCompliance' },
  { page: 'alerts', path: '/alerts', label: 'navAlerts' },
  { page: 'evidence', path: '/evidence', label: 'navEvidence' },
  { page: 'settings', path: '/settings', label: 'navSettings' },
  { page: 'audit', path: '/audit', label: 'navAudit' },
];

function pageOf(path: string): string {
  const p = path.split('?')[0]!;
  if (p === '/' || p === '') return 'overview';
  return p.split('/')[1] ?? 'overview';
}

function LiveIndicator() {
  const { t } = useI18n();
  const s = useStore(liveStatus);
  const label = s === 'live' ? t('liveConnected') : s === 'off' ? t('liveOffline') : t('liveReconnecting');
  return (
    <span class={`live live-${s}`} data-testid="live-status" data-status={s}>
      {label}
    </span>
  );
}

export function App() {
  const { t, td, lang } = useI18n();
  const session = useStore(sessionStore);
  const route = useStore(routeStore);
  const checking = useStore(sessionCheckingStore);

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t('appTitle');
  }, [lang]);
  useEffect(() => {
    void resumeSession();
  }, []);
  useEffect(() => {
    if (session) startLive();
    else stopLive();
  }, [session?.csrfToken]);

  const header = (
    <header>
      <h1>
        <Link to="/">soclite</Link>
      </h1>
      {session && (
        <nav>
          {NAV.filter((n) => (PAGES_BY_ROLE[session.role] ?? ['overview']).includes(n.page)).map((n) => (
            <Link to={n.path} class={pageOf(route) === n.page ? 'active' : ''}>
              {t(n.label)}
            </Link>
          ))}
        </nav>
      )}
      <span class="spacer" />
      {session && <LiveIndicator />}
      <button class="lang" type="button" onClick={() => setLang(lang === 'vi' ? 'en' : 'vi')} data-testid="lang-switch">
        {t('langSwitch')}
      </button>
      {session && (
        <>
          <span class="who">{t('signedInAs', { user: session.username, role: td('role_', session.role) })}</span>
          <button
            type="button"
            data-testid="logout"
            onClick={async () => {
              await api('/api/v1/session', { method: 'DELETE' }).catch(() => undefined);
              setSession(null);
              navigate('/');
            }}
          >
            {t('logout')}
          </button>
        </>
      )}
    </header>
  );

  if (!session) {
    return (
      <>
        {header}
        <main>{checking ? <Loading /> : <LoginPage />}</main>
      </>
    );
  }

  const path = route.split('?')[0]!;
  const page = pageOf(route);
  const allowed = (PAGES_BY_ROLE[session.role] ?? ['overview']).includes(page);
  let body;
  if (!allowed) body = <p class="notice">{t('forbidden')}</p>;
  else if (page === 'agents' && path.split('/')[2]) body = <AgentDetailPage id={decodeURIComponent(path.split('/')[2]!)} />;
  else if (page === 'agents') body = <AgentsPage />;
  else if (page === 'compliance') body = <CompliancePage />;
  else if (page === 'alerts') body = <AlertsPage />;
  else if (page === 'evidence') body = <EvidencePage />;
  else if (page === 'settings') body = <SettingsPage />;
  else if (page === 'audit') body = <AuditPage />;
  else body = <OverviewPage />;

  return (
    <>
      {header}
      <main data-page={page}>{body}</main>
    </>
  );
}
