// The one record the forwarder knows. Alert rules (collector/alerts) build it; every encoder (RFC 5424, CEF,
// JSON, OCSF) renders it; the durable queue stores it as JSON. Everything in it may come from an endpoint, so
// encoders treat every string as hostile.
import { Type, type Static } from '@sinclair/typebox';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Rank for filters: an event passes `minSeverity` when its rank is at least the filter's. */
export const SEVERITY_RANK: Record<Severity, number> = { low: 1, medium: 2, high: 3, critical: 4 };

const Text = (maxLength: number) => Type.String({ maxLength });

export const ForwardEventSchema = Type.Object(
  {
    /** Stable id: the same alert occurrence always carries the same id, so receivers can deduplicate. At most
     *  40 characters because it travels as CEF externalId (max 40); a UUID fits. */
    eventId: Type.String({ pattern: '^[A-Za-z0-9_.:-]{8,40}$' }),
    /** Alert kind, e.g. malware_detected; decides the CEF signature id and the OCSF class. */
    kind: Type.String({ pattern: '^[a-z][a-z0-9_]{1,62}$' }),
    severity: Type.Union(SEVERITIES.map((s) => Type.Literal(s))),
    title: Type.Object({ vi: Text(512), en: Text(512) }, { additionalProperties: false }),
    /** RFC 3339 time the condition was observed (UTC or with offset). */
    occurredAt: Type.String({ format: 'date-time', maxLength: 40 }),
    agent: Type.Object(
      {
        id: Text(128),
        hostname: Text(255),
        ips: Type.Array(Text(64), { maxItems: 64 }),
        os: Text(128),
      },
      { additionalProperties: false },
    ),
    unit: Text(128),
    /** Security level (cấp độ) 1-5 the machine's information system is classified at. */
    level: Type.Integer({ minimum: 1, maximum: 5 }),
    /** Lifecycle step this event reports; absent means the alert was raised. */
    lifecycle: Type.Optional(Type.Union([Type.Literal('raised'), Type.Literal('updated'), Type.Literal('resolved')])),
    /** Alert id shared by all lifecycle events of one alert (OCSF finding_info.uid); defaults to eventId. */
    alertId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$' })),
    details: Type.Record(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,31}$' }), Type.Union([Text(4000), Type.Number(), Type.Boolean()]), {
      maxProperties: 64,
    }),
  },
  { additionalProperties: false },
);

export type ForwardEvent = Static<typeof ForwardEventSchema>;

export const FORMATS = ['cef', 'json', 'ocsf'] as const;
export type ForwardFormat = (typeof FORMATS)[number];
