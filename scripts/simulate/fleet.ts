// The simulated fleet: N virtual agents in one process, each with its own Ed25519 identity and sequence,
// speaking the real protocol over real HTTP (shared keep-alive connections): like the real agent, each opens a
// session and authenticates its reports with the session MAC, unless told to sign every report with Ed25519. Agents start spread over a ramp so
// there is no thundering herd, heartbeat and send postures on their own clocks, change posture now and then,
// report malware detections and sometimes go silent (offline) before coming back.
import type { Pool } from 'undici';
import { postureHash } from '../../protocol/index.js';
import { Rng } from './rng.js';
// As the real agent times its heartbeats and scans: agents delayed together (a restart backlog) drift apart.
import { nextDue } from '../../agent/timing.js';
import { buildPosture, evolve, machineProfile, malwareEvent, type MachineState } from './profile.js';
import { loadIdentities, newIdentity, saveIdentities, type SimIdentity } from './identities.js';
import { enrollBody, macReport, makePool, openSession, postJson, signReport, type HttpResult, type SignedBody } from './transport.js';
import { LatencyHistogram } from './latency.js';

export interface FleetOptions {
  server: string;
  /** Enrollment token; needed only when some agents are not in the identity cache yet. */
  token: string | null;
  agents: number;
  seed: string;
  heartbeatSec: number;
  postureEverySec: number;
  /** First contacts are spread evenly over this many seconds. */
  rampSec: number;
  identityFile?: string;
  connections: number;
  enrollConcurrency: number;
  maxInflight: number;
  /** Per posture interval: chance that the machine's state changes (new hash, policy re-evaluation). */
  changeProbability: number;
  /** Per posture interval: chance of a malware detection event. */
  eventProbability: number;
  /** Per heartbeat: chance that the agent goes silent for 4-20 heartbeat intervals. */
  offlineProbability: number;
  /** Session MACs (default true, as the agent does); false signs every report with Ed25519. */
  sessions?: boolean;
  /**
   * Run only the agents whose index i has i % count === index (the other slices run in other processes, see
   * fleet-group.ts). Such a fleet only loads identities (the group enrolls) and does not save them (the group
   * saves every slice's sequence numbers).
   */
  slice?: { index: number; count: number };
  log: (line: string) => void;
}

export const DEFAULTS = {
  heartbeatSec: 60,
  postureEverySec: 900,
  connections: 32,
  enrollConcurrency: 64,
  maxInflight: 512,
  changeProbability: 0.05,
  eventProbability: 0.002,
  offlineProbability: 0.0005,
  sessions: true,
};

/** A collector without the sessions route (404) is asked again after this long, as the agent does. */
const SESSIONLESS_RETRY_MS = 3600_000;
/** Sessions are renewed this long before the collector's expiry. */
const RENEW_BEFORE_MS = 10 * 60_000;

type Kind = 'heartbeat' | 'posture' | 'events' | 'goodbye' | 'enroll';

interface VirtualAgent {
  id: SimIdentity;
  state: MachineState;
  life: Rng;
  hash: string | null;
  nextPostureAt: number;
  nextHeartbeatAt: number;
  needPosture: boolean;
  malware: number;
  dead: boolean;
  startedAt: number;
}

export class FleetStats {
  readonly sent: Record<Kind, number> = { heartbeat: 0, posture: 0, events: 0, goodbye: 0, enroll: 0 };
  readonly accepted: Record<Kind, number> = { heartbeat: 0, posture: 0, events: 0, goodbye: 0, enroll: 0 };
  readonly errors: Record<string, number> = {};
  readonly latency: Record<Kind, LatencyHistogram> = {
    heartbeat: new LatencyHistogram(),
    posture: new LatencyHistogram(),
    events: new LatencyHistogram(),
    goodbye: new LatencyHistogram(),
    enroll: new LatencyHistogram(),
  };
  /** Reports of the current reporting window, for the periodic status line. */
  readonly window = new LatencyHistogram();
  postureChanges = 0;
  wentOffline = 0;
  needPosture = 0;
  seqResynced = 0;
  /** Sessions opened, and of them how many because the collector had forgotten one (unknown_session). */
  sessionsOpened = 0;
  sessionsReopened = 0;

