// The current language, t() and date formatting. Dates are shown in the viewer's local time with the zone
// name, so "08:00" is never ambiguous between the collector, the browser and an auditor abroad.
import { en, type MessageKey } from './en.js';
import { vi } from './vi.js';
import { createStore, useStore } from '../store.js';

export type Lang = 'vi' | 'en';
export const dictionaries: Record<Lang, Record<MessageKey, string>> = { vi, en };

const saved = typeof localStorage !== 'undefined' ? localStorage.getItem('soclite.lang') : null;
export const langStore = createStore<Lang>(saved === 'en' ? 'en' : 'vi');

export function setLang(l: Lang): void {
  localStorage.setItem('soclite.lang', l);
  document.documentElement.lang = l;
  langStore.set(l);
}

export function translate(lang: Lang, key: MessageKey, vars: Record<string, string | number> = {}): string {
  return dictionaries[lang][key].replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/** Keys built at run time (state_online, sev_high, ...): unknown values are shown as they are, not dropped. */
export function translateDynamic(lang: Lang, prefix: string, value: string): string {
  const key = `${prefix}${value}`;
  return key in dictionaries[lang] ? dictionaries[lang][key as MessageKey] : value;
}

export function formatDate(lang: Lang, iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'short',
  }).format(d);
}

export function formatPercent(lang: Lang, ratio: number): string {
  return new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', { style: 'percent', maximumFractionDigits: 1 }).format(ratio);
}

export function useI18n() {
  const lang = useStore(langStore);
  return {
    lang,
    t: (key: MessageKey, vars?: Record<string, string | number>) => translate(lang, key, vars),
    td: (prefix: string, value: string) => translateDynamic(lang, prefix, value),
    date: (iso: string | null | undefined) => formatDate(lang, iso),
    pct: (r: number) => formatPercent(lang, r),
  };
}
