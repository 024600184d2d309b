// JSON calls to the collector API. The session cookie travels by itself; state-changing calls add the CSRF
// header. A 401 ends the session in the page; every other refusal becomes an ApiError carrying the API's
// stable code and message, which the pages show as they are.
import { sessionStore, setSession } from './session.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = sessionStore.get()?.csrfToken ?? '';
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = { message: text.slice(0, 200) };
  }
  if (!res.ok) {
    const b = (body ?? {}) as { code?: string; message?: string };
    if (res.status === 401 && !path.endsWith('/session')) setSession(null, true);
    throw new ApiError(res.status, b.code ?? 'error', b.message ?? res.statusText, path.split('?')[0]!);
  }
  return body as T;
}

export function qs(params: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}
