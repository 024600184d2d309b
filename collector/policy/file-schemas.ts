// JSON Schemas of the two kinds of policy file: pack.yaml (what a pack is: framework, documents, tiers,
// parameters) and one file per control family. Checks are validated by the compiler, which knows the posture
// model and the parameters and so can say more than a schema can.
const localized = {
  type: 'object',
  additionalProperties: false,
  required: ['vi', 'en'],
  properties: { vi: { type: 'string', minLength: 1, maxLength: 4000 }, en: { type: 'string', minLength: 1, maxLength: 4000 } },
} as const;

const idPattern = '^[a-z0-9]+(?:[.-][a-z0-9]+)*$';
const tierId = { anyOf: [{ type: 'string', pattern: '^[A-Za-z0-9]{1,16}$' }, { type: 'integer', minimum: 0, maximum: 99 }] } as const;
const scalar = { type: ['number', 'boolean', 'string'] } as const;

const reference = {
  type: 'object',
  additionalProperties: false,
  required: ['document', 'clause'],
  properties: {
    document: { type: 'string', minLength: 1, maxLength: 64 },
    clause: { type: 'string', minLength: 1, maxLength: 300 },
    ig: { type: 'string', enum: ['IG1', 'IG2', 'IG3'] },
  },
} as const;

export const packFileSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['pack', 'title', 'framework', 'documents', 'tiers', 'parameters'],
  properties: {
    pack: { type: 'string', pattern: idPattern, maxLength: 64 },
    title: localized,
    framework: localized,
    documents: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'title'],
        properties: {
          id: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
          title: localized,
          confidence: { type: 'string', enum: ['high', 'med', 'low', 'recall'] },
          url: { type: 'string', maxLength: 500 },
        },
      },
    },
    tiers: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'title', 'securityLevels'],
        properties: {
          id: tierId,
          title: localized,
          securityLevels: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 1, maximum: 5 }, uniqueItems: true },
        },
      },
    },
    parameters: {
      type: 'object',
      propertyNames: { pattern: '^[a-z][A-Za-z0-9]{0,63}$' },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['type', 'title'],
        properties: {
          type: { type: 'string', enum: ['number', 'integer', 'boolean', 'string'] },
          unit: { type: 'string', maxLength: 32 },
          title: localized,
          default: scalar,
          byLevel: { type: 'object', propertyNames: { pattern: '^[A-Za-z0-9]{1,16}$' }, additionalProperties: scalar },
          sources: { type: 'array', minItems: 1, items: reference },
          orgDefault: { type: 'boolean' },
          note: { type: 'string', maxLength: 2000 },
        },
      },
    },
  },
} as const;

export const familyFileSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['family', 'title', 'controls'],
  properties: {
    family: { type: 'string', pattern: idPattern, maxLength: 64 },
    title: localized,
    controls: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'title', 'rationale', 'remediation', 'severity', 'platforms', 'levels', 'references'],
        properties: {
          id: { type: 'string', pattern: idPattern, maxLength: 96 },
          title: localized,
          rationale: localized,
          remediation: localized,
          severity: { type: 'string', enum: ['low', 'medium', 'high', 'critical'] },
          platforms: {
            type: 'array',
            minItems: 1,
            uniqueItems: true,
            items: { type: 'string', enum: ['linux', 'windows', 'darwin', 'other'] },
          },
          roles: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: ['workstation', 'server'] } },
          levels: { type: 'array', minItems: 1, uniqueItems: true, items: tierId },
          references: { type: 'array', minItems: 1, items: reference },
          check: { type: 'object' },
          attestation: {
            type: 'object',
            additionalProperties: false,
            required: ['kind'],
            properties: {
              kind: { type: 'string', enum: ['training', 'drill', 'assessment', 'backup-restore-test'] },
              maxAgeDays: {
                anyOf: [
                  { type: 'number', exclusiveMinimum: 0 },
                  { type: 'object', additionalProperties: false, required: ['param'], properties: { param: { type: 'string' } } },
                ],
              },
            },
          },
        },
      },
    },
  },
} as const;
