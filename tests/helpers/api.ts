// A small API client for tests: logs in as a user and calls the collector's JSON API.
export class ApiClient {
  protected cookie = '';
  csrf = '';
  constructor(readonly baseUrl: string) {}

  async login(username: string, password: string): Promise<this> {
    const res = await fetch(new URL('/api/v1/session', this.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
    this.cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    this.csrf = ((await res.json()) as { csrfToken: string }).csrfToken;
    return this;
  }

  async get<T = Record<string, unknown>>(path: string): Promise<{ status: number; body: T }> {
    const res = await fetch(new URL(path, this.baseUrl), { headers: { cookie: this.cookie } });
    const text = await res.text();
    return { status: res.status, body: (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T };
  }
}

/** A logged-in user: session cookie plus the CSRF token for state-changing requests. */
export class User extends ApiClient {
  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = { cookie: this.cookie, 'x-csrf-token': this.csrf };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(new URL(path, this.baseUrl), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
  }
  async download(path: string): Promise<{ status: number; type: string | null; bytes: Buffer }> {
    const res = await fetch(new URL(path, this.baseUrl), { headers: { cookie: this.cookie } });
    return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
  }
}

/** Retires an agent through the API as a user with the given bearer token (the route an operator uses). */
export function retireThroughApi(baseUrl: string, token: string, agentId: string, reason: string): Promise<Response> {
  return fetch(new URL(`/api/v1/agents/${agentId}/retire`, baseUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reason }),
  });
}
