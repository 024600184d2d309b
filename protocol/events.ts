// Events are things that happened (malware found, a critical file changed), sent at once and never merged
// into posture. Each carries a stable id chosen by the agent, so a resend is recognised and stored once.
import { Type, type Static } from '@sinclair/typebox';
import { Int, IsoTime, List, LongText, ShortText, Strict } from './common.js';

export const EventId = Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' });

export const MalwareDetected = Strict({
  id: EventId,
  type: Type.Literal('malware_detected'),
  at: IsoTime,
  data: Strict({
    path: LongText(4096),
    signature: ShortText({ maxLength: 256 }),
    product: ShortText({ maxLength: 128 }),
    action: Type.Optional(ShortText({ maxLength: 64 })),
  }),
});

export const FileChanged = Strict({
  id: EventId,
  type: Type.Literal('file_changed'),
  at: IsoTime,
  data: Strict({
    path: LongText(4096),
    change: Type.Union([Type.Literal('created'), Type.Literal('modified'), Type.Literal('deleted')]),
    oldSha256: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$' })),
    newSha256: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$' })),
  }),
});

/** Sent when the agent's outbox had to drop data: the collector learns exactly what was lost. */
export const OutboxGap = Strict({
  id: EventId,
  type: Type.Literal('outbox_gap'),
  at: IsoTime,
  data: Strict({
    dropped: Int(),
    kinds: List(ShortText({ maxLength: 32 }), 8),
    oldestDroppedAt: Type.Optional(IsoTime),
    reason: ShortText({ maxLength: 256 }),
  }),
});

export const AgentEvent = Type.Union([MalwareDetected, FileChanged, OutboxGap]);

export type AgentEvent = Static<typeof AgentEvent>;
export type MalwareDetected = Static<typeof MalwareDetected>;
export type FileChanged = Static<typeof FileChanged>;
export type OutboxGap = Static<typeof OutboxGap>;
