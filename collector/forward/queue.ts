// The durable outbox the delivery engine works from. One row per (destination, event): each destination
// progresses, fails and backs off on its own. `enqueue` is synchronous on purpose: it must run inside the
// caller's database transaction, so an alert and its outbox rows commit together or not at all.
import type { ForwardEvent } from './types.js';

export interface QueuedEvent {
  /** Queue row id: increasing in enqueue order, used for FIFO delivery and acknowledgement. */
  id: number;
  destination: string;
  event: ForwardEvent;
  /** Delivery attempts that failed so far. */
  attempts: number;
  /** Epoch ms when the row was enqueued. */
  enqueuedAt: number;
}

export interface EnqueueOptions {
  /** Bound on undelivered rows for the destination. */
  maxQueue: number;
  /** What to do when full: drop the oldest undelivered rows to make room (counted), or refuse the new one. */
  overflow: 'drop_oldest' | 'drop_newest';
}

export interface EnqueueResult {
  /** False when the event was already queued for this destination (same event id) or refused as newest. */
  inserted: boolean;
  /** Rows discarded to respect maxQueue (the oldest, or the new one itself under drop_newest). */
  dropped: number;
}

export interface ForwardQueue {
  enqueue(destination: string, event: ForwardEvent, now: number, opts: EnqueueOptions): EnqueueResult;
  /**
   * Lease up to `max` due rows of one destination, oldest first. Leased rows are invisible to other claims
   * until `leaseUntil`, or until marked delivered/failed.
   */
  claim(destination: string, max: number, now: number, leaseUntil: number): QueuedEvent[];
  /** Delivered: the rows leave the queue. */
  markDelivered(ids: readonly number[]): void;
  /** Failed: release the lease, count the attempt, and make the rows due again at `nextAttemptAt`. */
  markFailed(ids: readonly number[], nextAttemptAt: number, error: string): void;
  /** Release every lease (after a crash the previous owner is gone; one engine owns a queue at a time). */
  releaseClaims(): void;
  depth(destination: string): number;
  /** Epoch ms of the oldest undelivered row, or null when the destination's queue is empty. */
  oldestEnqueuedAt(destination: string): number | null;
  /** Earliest time any unleased row of the destination becomes due, or null when none. */
  nextDueAt(destination: string): number | null;
}
