// What a fact path in a check may name: resolved against the posture schema in protocol/posture.ts, so a typo
// in a policy ("hardening.screenlock") is refused at load instead of silently evaluating to unknown forever.
import { Posture } from '../../protocol/posture.js';

export type FactKind =
  | { kind: 'boolean' }
  | { kind: 'number'; integer: boolean }
  | { kind: 'string'; dateTime: boolean }
  | { kind: 'enum'; values: string[] }
  | { kind: 'object'; schema: JsonSchema }
  | { kind: 'array'; item: JsonSchema };

type JsonSchema = {
  type?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  const?: unknown;
  format?: string;
};

export const postureRoot = Posture as unknown as JsonSchema;

export function describeSchema(schema: JsonSchema): FactKind | undefined {
  if (schema.anyOf && schema.anyOf.every((s) => typeof s.const === 'string')) {
    return { kind: 'enum', values: schema.anyOf.map((s) => s.const as string) };
  }
  switch (schema.type) {
    case 'boolean':
      return { kind: 'boolean' };
    case 'number':
      return { kind: 'number', integer: false };
    case 'integer':
      return { kind: 'number', integer: true };
    case 'string':
      return { kind: 'string', dateTime: schema.format === 'date-time' };
    case 'object':
      return { kind: 'object', schema };
    case 'array':
      return schema.items ? { kind: 'array', item: schema.items } : undefined;
    default:
      return undefined;
  }
}

/**
 * Resolves a dotted path below `root` (the posture, or a list item inside a quantifier). Returns the kind of the
 * fact, or an error naming the first segment that does not exist and what exists there instead.
 */
export function resolveFact(root: JsonSchema, path: string): { fact: FactKind } | { error: string } {
  const segments = path.split('.');
  let schema: JsonSchema = root;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] as string;
    if (schema.type !== 'object' || !schema.properties) {
      return { error: `"${segments.slice(0, i).join('.')}" is not an object, so "${seg}" cannot be read from it` };
    }
    if (!Object.prototype.hasOwnProperty.call(schema.properties, seg)) {
      const known = Object.keys(schema.properties).join(', ');
      const where = i === 0 ? 'the posture' : `"${segments.slice(0, i).join('.')}"`;
      return { error: `unknown fact path "${path}": ${where} has no field "${seg}" (known: ${known})` };
    }
    schema = schema.properties[seg] as JsonSchema;
  }
  const fact = describeSchema(schema);
  return fact ? { fact } : { error: `fact path "${path}" has a type the check language cannot compare` };
}
