// Boundary check for events entering the forwarder: a malformed event is refused when it is enqueued (inside
// the alert's transaction), never discovered later by a sink that cannot do anything about it.
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { ForwardEventSchema, type ForwardEvent } from './types.js';

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const check = ajv.compile<ForwardEvent>(ForwardEventSchema);

export class InvalidForwardEventError extends Error {
  constructor(public readonly problems: string[]) {
    super(`invalid forward event: ${problems.join('; ')}`);
    this.name = 'InvalidForwardEventError';
  }
}

export function assertForwardEvent(value: unknown): asserts value is ForwardEvent {
  if (check(value)) return;
  const problems = (check.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
  throw new InvalidForwardEventError(problems);
}
