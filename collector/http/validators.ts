// Request validation: bodies are JSON and must have the right types as sent ("1" is not a number, unknown fields
// are refused, never silently dropped); query strings and path parameters are text by nature, so numbers and
// booleans in them are converted before validation.
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const common = { removeAdditional: false, useDefaults: true, allErrors: false, strict: false } as const;
/** The options of body validation (also the signature worker's, which validates large report bodies). */
export const BODY_AJV_OPTIONS = { ...common, coerceTypes: false } as const;

export const strictAjv = addFormats(new Ajv(BODY_AJV_OPTIONS));
const textAjv = addFormats(new Ajv({ ...common, coerceTypes: 'array' }));

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? strictAjv : textAjv).compile(schema as object);
