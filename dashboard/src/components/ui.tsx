// Small building blocks shared by the pages. Everything from the API is rendered as JSX text children or
// attributes, which Preact sets with textContent / setAttribute: endpoint strings can never become markup.
import type { ComponentChildren } from 'preact';
import { ApiError } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { navigate } from '../router.js';

export function Card(p: { title: string; children: ComponentChildren; wide?: boolean; testId?: string }) {
  return (
    <section class={p.wide ? 'card wide' : 'card'} data-testid={p.testId}>
      <h2>{p.title}</h2>
      {p.children}
    </section>
  );
}

export function Link(p: { to: string; children: ComponentChildren; class?: string; title?: string }) {
  return (
    <a
      href={p.to}
      class={p.class}
      title={p.title}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
        e.preventDefault();
        navigate(p.to);
      }}
    >
      {p.children}
    </a>
  );
}

export function StateBadge(p: { state: string }) {
  const { td } = useI18n();
  return <span class={`badge state-${/^[a-z_]+$/.test(p.state) ? p.state : 'other'}`}>{td('state_', p.state)}</span>;
}

export function StatusBadge(p: { status: string }) {
  const { td } = useI18n();
  return <span class={`badge status-${/^[a-z_]+$/.test(p.status) ? p.status : 'other'}`}>{td('status_', p.status)}</span>;
}

export function AvBadge(p: { status: string }) {
  const { td } = useI18n();
  return <span class={`badge av-${/^[a-z_]+$/.test(p.status) ? p.status : 'other'}`}>{td('av_', p.status)}</span>;
}

export function Loading() {
  const { t } = useI18n();
  return <p class="muted">{t('loading')}</p>;
}

/** An error as the API stated it (its message names what was wrong), or the role refusal in the viewer's language. */
export function Problem(p: { error: Error; retry?: () => void }) {
  const { t } = useI18n();
  if (p.error instanceof ApiError && p.error.status === 403) return <p class="notice">{t('forbidden')}</p>;
  return (
    <p class="error" role="alert">
      {t('errorPrefix', { message: p.error.message })} {p.retry && <button onClick={p.retry}>{t('retry')}</button>}
    </p>
  );
}

export function Stat(p: { value: string | number; label: string; testId?: string; tone?: string }) {
  return (
    <div class={`stat ${p.tone ?? ''}`}>
      <div class="stat-value" data-testid={p.testId}>
        {p.value}
      </div>
      <div class="stat-label">{p.label}</div>
    </div>
  );
}

/** A horizontal stacked bar; the parts' numbers are also printed, so nothing depends on colour alone. */
export function StackedBar(p: { parts: { label: string; value: number; tone: string }[] }) {
  const total = p.parts.reduce((a, b) => a + b.value, 0);
  return (
    <div>
      <div class="stacked">
        {p.parts.map((x) => (total && x.value ? <span class={`seg ${x.tone}`} style={{ width: `${(x.value / total) * 100}%` }} title={`${x.label}: ${x.value}`} /> : null))}
      </div>
      <ul class="legend">
        {p.parts.map((x) => (
          <li>
            <span class={`dot ${x.tone}`} />
            {x.label}: <b>{x.value}</b>
          </li>
        ))}
      </ul>
    </div>
  );
}
