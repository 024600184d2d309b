// Messages between agent and collector. Fastify validates requests with these schemas; the agent builds its
// requests from the same types, so the two sides cannot drift apart.
import { Type, type Static } from '@sinclair/typebox';
import { Int, IsoTime, List, ShortText, Strict } from './common.js';
import { Posture } from './posture.js';
import { AgentEvent } from './events.js';

export const Sha256Hex = Type.String({ pattern: '^[0-9a-f]{64}$' });
/** Ed25519 public key: the 32 raw bytes, base64. */
export const PublicKeyB64 = Type.String({ pattern: '^[A-Za-z0-9+/]{43}=$' });
export const SignatureB64 = Type.String({ pattern: '^[A-Za-z0-9+/]{86}==$' });
export const AgentId = Type.String({ pattern: '^agt_[A-Za-z0-9_-]{16,48}$' });

export const EnrollRequest = Strict({
  token: Type.String({ minLength: 10, maxLength: 200 }),
  publicKey: PublicKeyB64,
  /** Signature with the new private key over enrollProofMessage(): proves the enrolling party holds the key. */
  proof: SignatureB64,
  agentVersion: ShortText({ maxLength: 40 }),
  hostname: ShortText({ maxLength: 255 }),
  hardwareId: ShortText({ maxLength: 128 }),
  platform: ShortText({ maxLength: 32 }),
});

export const AgentSettings = Strict({
  heartbeatSec: Int(1, 86400),
  scanSec: Int(1, 86400),
  maxClockSkewSec: Int(1, 86400),
});

export const EnrollResponse = Strict({
  agentId: AgentId,
  unit: ShortText(),
  collectorTime: IsoTime,
  settings: AgentSettings,
});

export const PostureReport = Strict({
  kind: Type.Literal('posture'),
  seq: Int(1),
  postureHash: Sha256Hex,
  posture: Posture,
});

export const HeartbeatReport = Strict({
  kind: Type.Literal('heartbeat'),
  seq: Int(1),
  postureHash: Type.Union([Sha256Hex, Type.Null()]),
  uptimeSec: Type.Optional(Type.Number({ minimum: 0 })),
});

export const EventsReport = Strict({
  kind: Type.Literal('events'),
  seq: Int(1),
  events: List(AgentEvent, 500),
});

export const GoodbyeReport = Strict({
  kind: Type.Literal('goodbye'),
  seq: Int(1),
  reason: ShortText({ maxLength: 200 }),
});

export const Report = Type.Union([PostureReport, HeartbeatReport, EventsReport, GoodbyeReport]);

export const ReportAck = Strict({
  accepted: Type.Boolean(),
  seq: Int(),
  /** The collector's posture hash differs from the heartbeat's: send a full posture. */
  needPosture: Type.Boolean(),
  settings: Type.Optional(AgentSettings),
});

/** X25519 public key: the 32 raw bytes, base64. */
export const X25519PublicKeyB64 = Type.String({ pattern: '^[A-Za-z0-9+/]{43}=$', description: 'X25519 public key: 32 raw bytes, base64' });

/**
 * Opening a session (POST /agents/:id/sessions, Ed25519-signed like a report): the agent's ephemeral X25519
 * key, new per session. Both sides derive the session key with X25519 + HKDF-SHA256 (protocol/session-key.ts).
 */
export const SessionOpenRequest = Strict({ x25519PublicKey: X25519PublicKeyB64 });

export const SessionOpenResponse = Strict({
  /** Goes in the x-soclite-session header of every request authenticated with this session. */
  sessionId: Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$' }),
  /** The collector's ephemeral X25519 key for this session. */
  x25519PublicKey: X25519PublicKeyB64,
  /** After this the collector answers unknown_session; open a new one before it. */
  expiresAt: IsoTime,
});

/** Errors as data: a stable machine code plus a sentence for people. */
export const ErrorBody = Type.Object({
  error: Type.String(),
  code: Type.String(),
  message: Type.String(),
  statusCode: Type.Integer(),
  /** On 409: the last sequence the collector accepted from this agent. */
  lastSeq: Type.Optional(Type.Integer()),
  /** On 429: how long until the limit's window ends, in ms (also sent as the Retry-After header, in seconds). */
  retryAfterMs: Type.Optional(Type.Integer({ minimum: 0 })),
});

export type EnrollRequest = Static<typeof EnrollRequest>;
export type EnrollResponse = Static<typeof EnrollResponse>;
export type AgentSettings = Static<typeof AgentSettings>;
export type PostureReport = Static<typeof PostureReport>;
export type HeartbeatReport = Static<typeof HeartbeatReport>;
export type EventsReport = Static<typeof EventsReport>;
export type GoodbyeReport = Static<typeof GoodbyeReport>;
export type Report = Static<typeof Report>;
export type ReportAck = Static<typeof ReportAck>;
export type ErrorBody = Static<typeof ErrorBody>;
export type SessionOpenRequest = Static<typeof SessionOpenRequest>;
export type SessionOpenResponse = Static<typeof SessionOpenResponse>;