  /** Starts latency measurement afresh (benchmarks leave the ramp-up out of their percentiles). */
  resetLatency(): void {
    for (const h of Object.values(this.latency)) h.reset();
    this.window.reset();
  }

  error(code: string): void {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }

  summary() {
    const lat = (h: LatencyHistogram) => ({ count: h.count, p50Ms: round(h.percentile(50)), p99Ms: round(h.percentile(99)), maxMs: round(h.maxMs) });
    const all = new LatencyHistogram();
    for (const k of ['heartbeat', 'posture', 'events'] as const) all.merge(this.latency[k]);
    return {
      sent: this.sent,
      accepted: this.accepted,
      errors: this.errors,
      latency: { heartbeat: lat(this.latency.heartbeat), posture: lat(this.latency.posture), events: lat(this.latency.events), reports: lat(all), enroll: lat(this.latency.enroll) },
      postureChanges: this.postureChanges,
      wentOffline: this.wentOffline,
      needPosture: this.needPosture,
      seqResynced: this.seqResynced,
      sessionsOpened: this.sessionsOpened,
      sessionsReopened: this.sessionsReopened,
    };
  }
}

const round = (x: number) => (Number.isFinite(x) ? Math.round(x * 100) / 100 : null);
const SLOT_MS = 50;

function isLoopbackIp(serverUrl: string): boolean {
  return /^127\.\d+\.\d+\.\d+$/.test(new URL(serverUrl).hostname);
}

export class Fleet {
  readonly stats = new FleetStats();
  readonly agents: VirtualAgent[] = [];
  private readonly pool: Pool;
  private readonly wheel = new Map<number, number[]>();
  private slotCursor = 0;
  private timer: NodeJS.Timeout | undefined;
  private inflight = 0;
  /** Agents due now, waiting for a free request slot (a queue: head index, compacted now and then). */
  private backlog: number[] = [];
  private backlogHead = 0;
  private readonly idle: (() => void)[] = [];
  private running = false;
  private identities = new Map<number, SimIdentity>();
  /** No session openings before this time: the collector answered the sessions route with 404. */
  private sessionsPausedUntil = 0;

  constructor(readonly o: FleetOptions) {
    if (!Number.isInteger(o.agents) || o.agents < 1) throw new Error(`--agents must be a positive integer, got ${o.agents}`);
    this.pool = makePool(o.server, { connections: o.connections });
  }

  /** Loads cached identities and enrolls the rest through POST /api/v1/enroll. */
  async enroll(): Promise<{ reused: number; enrolled: number }> {
    const o = this.o;
    const mine = (i: number) => !o.slice || i % o.slice.count === o.slice.index;
    if (o.identityFile) this.identities = loadIdentities(o.identityFile, o.server, o.seed, mine);
    const missing: number[] = [];
    for (let i = 0; i < o.agents; i++) if (mine(i) && !this.identities.get(i)?.agentId) missing.push(i);
    const reused = o.agents - missing.length;
    if (missing.length && o.slice) throw new Error(`${missing.length} agents of slice ${o.slice.index} are not enrolled: the group enrolls before starting slices`);
    if (missing.length && !o.token) throw new Error(`${missing.length} agents are not enrolled yet and no enrollment token was given`);
    if (missing.length) await this.enrollMissing(missing);
    if (o.identityFile && !o.slice) saveIdentities(o.identityFile, o.server, o.seed, this.identities.values());
    const now = Date.now();
    for (let i = 0; i < o.agents; i++) {
      if (!mine(i)) continue;
      const id = this.identities.get(i)!;
      const { state } = machineProfile(o.seed, i);
      const life = Rng.from('life', o.seed, i);
      // Even spread over the ramp plus a little jitter: at most a few agents share a millisecond.
      const start = now + (o.rampSec * 1000 * i) / o.agents + life.next() * ((o.rampSec * 1000) / o.agents);
      this.agents.push({
        id,
        state,
        life,
        hash: null,
        nextHeartbeatAt: start,
        // Posture ticks are spread over a whole interval so 100,000 agents do not scan in step.
        nextPostureAt: start + life.next() * o.postureEverySec * 1000,
        needPosture: false,
        malware: 0,
        dead: false,
        startedAt: start,
      });
    }
    return { reused, enrolled: missing.length };
  }

