// HTTPS POST of a JSON array of events (OCSF by default), signed (see webhook-signature.ts). A batch counts
// as delivered only on a 2xx answer; anything else (including 4xx) is retried with backoff, because dropping
// alerts on a receiver misconfiguration would be silent loss — the failed-events metric shows the problem.
import { createHash } from 'node:crypto';
import https from 'node:https';
import { renderPayload, type ProducerInfo } from '../encoders/render.js';
import type { ForwardEvent } from '../types.js';
import type { SendReport, Sink } from './sink.js';
import { signWebhook, type WebhookSigner } from './webhook-signature.js';

export interface WebhookSinkOptions {
  url: string;
  format: 'ocsf' | 'json';
  producer: ProducerInfo;
  signer: WebhookSigner;
  /** PEM CA bundle for the receiver's certificate; system CAs when absent. */
  ca?: Buffer;
  timeoutMs: number;
  now?: () => number;
}

export class WebhookSink implements Sink {
  private readonly url: URL;
  private readonly agent: https.Agent;

  constructor(private readonly opts: WebhookSinkOptions) {
    this.url = new URL(opts.url);
    if (this.url.protocol !== 'https:') throw new Error(`webhook url must be https, got ${this.url.protocol}`);
    this.agent = new https.Agent({ keepAlive: true, ca: opts.ca });
  }

  /** Request body for a batch (pure; exposed for tests). */
  body(events: readonly ForwardEvent[]): Buffer {
    return Buffer.from(`[${events.map((e) => renderPayload(this.opts.format, e, this.opts.producer)).join(',')}]`, 'utf8');
  }

  async send(events: readonly ForwardEvent[]): Promise<SendReport> {
    if (events.length === 0) return { truncated: 0 };
    const body = this.body(events);
    const now = (this.opts.now ?? Date.now)() / 1000;
    // Same batch, same key: lets a receiver drop a whole retried batch cheaply.
    const idempotencyKey = createHash('sha256').update(events.map((e) => e.eventId).join('\n')).digest('hex');
    const headers = {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(body.length),
      'idempotency-key': idempotencyKey,
      ...signWebhook(body, this.opts.signer, now),
    };
    await new Promise<void>((resolve, reject) => {
      const req = https.request(this.url, { method: 'POST', headers, agent: this.agent, timeout: this.opts.timeoutMs }, (res) => {
        res.resume();
        res.once('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(new Error(`webhook ${this.url.host}: HTTP ${status}`));
        });
        res.once('error', (err) => reject(new Error(`webhook ${this.url.host}: ${err.message}`)));
      });
      req.once('timeout', () => req.destroy(new Error(`no answer within ${this.opts.timeoutMs} ms`)));
      req.once('error', (err) => reject(new Error(`webhook ${this.url.host}: ${err.message}`)));
      req.end(body);
    });
    return { truncated: 0 };
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }
}
