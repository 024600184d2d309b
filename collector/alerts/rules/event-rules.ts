// Rules over events the agent sent (each stored once by its id): malware found, a critical file changed, the
// agent's outbox lost data. Events are occurrences: a repeat of the same (kind, key) counts on the alert that
// is still active instead of raising another one.
import type { AgentEvent } from '../../../protocol/index.js';
import type { AlertDecision } from '../types.js';
import { clip, hashedKey } from './text.js';

export function eventRule(e: AgentEvent): AlertDecision | null {
  switch (e.type) {
    case 'malware_detected':
      return {
        op: 'raise',
        kind: 'malware_detected',
        // Same signature at the same path is the same finding seen again.
        key: hashedKey(e.data.signature, e.data.path),
        severity: 'critical',
        title: { vi: clip(`Phát hiện mã độc: ${e.data.signature}`), en: clip(`Malware detected: ${e.data.signature}`) },
        details: {
          signature: clip(e.data.signature, 256),
          path: clip(e.data.path, 2000),
          product: clip(e.data.product, 128),
          ...(e.data.action ? { action: clip(e.data.action, 64) } : {}),
          agentEventId: e.id,
        },
        at: e.at,
      };
    case 'file_changed':
      return {
        op: 'raise',
        kind: 'file_changed',
        key: hashedKey(e.data.path),
        severity: 'high',
        title: { vi: clip(`Tệp quan trọng bị thay đổi: ${e.data.path}`), en: clip(`Critical file changed: ${e.data.path}`) },
        details: {
          path: clip(e.data.path, 2000),
          change: e.data.change,
          ...(e.data.oldSha256 ? { oldSha256: e.data.oldSha256 } : {}),
          ...(e.data.newSha256 ? { newSha256: e.data.newSha256 } : {}),
          agentEventId: e.id,
        },
        at: e.at,
      };
    case 'outbox_gap':
      return {
        op: 'raise',
        kind: 'outbox_gap',
        key: '',
        severity: 'medium',
        title: {
          vi: `Tác tử mất ${e.data.dropped} bản tin trước khi gửi`,
          en: `Agent dropped ${e.data.dropped} queued reports before sending`,
        },
        details: {
          dropped: e.data.dropped,
          kinds: clip(e.data.kinds.join(', '), 200),
          reason: clip(e.data.reason, 256),
          ...(e.data.oldestDroppedAt ? { oldestDroppedAt: e.data.oldestDroppedAt } : {}),
          agentEventId: e.id,
        },
        at: e.at,
      };
  }
}

export function eventRules(events: readonly AgentEvent[]): AlertDecision[] {
  return events.map(eventRule).filter((d): d is AlertDecision => d !== null);
}
