// Builds the effective configuration: defaults < YAML file < SOCLITE_* environment < command-line flags.
// Every problem is reported with where it came from, and a bad config never starts a half-configured server.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { ConfigSchema, type Config } from './schema.js';

export class ConfigError extends Error {}

export interface ConfigFlags {
  configFile?: string;
  dataDir?: string;
  host?: string;
  port?: number;
}

const ajv = new Ajv({ useDefaults: true, allErrors: true, coerceTypes: false, strict: false });
// Compiled from the plain JSON Schema: the TypeBox static type is too deep for ajv's generic typing.
const validate = ajv.compile(ConfigSchema as unknown as Record<string, unknown>);

type SchemaNode = { type?: string; properties?: Record<string, SchemaNode> };

/** Converts an environment string to the type the schema wants for that key. */
function coerce(raw: string, type: string | undefined, name: string): unknown {
  if (type === 'integer' || type === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) throw new ConfigError(`${name}="${raw}" is not a number`);
    return n;
  }
  if (type === 'boolean') {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw new ConfigError(`${name}="${raw}" is not a boolean (true/false)`);
  }
  if (type === 'array' || type === 'object') {
    try {
      return JSON.parse(raw);
    } catch {
      throw new ConfigError(`${name} must be JSON for a list or object`);
    }
  }
  return raw;
}

export function applyEnv(config: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  const sections = (ConfigSchema as unknown as SchemaNode).properties ?? {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('SOCLITE_') || raw === undefined) continue;
    const rest = name.slice('SOCLITE_'.length).toLowerCase();
    const sectionName = Object.keys(sections).find((s) => rest.startsWith(s.toLowerCase() + '_'));
    if (!sectionName) continue; // other SOCLITE_ variables (e.g. for tests) are not configuration
    const keyLower = rest.slice(sectionName.length + 1).replace(/_/g, '');
    const props = sections[sectionName]?.properties ?? {};
    const key = Object.keys(props).find((k) => k.toLowerCase() === keyLower);
    if (!key) throw new ConfigError(`${name}: "${sectionName}" has no key "${keyLower}" (known: ${Object.keys(props).join(', ')})`);
    const section = (config[sectionName] ??= {}) as Record<string, unknown>;
    section[key] = coerce(raw, props[key]?.type, name);
  }
}

export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): Config {
  let fromFile: Record<string, unknown> = {};
  if (flags.configFile) {
    let text: string;
    try {
      text = readFileSync(flags.configFile, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read config file ${flags.configFile}: ${(err as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(text) ?? {};
    } catch (err) {
      throw new ConfigError(`config file ${flags.configFile} is not valid YAML: ${(err as Error).message}`);
    }
    if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`config file ${flags.configFile} must be a mapping of sections`);
    fromFile = parsed as Record<string, unknown>;
  }
  const config = structuredClone(fromFile);
  applyEnv(config, env);
  const server = (config.server ??= {}) as Record<string, unknown>;
  const storage = (config.storage ??= {}) as Record<string, unknown>;
  if (flags.host !== undefined) server.host = flags.host;
  if (flags.port !== undefined) server.port = flags.port;
  if (flags.dataDir !== undefined) storage.dataDir = flags.dataDir;
  if (!validate(config)) {
    const where = flags.configFile ? ` (file ${flags.configFile}, environment and flags)` : '';
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.keyword === 'additionalProperties' ? `: "${(e.params as { additionalProperty: string }).additionalProperty}"` : ''}`);
    throw new ConfigError(`invalid configuration${where}:\n  ${problems.join('\n  ')}`);
  }
  const c = config as Config;
  const a = c.agents;
  if (!(a.lateAfterSec < a.offlineAfterSec && a.offlineAfterSec < a.missingAfterSec)) {
    throw new ConfigError('agents: liveness timers must satisfy lateAfterSec < offlineAfterSec < missingAfterSec');
  }
  if (Boolean(c.server.tls.cert) !== Boolean(c.server.tls.key)) throw new ConfigError('server.tls needs both cert and key');
  c.storage.dataDir = resolve(c.storage.dataDir);
  return c;
}