  private async enrollMissing(indices: number[]): Promise<void> {
    const o = this.o;
    // The collector limits enrollments per client address (1,200/min by default). On a loopback test the
    // virtual agents come from many 127.0.x.y addresses, as a real fleet comes from many machines.
    const spread = isLoopbackIp(o.server) ? Math.min(250, Math.max(1, Math.ceil(indices.length / 1000))) : 1;
    const pools = Array.from({ length: spread }, (_, k) =>
      makePool(o.server, { connections: Math.max(1, Math.ceil(o.enrollConcurrency / spread)), localAddress: spread > 1 ? `127.0.1.${k + 1}` : undefined }),
    );
    let next = 0;
    let done = 0;
    let lastLog = Date.now();
    const worker = async () => {
      while (next < indices.length) {
        const i = indices[next++]!;
        const id = newIdentity(i);
        const { profile } = machineProfile(o.seed, i);
        const body = enrollBody(o.token!, id.privateKey, id.publicKeyB64, { hostname: profile.hostname, hardwareId: profile.hardwareId, platform: profile.platform });
        const giveUpAt = Date.now() + 10 * 60_000;
        for (;;) {
          const t0 = performance.now();
          this.stats.sent.enroll++;
          const res = await postJson(pools[i % spread]!, '/api/v1/enroll', body);
          this.stats.latency.enroll.record(performance.now() - t0);
          if (res.status === 200) {
            this.stats.accepted.enroll++;
            id.agentId = String(res.body.agentId);
            this.identities.set(i, id);
            break;
          }
          const code = String(res.body.code ?? `http_${res.status}`);
          this.stats.error(`enroll:${code}`);
          if (res.status === 429 && Date.now() < giveUpAt) {
            await sleep(Math.min(60_000, Number(res.body.retryAfterMs ?? 1000)));
            continue;
          }
          throw new Error(`enrollment of agent ${i} refused: ${res.status} ${code}: ${String(res.body.message ?? '')}`);
        }
        done++;
        if (Date.now() - lastLog > 5000) {
          lastLog = Date.now();
          o.log(`enrolled ${done}/${indices.length}`);
          if (o.identityFile && done % 10_000 < o.enrollConcurrency) saveIdentities(o.identityFile, o.server, o.seed, this.identities.values());
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(o.enrollConcurrency, indices.length) }, worker));
    } finally {
      await Promise.all(pools.map((p) => p.close()));
    }
  }

  /** Starts the agents' clocks. */
  start(): void {
    this.running = true;
    this.slotCursor = Math.floor(Date.now() / SLOT_MS);
    for (let i = 0; i < this.agents.length; i++) this.schedule(i, this.agents[i]!.startedAt);
    this.timer = setInterval(() => this.tick(), 10);
  }

  private schedule(i: number, at: number): void {
    const slot = Math.max(Math.floor(at / SLOT_MS), this.slotCursor);
    let list = this.wheel.get(slot);
    if (!list) this.wheel.set(slot, (list = []));
    list.push(i);
  }

  private tick(): void {
    const nowSlot = Math.floor(Date.now() / SLOT_MS);
    for (; this.slotCursor <= nowSlot; this.slotCursor++) {
      const list = this.wheel.get(this.slotCursor);
      if (!list) continue;
      this.wheel.delete(this.slotCursor);
      for (const i of list) this.backlog.push(i);
    }
    if (this.backlogHead > 4096 && this.backlogHead * 2 > this.backlog.length) {
      this.backlog = this.backlog.slice(this.backlogHead);
      this.backlogHead = 0;
    }
    this.drain();
  }

  private drain(): void {
    while (this.running && this.inflight < this.o.maxInflight && this.backlogHead < this.backlog.length) {
      const i = this.backlog[this.backlogHead++]!;
      this.inflight++;
      this.act(i)
        .catch((err: unknown) => this.stats.error(`client:${(err as { code?: string }).code ?? (err as Error).message}`))
        .finally(() => {
          this.inflight--;
          const a = this.agents[i]!;
          if (this.running && !a.dead) this.schedule(i, a.needPosture ? Date.now() : Math.min(a.nextHeartbeatAt, a.nextPostureAt));
          if (this.inflight === 0) for (const f of this.idle.splice(0)) f();
          this.drain();
        });
    }
  }

  private currentHash(a: VirtualAgent): string {
    if (a.hash === null) {
      const { profile } = machineProfile(this.o.seed, a.id.index);
      a.hash = postureHash(buildPosture(profile, a.state, a.id.agentId!, a.id.lastSeq, Date.now(), a.life));
    }
    return a.hash;
  }

  private async act(i: number): Promise<void> {
    const a = this.agents[i]!;
    const o = this.o;
    const now = Date.now();
    const postureTick = now >= a.nextPostureAt;
    if (postureTick || a.needPosture) {
      const { profile } = machineProfile(o.seed, a.id.index);
      if (postureTick) {
        if (evolve(profile, a.state, a.life, o.changeProbability, now)) this.stats.postureChanges++;
        a.nextPostureAt = nextDue(a.nextPostureAt, o.postureEverySec * 1000, now, () => a.life.next());
      }
      // The heartbeat timer runs on by itself, as the agent's does: a posture sent does not move it.
      a.needPosture = false;
      const seq = a.id.lastSeq + 1;
      const posture = buildPosture(profile, a.state, a.id.agentId!, seq, now, a.life);
      a.hash = postureHash(posture);
      await this.send(a, 'posture', seq, JSON.stringify({ kind: 'posture', seq, postureHash: a.hash, posture }));
      if (postureTick && a.life.chance(o.eventProbability)) {
        const eseq = a.id.lastSeq + 1;
        const events = [malwareEvent(profile, a.malware++, now, a.life)];
        await this.send(a, 'events', eseq, JSON.stringify({ kind: 'events', seq: eseq, events }));
      }
      return;
    }
    if (a.life.chance(o.offlineProbability)) {
      // Silent: no heartbeat for 4-20 intervals; the collector sees it go late, then offline, then come back.
      this.stats.wentOffline++;
      a.nextHeartbeatAt = now + o.heartbeatSec * 1000 * a.life.int(4, 20);
      a.nextPostureAt = Math.max(a.nextPostureAt, a.nextHeartbeatAt);
      return;
    }
    a.nextHeartbeatAt = nextDue(a.nextHeartbeatAt, o.heartbeatSec * 1000, now, () => a.life.next());
    const seq = a.id.lastSeq + 1;
    const res = await this.send(a, 'heartbeat', seq, JSON.stringify({ kind: 'heartbeat', seq, postureHash: this.currentHash(a), uptimeSec: Math.round((now - a.startedAt) / 1000) }));
    if (res?.status === 200 && res.body.needPosture === true) {
      this.stats.needPosture++;
      a.needPosture = true;
    }
  }

  private async send(a: VirtualAgent, kind: Kind, seq: number, body: string): Promise<HttpResult | null> {
    a.id.lastSeq = seq;
    this.stats.sent[kind]++;
    const t0 = performance.now();
    let res = await this.post(a, seq, body);
    if (res.status === 401 && res.body.code === 'unknown_session') {
      // The collector restarted (or the session expired): open a new session and send the same report again.
      this.stats.sessionsReopened++;
      a.id.session = null;
      res = await this.post(a, seq, body);
    }
    const ms = performance.now() - t0;
    this.stats.latency[kind].record(ms);
    this.stats.window.record(ms);
    if (res.status === 200) {
      this.stats.accepted[kind]++;
      return res;
    }
    const code = String(res.body.code ?? `http_${res.status}`);
    this.stats.error(`${kind}:${code}`);
    if (code === 'replayed_sequence' && typeof res.body.lastSeq === 'number') {
      // The cache was older than the collector's view (a run that did not save): continue after it.
      a.id.lastSeq = res.body.lastSeq;
      this.stats.seqResynced++;
      if (kind === 'posture') a.needPosture = true;
    } else if (code === 'unknown_agent' || code === 'agent_retired') {
      a.dead = true;
    }
    return res;
  }

  /** One report, under the agent's session (opened first when needed) or Ed25519-signed. */
  private async post(a: VirtualAgent, seq: number, body: string): Promise<HttpResult> {
    const session = await this.sessionFor(a, seq);
    const req: SignedBody = session ? macReport(a.id.agentId!, session, seq, body) : signReport(a.id.agentId!, a.id.privateKey, seq, body);
    return postJson(this.pool, req.path, req.body, req.headers);
  }

  private async sessionFor(a: VirtualAgent, seq: number) {
    if (this.o.sessions === false) return null;
    const now = Date.now();
    if (a.id.session && now < a.id.session.expiresAtMs - RENEW_BEFORE_MS) return a.id.session;
    a.id.session = null;
    if (now < this.sessionsPausedUntil) return null;
    const opened = await openSession(this.pool, a.id.agentId!, a.id.privateKey, seq);
    if ('refused' in opened) {
      this.stats.error(`session:${String(opened.refused.body.code ?? `http_${opened.refused.status}`)}`);
      if (opened.refused.status === 404) this.sessionsPausedUntil = now + SESSIONLESS_RETRY_MS;
      // The report, Ed25519-signed, gets the collector's own answer (clock skew, retired ...).
      return null;
    }
    this.stats.sessionsOpened++;
    a.id.session = opened.session;
    return a.id.session;
  }

  /** Opens a session for every agent that has none (benchmarks do this before building requests). */
  async openSessions(concurrency = 64): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < this.agents.length) {
        const a = this.agents[next++]!;
        if (!a.dead) await this.sessionFor(a, a.id.lastSeq + 1);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, this.agents.length) }, worker));
  }

  get inFlight(): number {
    return this.inflight;
  }

  /** Last sequence number per agent index: what a slice hands back to its group when it stops. */
  lastSequences(): [number, number][] {
    return this.agents.map((a) => [a.id.index, a.id.lastSeq]);
  }

  /** Takes the sequence numbers a slice used (fleet-group.ts), so the identities saved next continue after them. */
  adoptSequences(pairs: [number, number][]): void {
    for (const [index, seq] of pairs) {
      const id = this.identities.get(index);
      if (id && seq > id.lastSeq) id.lastSeq = seq;
    }
  }

  /** The enrolled identities in index order (benchmarks pre-sign requests with them). */
  identitiesInOrder(): SimIdentity[] {
    return this.agents.map((a) => a.id);
  }

  /** Agents due but waiting for a free request slot: grows when the collector cannot keep up. */
  get queued(): number {
    return this.backlog.length - this.backlogHead;
  }

  /**
   * Stops the clocks, waits for requests in flight, optionally says goodbye from every agent (the collector
   * marks them stopped), then saves the identities with their last sequence numbers.
   */
  async stop(o: { goodbye?: boolean } = {}): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    if (this.inflight > 0) await new Promise<void>((r) => this.idle.push(r));
    try {
      if (o.goodbye) await this.goodbye();
    } finally {
      if (this.o.identityFile && !this.o.slice) saveIdentities(this.o.identityFile, this.o.server, this.o.seed, this.identities.values());
      await this.pool.close();
    }
  }

  private async goodbye(reason = 'simulation ended'): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < this.agents.length) {
        const a = this.agents[next++]!;
        if (a.dead) continue;
        const seq = a.id.lastSeq + 1;
        await this.send(a, 'goodbye', seq, JSON.stringify({ kind: 'goodbye', seq, reason })).catch(() => this.stats.error('client:goodbye'));
      }
    };
    await Promise.all(Array.from({ length: Math.min(64, this.agents.length) }, worker));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
