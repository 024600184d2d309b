// `forward.destinations[]` in the collector's YAML (DESIGN.md: name, type, host, port, tls, url, path, format,
// minSeverity, ...). The TypeBox schema is the contract; `parseDestinations` adds the cross-field rules a JSON
// Schema cannot say clearly (a syslog destination needs host and port, a webhook needs an https URL, ...).
// Secrets are never inline: signing keys are read from files named here.
import { Type, type Static } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import { SEVERITIES } from './types.js';

const Name = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$', description: 'unique; used as the metric label' });
const FilePath = Type.String({ minLength: 1, maxLength: 4096 });

export const DestinationSchema = Type.Object(
  {
    name: Name,
    type: Type.Union([Type.Literal('syslog'), Type.Literal('webhook'), Type.Literal('file')]),
    format: Type.Union([Type.Literal('cef'), Type.Literal('json'), Type.Literal('ocsf')]),
    enabled: Type.Optional(Type.Boolean({ default: true })),

    // filters: an event is forwarded only if it passes every filter that is set
    minSeverity: Type.Optional(Type.Union(SEVERITIES.map((s) => Type.Literal(s)))),
    kinds: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z][a-z0-9_]{1,62}$' }), { minItems: 1, maxItems: 256 })),
    levels: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 5 }), { minItems: 1, maxItems: 5 })),
    units: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { minItems: 1, maxItems: 1024 })),

    // syslog (RFC 5424, octet-counted, over TCP or TLS)
    host: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
    tls: Type.Optional(Type.Boolean()),
    /** PEM file with the CA(s) that signed the receiver's certificate; system CAs when absent. */
    ca: Type.Optional(FilePath),
    /** Client certificate and key (PEM files) for receivers that require mutual TLS. */
    cert: Type.Optional(FilePath),
    key: Type.Optional(FilePath),
    /** Name expected in the receiver's certificate when it differs from `host`. */
    servername: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    facility: Type.Optional(Type.Integer({ minimum: 0, maximum: 23, default: 16 })),
    appName: Type.Optional(Type.String({ pattern: '^[\\x21-\\x7e]{1,48}$', default: 'soclite' })),
    /** Prefix MSG with the UTF-8 BOM (strict RFC 5424 §6.4); some CEF consumers prefer it off. */
    bom: Type.Optional(Type.Boolean({ default: true })),
    maxMessageBytes: Type.Optional(Type.Integer({ minimum: 480, maximum: 1_048_576, default: 8192 })),

    // webhook (HTTPS POST of a JSON array, signed)
    url: Type.Optional(Type.String({ pattern: '^https://', maxLength: 2048 })),
    signing: Type.Optional(
      Type.Union([
        Type.Object({ algorithm: Type.Literal('hmac-sha256'), secretFile: FilePath }, { additionalProperties: false }),
        Type.Object({ algorithm: Type.Literal('ed25519'), privateKeyFile: FilePath }, { additionalProperties: false }),
      ]),
    ),

    // file (JSON lines with size-based rotation)
    path: Type.Optional(FilePath),
    maxFileBytes: Type.Optional(Type.Integer({ minimum: 4096, default: 100 * 1024 * 1024 })),
    maxFiles: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 5 })),

    // delivery
    timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 600_000, default: 10_000 })),
    batchSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 500 })),
    /** Bound on undelivered events for this destination; when full the oldest is dropped and counted. */
    maxQueue: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000_000, default: 1_000_000 })),
    /** When full: drop the oldest undelivered events (default) or refuse new ones; either way counted in metrics. */
    overflow: Type.Optional(Type.Union([Type.Literal('drop_oldest'), Type.Literal('drop_newest')])),
    backoffBaseMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 3_600_000, default: 1000 })),
    backoffCapMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400_000, default: 300_000 })),
  },
  { additionalProperties: false },
);

export type DestinationConfig = Static<typeof DestinationSchema>;

export const ForwardConfigSchema = Type.Object(
  { destinations: Type.Array(DestinationSchema, { maxItems: 64 }) },
  { additionalProperties: false },
);
export type ForwardConfig = Static<typeof ForwardConfigSchema>;

export class ForwardConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForwardConfigError';
  }
}

const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: false });
const checkConfig = ajv.compile<ForwardConfig>(ForwardConfigSchema);

/** Validate `forward` configuration; throws ForwardConfigError naming every problem found. */
export function parseForwardConfig(value: unknown): ForwardConfig {
  if (!checkConfig(value)) {
    const problems = (checkConfig.errors ?? []).map((e) => `forward${e.instancePath.replace(/\//g, '.')} ${e.message ?? 'is invalid'}`);
    throw new ForwardConfigError(`invalid forward configuration: ${problems.join('; ')}`);
  }
  const problems: string[] = [];
  const names = new Set<string>();
  for (const [i, d] of value.destinations.entries()) {
    const at = `forward.destinations[${i}] (${d.name})`;
    if (names.has(d.name)) problems.push(`${at}: name is used twice`);
    names.add(d.name);
    if (d.type === 'syslog') {
      if (!d.host || !d.port) problems.push(`${at}: syslog needs host and port`);
      if (d.format === 'ocsf') problems.push(`${at}: syslog carries format cef or json, not ocsf`);
      if ((d.cert && !d.key) || (d.key && !d.cert)) problems.push(`${at}: cert and key go together`);
      if ((d.ca || d.cert || d.servername) && !d.tls) problems.push(`${at}: ca/cert/servername need tls: true`);
    }
    if (d.type === 'webhook') {
      if (!d.url) problems.push(`${at}: webhook needs an https url`);
      if (!d.signing) problems.push(`${at}: webhook needs signing (hmac-sha256 secretFile or ed25519 privateKeyFile) so the receiver can verify origin`);
      if (d.format === 'cef') problems.push(`${at}: webhook carries format ocsf or json, not cef`);
    }
    if (d.type === 'file' && !d.path) problems.push(`${at}: file needs a path`);
    if ((d.backoffBaseMs ?? 1000) > (d.backoffCapMs ?? 300_000)) problems.push(`${at}: backoffBaseMs exceeds backoffCapMs`);
  }
  if (problems.length > 0) throw new ForwardConfigError(`invalid forward configuration: ${problems.join('; ')}`);
  return value;
}
