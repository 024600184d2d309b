// Who is acting in the current HTTP request, and from where, so audit records written deep inside a service
// call (e.g. on the collector's 'enrolled' event) still name the caller and the client address.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestActor {
  ip: string;
  user?: { id: string; username: string; role: string };
}

const storage = new AsyncLocalStorage<RequestActor>();

/** Runs the rest of a request's lifecycle (continue) inside a context for that request. */
export function runWithRequestActor(actor: RequestActor, next: () => void): void {
  storage.run(actor, next);
}

export function currentRequestActor(): RequestActor | undefined {
  return storage.getStore();
}
