// A sink delivers a batch to one destination. `send` resolves only when the destination has taken every
// event of the batch (what "taken" means is per transport, documented on each sink); any doubt rejects, and
// the engine retries the whole batch later. Duplicates are possible, loss is not: receivers dedup on eventId.
import type { ForwardEvent } from '../types.js';

export interface SendReport {
  /** Events whose message had to be cut to the transport's size limit. */
  truncated: number;
}

export interface Sink {
  send(events: readonly ForwardEvent[]): Promise<SendReport>;
  close(): Promise<void>;
}
