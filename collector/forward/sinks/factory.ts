// Builds the sink for a validated destination. Key files are read here, at start-up, so a bad path fails
// the configuration load instead of every later delivery.
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { DestinationConfig } from '../config.js';
import type { ProducerInfo } from '../encoders/render.js';
import { JsonlFileSink } from './jsonl-file.js';
import type { Sink } from './sink.js';
import { SyslogSink } from './syslog.js';
import { WebhookSink } from './webhook.js';
import type { WebhookSigner } from './webhook-signature.js';

export function createSink(d: DestinationConfig, producer: ProducerInfo): Sink {
  const timeoutMs = d.timeoutMs ?? 10_000;
  switch (d.type) {
    case 'syslog':
      if (!d.host || !d.port || d.format === 'ocsf') throw new Error(`destination ${d.name}: syslog needs host, port and format cef|json`);
      return new SyslogSink({
        host: d.host,
        port: d.port,
        tls: d.tls ?? false,
        ca: d.ca ? readFileSync(d.ca) : undefined,
        cert: d.cert ? readFileSync(d.cert) : undefined,
        key: d.key ? readFileSync(d.key) : undefined,
        servername: d.servername,
        format: d.format,
        producer,
        facility: d.facility ?? 16,
        appName: d.appName ?? 'soclite',
        bom: d.bom ?? true,
        maxMessageBytes: d.maxMessageBytes ?? 8192,
        timeoutMs,
      });
    case 'webhook': {
      if (!d.url || !d.signing || d.format === 'cef') throw new Error(`destination ${d.name}: webhook needs url, signing and format ocsf|json`);
      let signer: WebhookSigner;
      if (d.signing.algorithm === 'hmac-sha256') {
        const secret = readFileSync(d.signing.secretFile);
        if (secret.length < 32) throw new Error(`destination ${d.name}: HMAC secret in ${d.signing.secretFile} is shorter than 32 bytes`);
        signer = { algorithm: 'hmac-sha256', secret };
      } else {
        signer = { algorithm: 'ed25519', privateKey: createPrivateKey(readFileSync(d.signing.privateKeyFile)) };
      }
      return new WebhookSink({ url: d.url, format: d.format, producer, signer, ca: d.ca ? readFileSync(d.ca) : undefined, timeoutMs });
    }
    case 'file':
      if (!d.path) throw new Error(`destination ${d.name}: file needs a path`);
      return new JsonlFileSink({ path: d.path, format: d.format, producer, maxFileBytes: d.maxFileBytes ?? 100 * 1024 * 1024, maxFiles: d.maxFiles ?? 5 });
  }
}
