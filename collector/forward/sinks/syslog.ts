// RFC 5424 over TCP or TLS (RFC 5425), octet-counted frames (RFC 6587 §3.4.1).
//
// Plain TCP syslog has no acknowledgement: bytes accepted by the local socket can still vanish if the
// receiver goes away. So each batch is one session: connect, write every frame, half-close (FIN / TLS
// close_notify), and count the batch delivered only when the receiver closes its side cleanly — rsyslog and
// syslog-ng close after reading to end-of-stream, which proves they read every byte we sent. A reset, a
// timeout or any error rejects the batch and it is retried (at-least-once).
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { buildAlertSyslog } from '../encoders/syslog-record.js';
import { renderPayload, type ProducerInfo } from '../encoders/render.js';
import type { ForwardEvent } from '../types.js';
import type { SendReport, Sink } from './sink.js';

export interface SyslogSinkOptions {
  host: string;
  port: number;
  tls: boolean;
  /** PEM bytes or a file path of the CA bundle that signed the receiver's certificate. */
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  servername?: string;
  format: 'cef' | 'json';
  producer: ProducerInfo;
  facility: number;
  appName: string;
  bom: boolean;
  maxMessageBytes: number;
  timeoutMs: number;
}

function pem(value: string | Buffer | undefined): Buffer | undefined {
  if (value === undefined) return undefined;
  if (Buffer.isBuffer(value)) return value;
  return value.includes('-----BEGIN') ? Buffer.from(value) : readFileSync(value);
}

export class SyslogSink implements Sink {
  private readonly ca?: Buffer;
  private readonly cert?: Buffer;
  private readonly key?: Buffer;

  constructor(private readonly opts: SyslogSinkOptions) {
    // Read key material once at start-up: a missing CA file is a configuration error, not a delivery failure.
    this.ca = pem(opts.ca);
    this.cert = pem(opts.cert);
    this.key = pem(opts.key);
  }

  /** Frames for a batch (pure; exposed for tests and the benchmark). */
  encode(events: readonly ForwardEvent[]): { frames: Buffer; truncated: number } {
    let truncated = 0;
    const frames = events.map((event) => {
      const record = buildAlertSyslog(event, renderPayload(this.opts.format, event, this.opts.producer), {
        facility: this.opts.facility,
        hostname: this.opts.producer.collectorHostname,
        appName: this.opts.appName,
        bom: this.opts.bom,
        maxBytes: this.opts.maxMessageBytes,
      });
      if (record.truncated) truncated++;
      return record.frame;
    });
    return { frames: Buffer.concat(frames), truncated };
  }

  async send(events: readonly ForwardEvent[]): Promise<SendReport> {
    if (events.length === 0) return { truncated: 0 };
    const { frames, truncated } = this.encode(events);
    await this.session(frames);
    return { truncated };
  }

  private session(data: Buffer): Promise<void> {
    const { host, port, timeoutMs } = this.opts;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const socket: net.Socket = this.opts.tls
        ? tls.connect({
            host,
            port,
            ca: this.ca,
            cert: this.cert,
            key: this.key,
            servername: this.opts.servername ?? (net.isIP(host) ? undefined : host),
            rejectUnauthorized: true,
          })
        : net.connect({ host, port });
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      };
      const timer = setTimeout(() => fail(new Error(`syslog ${host}:${port}: no clean close within ${timeoutMs} ms`)), timeoutMs);
      socket.once('error', (err) => fail(new Error(`syslog ${host}:${port}: ${err.message}`)));
      // 'data' would mean the receiver talks back; syslog receivers do not, but drain it so close can happen.
      socket.on('data', () => undefined);
      socket.once(this.opts.tls ? 'secureConnect' : 'connect', () => {
        socket.end(data);
      });
      socket.once('close', (hadError) => {
        if (settled) return;
        if (hadError || !socket.writableFinished) return fail(new Error(`syslog ${host}:${port}: connection closed before the batch was written`));
        settled = true;
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    // Sessions are per batch: nothing stays open.
  }
}
