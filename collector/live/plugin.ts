// GET /api/v1/live: one WebSocket per open dashboard. The socket is opened with the session cookie (or an API
// token), only from this collector's own origin, and closes when the session ends: a dashboard left open does
// not outlive its login, and the socket never extends a session. Deltas come from the service's events (after
// each commit) and from successful state-changing API requests.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import { Gauge } from 'prom-client';
import type { WebSocket } from 'ws';
import type { CollectorService } from '../service.js';
import { unitsInScope } from '../auth/scope.js';
import { principalFromApiToken, principalFromSession } from '../auth/service.js';
import { reject } from '../fleet/errors.js';
import { changedNothing } from '../fleet/ingest.js';
import { SESSION_COOKIE, requireRole } from '../http/auth-hooks.js';
import { LiveHub, type LiveMessage, type LiveSubscriber } from './hub.js';
import { changedResource, deltaFromAlertChange, deltaFromEnrollment, type AlertChangeLike, deltaFromStateChange, deltasFromIngest } from './deltas.js';

export interface LiveOptions {
  service: CollectorService;
  /** Coalescing bound per connection; tests may shorten it. */
  minIntervalMs?: number;
  /** How often an open socket re-checks that its session still exists. */
  revalidateMs?: number;
}

/** The origin a same-site page would send: the scheme is not known behind proxies, so compare host only. */
function sameOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (!origin) return true; // non-browser clients (API tokens) send none; browsers always do
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function clientsGauge(service: CollectorService): Gauge {
  const name = 'soclite_dashboard_clients_connected';
  const existing = service.metrics.registry.getSingleMetric(name);
  if (existing) return existing as Gauge;
  return new Gauge({ name, help: 'Dashboard live connections open', registers: [service.metrics.registry] });
}

export async function livePlugin(app: FastifyInstance, opts: LiveOptions) {
  const { service } = opts;
  const hub = new LiveHub({ minIntervalMs: opts.minIntervalMs ?? 1000, gatherMs: 50, maxBatch: 200 });
  const gauge = clientsGauge(service);
  const revalidateMs = opts.revalidateMs ?? 5000;
  const now = () => new Date().toISOString();

  const lookup = (id: string) => service.store.agents.get(id);
  const onIngested = (o: Parameters<typeof deltasFromIngest>[0]) => {
    // Most reports change nothing dashboards show: no clock read for them.
    if (changedNothing(o)) return;
    for (const d of deltasFromIngest(o, now())) hub.publish(d);
  };
  const onState = (e: Parameters<typeof deltaFromStateChange>[0]) => {
    const d = deltaFromStateChange(e, lookup, now());
    if (d) hub.publish(d);
  };
  const onEnrolled = (e: Parameters<typeof deltaFromEnrollment>[0]) => hub.publish(deltaFromEnrollment(e, now()));
  service.on('ingested', onIngested);
  service.on('stateChanged', onState);
  service.on('enrolled', onEnrolled);
  // Alert changes (raised, acknowledged, ...) come from the alerts room through the service, after commit.
  const onAlert = (c: AlertChangeLike) => hub.publish(deltaFromAlertChange(c, now()));
  const events = service as unknown as NodeJS.EventEmitter;
  events.on('alert', onAlert);

  // Any successful change made through the API (alerts triaged, tokens created, ...) tells open pages to
  // re-fetch that resource. The hook sits on the root instance so it sees every route.
  app.addHook('onResponse', async (req, reply) => {
    const resource = changedResource(req.method, req.url, reply.statusCode);
    if (resource) hub.publish({ unitId: null, delta: { type: 'changed', resource, at: now() } });
  });

  app.addHook('onClose', async () => {
    service.off('ingested', onIngested);
    service.off('stateChanged', onState);
    service.off('enrolled', onEnrolled);
    events.off('alert', onAlert);
    hub.close();
  });

  await app.register(websocket, { options: { maxPayload: 4096 } });

  const auth = requireRole(service);
  app.get(
    '/api/v1/live',
    {
      websocket: true,
      schema: { tags: ['dashboard'], summary: 'WebSocket of live deltas for the caller’s units (session cookie or Bearer token)' },
      preHandler: async (req, reply) => {
        if (!sameOrigin(req)) throw reject(403, 'bad_origin', 'the live socket accepts connections from this collector’s own pages only');
        await auth(req, reply);
      },
    },
    (socket: WebSocket, req: FastifyRequest) => {
      const principal = req.principal!;
      const units = new Set(unitsInScope(principal.user, service.store.units.list()));
      const sid = req.cookies?.[SESSION_COOKIE];
      const bearer = req.headers.authorization?.startsWith('Bearer ') ? req.headers.authorization.slice(7).trim() : '';
      const stillValid = () =>
        principal.via === 'session' ? Boolean(sid && principalFromSession(service.store, sid)) : Boolean(principalFromApiToken(service.store, bearer));

      const sub: LiveSubscriber = {
        canSee: (unitId) => units.has(unitId),
        send: (msg: LiveMessage) => {
          if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(msg));
        },
      };
      hub.add(sub);
      gauge.inc();
      socket.send(JSON.stringify({ seq: 0, hello: { user: principal.user.username, units: [...units] } }));

      const check = setInterval(() => {
        if (!stillValid()) socket.close(4401, 'session ended');
      }, revalidateMs);
      check.unref();
      // Clients have nothing to say; anything they send is ignored rather than trusted.
      socket.on('message', () => undefined);
      socket.on('close', () => {
        clearInterval(check);
        hub.remove(sub);
        gauge.dec();
      });
    },
  );
}

// Registered on the root instance (not encapsulated) so the onResponse hook sees every API route: this is
// what fastify-plugin does, spelled out to avoid depending on it.
(livePlugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
