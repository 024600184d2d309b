// Sends the agent's reports with the cheapest authentication the collector accepts: a session HMAC when it
// offers sessions (one Ed25519 signature per session instead of per report, which the collector would verify on
// every heartbeat), otherwise an Ed25519 signature per report as always. The outbox semantics do not change:
// send() resolves with the acknowledgement or throws the collector's (or the network's) answer to the report.
import type { KeyObject } from 'node:crypto';
import type { ReportAck } from '../../protocol/index.js';
import { CollectorError, openSession, sendSigned, sendWithSession, type AgentSession, type ClientOptions } from './client.js';

export interface ReportSenderOptions {
  /** Open sessions (default true); false signs every report with Ed25519. */
  sessions?: boolean;
  now?: () => number;
}

/** A collector without the sessions route (older) is asked again after this long. */
export const SESSIONLESS_RETRY_MS = 3600_000;
/** Any other failure to open a session (refused, clock skew): reports are Ed25519-signed meanwhile. */
const OPEN_FAILED_RETRY_MS = 60_000;
/** A session is renewed this long before the collector's expiry (clocks differ a little). */
const RENEW_BEFORE_MS = 10 * 60_000;

export class ReportSender {
  private session: AgentSession | null = null;
  /** No session attempt before this time (ms). */
  private sessionsPausedUntil = 0;
  private readonly now: () => number;

  constructor(
    private readonly client: ClientOptions,
    private readonly agentId: string,
    private readonly privateKey: KeyObject,
    private readonly opts: ReportSenderOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** Whether reports currently travel under a session (for tests and logs). */
  get sessionId(): string | undefined {
    return this.session?.id;
  }

  async send(seq: number, body: string): Promise<ReportAck> {
    const session = await this.currentSession(seq);
    if (!session) return sendSigned(this.client, this.agentId, this.privateKey, seq, body, this.now());
    try {
      return await sendWithSession(this.client, this.agentId, session, seq, body, this.now());
    } catch (err) {
      // The collector restarted (sessions live in its memory) or let the session expire: open a new one and
      // send the same report once more, re-authenticated; its sequence was not consumed.
      if (!(err instanceof CollectorError && err.code === 'unknown_session')) throw err;
      this.session = null;
      const fresh = await this.currentSession(seq);
      if (!fresh) return sendSigned(this.client, this.agentId, this.privateKey, seq, body, this.now());
      return sendWithSession(this.client, this.agentId, fresh, seq, body, this.now());
    }
  }

  /** The session to use, opened when needed; null means sign with Ed25519 this time. */
  private async currentSession(seq: number): Promise<AgentSession | null> {
    if (this.opts.sessions === false) return null;
    const now = this.now();
    if (this.session && now < this.session.expiresAtMs - RENEW_BEFORE_MS) return this.session;
    this.session = null;
    if (now < this.sessionsPausedUntil) return null;
    try {
      this.session = await openSession(this.client, this.agentId, this.privateKey, seq, now);
      return this.session;
    } catch (err) {
      // Unreachable: the report would not get through either; let it fail the same way.
      if (!(err instanceof CollectorError)) throw err;
      // 404: an older collector without sessions. Anything else (clock skew, retired, refused): the report's own
      // answer, Ed25519-signed, tells the agent what to do, and sessions are tried again later.
      this.sessionsPausedUntil = now + (err.status === 404 ? SESSIONLESS_RETRY_MS : OPEN_FAILED_RETRY_MS);
      return null;
    }
  }
}
