// The `alerts` section of the collector configuration: which rules run, their thresholds and timers. Every key
// has a default, is flat (so SOCLITE_ALERTS_<KEY> can set it) and can be overridden per organisation.
import { Type, type Static } from '@sinclair/typebox';

const severityLiterals = () => [Type.Literal('low'), Type.Literal('medium'), Type.Literal('high'), Type.Literal('critical')];
const Severity = Type.Union(severityLiterals());
const Kind = Type.String({ pattern: '^[a-z][a-z0-9_]{1,62}$' });

export const RiskyPortSchema = Type.Object(
  {
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    proto: Type.Optional(Type.Union([Type.Literal('tcp'), Type.Literal('udp')], { description: 'tcp when absent' })),
    name: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false },
);
export type RiskyPort = Static<typeof RiskyPortSchema>;

/** Services an attacker looks for first: remote desktop/shell, file sharing, databases. */
export const DEFAULT_RISKY_PORTS: RiskyPort[] = [
  { port: 21, name: 'FTP' },
  { port: 23, name: 'Telnet' },
  { port: 135, name: 'MS-RPC' },
  { port: 139, name: 'SMB (NetBIOS)' },
  { port: 445, name: 'SMB' },
  { port: 1433, name: 'MS SQL Server' },
  { port: 1521, name: 'Oracle DB' },
  { port: 2375, name: 'Docker API (plain)' },
  { port: 3306, name: 'MySQL/MariaDB' },
  { port: 3389, name: 'RDP' },
  { port: 5432, name: 'PostgreSQL' },
  { port: 5900, name: 'VNC' },
  { port: 5901, name: 'VNC' },
  { port: 5902, name: 'VNC' },
  { port: 5903, name: 'VNC' },
  { port: 5985, name: 'WinRM (HTTP)' },
  { port: 5986, name: 'WinRM (HTTPS)' },
  { port: 6379, name: 'Redis' },
  { port: 9200, name: 'Elasticsearch' },
  { port: 11211, name: 'Memcached' },
  { port: 27017, name: 'MongoDB' },
];

export const AlertsConfigSchema = Type.Object(
  {
    /** Rule kinds that never raise (e.g. [heartbeat_lost]). */
    disabledRules: Type.Array(Kind, { default: [] }),
    /** Severity per kind, replacing the rule's default (e.g. { exposed_service: critical }). */
    severities: Type.Record(Kind, Severity, { default: {} }),
    /** Listening ports that raise exposed_service when bound to a non-loopback address. */
    riskyPorts: Type.Array(RiskyPortSchema, { default: DEFAULT_RISKY_PORTS, maxItems: 1024 }),
    /** Signature age limit in hours for every level; when absent the policy pack's maxSignatureAgeHours for the machine's level applies. */
    maxSignatureAgeHours: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    /** Lowest security level at which a machine with no AV/EDR product at all raises av_missing (6 = never). */
    avRequiredFromLevel: Type.Integer({ minimum: 1, maximum: 6, default: 1 }),
    /** Clock skew (seconds, either direction) that raises clock_skew; below agents.maxClockSkewSec, which refuses requests. */
    clockSkewAlertSec: Type.Number({ exclusiveMinimum: 0, default: 60 }),
    /** Lost reports in one gap needed to raise sequence_gap. */
    minSequenceGap: Type.Integer({ minimum: 1, default: 1 }),
    /** Lowest control severity whose pass -> fail raises control_failed. */
    controlFailMinSeverity: Type.Union(severityLiterals(), { default: 'high' }),
    /**
     * Stricter offline timers per security level ("4": 300): an agent of that level silent this long raises
     * agent_offline even before the fleet-wide agents.offlineAfterSec moves it to offline.
     */
    offlineAfterSecByLevel: Type.Record(Type.String({ pattern: '^[1-5]$' }), Type.Number({ exclusiveMinimum: 0 }), { default: {} }),
    /** How often suppressions are checked for expiry (and level timers applied). */
    sweepSec: Type.Number({ exclusiveMinimum: 0, default: 5 }),
    /** Longest suppression a user may set. */
    maxSuppressHours: Type.Number({ exclusiveMinimum: 0, default: 24 * 90 }),
  },
  { default: {}, additionalProperties: false },
);

export type AlertsConfig = Static<typeof AlertsConfigSchema>;
