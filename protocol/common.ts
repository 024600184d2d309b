// Small building blocks shared by every protocol schema. Every string and array from an endpoint is bounded:
// the collector treats all of it as hostile, and bounds are what keep one bad agent from exhausting memory.
import { Type, type TSchema } from '@sinclair/typebox';

export const ShortText = (opts: { maxLength?: number; description?: string } = {}) =>
  Type.String({ maxLength: opts.maxLength ?? 256, ...(opts.description ? { description: opts.description } : {}) });
export const LongText = (maxLength = 4096) => Type.String({ maxLength });
export const IsoTime = Type.String({ format: 'date-time', maxLength: 40 });
export const Int = (min = 0, max = Number.MAX_SAFE_INTEGER) => Type.Integer({ minimum: min, maximum: max });
export const NonNegative = Type.Number({ minimum: 0 });
export const List = <T extends TSchema>(item: T, maxItems = 1024) => Type.Array(item, { maxItems });
/** An object that rejects fields it does not know, so typos and smuggled data are refused at the boundary. */
export const Strict = <P extends Parameters<typeof Type.Object>[0]>(props: P, description?: string) =>
  Type.Object(props, { additionalProperties: false, ...(description ? { description } : {}) });

/** Where a fact came from (command, file, API), so auditors can tell how it was observed. */
export const Source = ShortText({ maxLength: 200, description: 'command, file or API the fact was read from' });
