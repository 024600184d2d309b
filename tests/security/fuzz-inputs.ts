// Generators of hostile requests (fast-check): malformed and truncated JSON, wrong types, deep nesting, huge
// strings and arrays, __proto__/constructor keys, invalid UTF-8, SQL and HTML injection in every string.
import fc from 'fast-check';

export const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE agents; --",
  '" OR 1=1 --',
  "admin'--",
  '1; SELECT * FROM users',
  "') UNION SELECT password_hash FROM users --",
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "javascript:alert('x')",
  '{{7*7}}',
  '${7*7}',
  '../../../../etc/passwd',
  '%00',
  '\u0000',
  '\u202e',
  '\ud800',
  '𝕏'.repeat(10),
];

export const hostileString = fc.oneof(
  fc.constantFrom(...INJECTIONS),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer({ min: 10_000, max: 400_000 }).map((n) => 'x'.repeat(n)),
);

/** Any JSON value, including the wrong-typed and the huge. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 5 }),
  fc.integer({ min: 1000, max: 60_000 }).map((n) => Array.from({ length: n }, (_, i) => i)),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.integer(), { maxKeys: 4 }),
);

export type Body = string | Buffer;

const deepNesting = fc.integer({ min: 100, max: 20_000 }).chain((n) =>
  fc.constantFrom('['.repeat(n) + ']'.repeat(n), '{"a":'.repeat(n) + '1' + '}'.repeat(n), '['.repeat(n)),
);

const protoKeys = fc.constantFrom(
  '{"__proto__":{"isAdmin":true}}',
  '{"constructor":{"prototype":{"isAdmin":true}}}',
  '{"kind":"heartbeat","seq":1,"postureHash":null,"__proto__":{"x":1}}',
  '{"username":"admin","password":"x","__proto__":{"role":"admin"}}',
  '{"unit":"default","constructor":{"prototype":{"x":1}}}',
);

const invalidUtf8 = fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => Buffer.concat([Buffer.from('{"kind":"'), Buffer.from([0xff, 0xfe, 0xc0, 0x80]), Buffer.from(bytes), Buffer.from('"}')]));

/** A body that no route can accept: it is broken by construction, whatever the values drawn. */
export function brokenBody(valid: Record<string, unknown>): fc.Arbitrary<Body> {
  const keys = Object.keys(valid);
  const json = JSON.stringify(valid);
  return fc.oneof(
    fc.integer({ min: 0, max: Math.max(0, json.length - 1) }).map((n) => json.slice(0, n)), // truncated
    fc.string({ maxLength: 200 }).filter((s) => !isJsonObject(s)), // not a JSON object at all
    deepNesting,
    protoKeys,
    invalidUtf8,
    // one known field with a value of the wrong type
    fc.tuple(fc.constantFrom(...keys), hostileValue).map(([k, v]) => JSON.stringify({ ...valid, [k]: wrongType(valid[k], v) })),
    // an unknown field (every schema refuses additional properties)
    fc.tuple(hostileString, hostileValue).map(([k, v]) => JSON.stringify({ ...valid, ['x-' + k]: v })),
    // a huge array where a scalar belongs
    fc.constantFrom(...keys).map((k) => JSON.stringify({ ...valid, [k]: Array.from({ length: 50_000 }, () => 'a') })),
  );
}

function isJsonObject(s: string): boolean {
  try {
    const v = JSON.parse(s) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

/** v if its JSON type differs from the valid value's, else a value of another type. */
function wrongType(validValue: unknown, v: unknown): unknown {
  const kind = (x: unknown) => (Array.isArray(x) ? 'array' : x === null ? 'null' : typeof x);
  if (kind(v) !== kind(validValue)) return v;
  return kind(validValue) === 'object' ? 42 : { wrong: true };
}

/** Every string field of an object replaced by hostile strings (shape otherwise kept). */
export function injectEverywhere(value: unknown, strings: string[], i = { n: 0 }): unknown {
  if (typeof value === 'string') return strings[i.n++ % strings.length];
  if (Array.isArray(value)) return value.map((v) => injectEverywhere(v, strings, i));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, injectEverywhere(v, strings, i)]));
  return value;
}
