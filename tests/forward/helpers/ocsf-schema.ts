// Compiles JSON Schemas (draft 2020-12, for ajv) for OCSF event classes from the official schema source files
// (dictionary, categories, event classes with their `extends` chain and `$include`d profiles, objects with
// theirs), read in place from ../shared/ocsf. What it enforces: required attributes, scalar types with the
// dictionary's regex / max_len / range, enums, arrays, no unknown attributes, object constraints
// (at_least_one, just_one), required attributes of a profile only when metadata.profiles names it, and the
// uid formulas (class_uid, category_uid, type_uid).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

type Json = Record<string, unknown>;
interface AttrDef {
  type?: string;
  is_array?: boolean;
  requirement?: string;
  enum?: Record<string, unknown>;
  profile?: string | null;
  [k: string]: unknown;
}
interface Def {
  name: string;
  uid?: number;
  category?: string;
  extends?: string;
  attributes: Record<string, AttrDef>;
  constraints?: { at_least_one?: string[]; just_one?: string[] };
  /** attribute -> profile that brought it in (absent: core attribute) */
  profileOf: Map<string, string>;
}

export class OcsfSchemaBuilder {
  private readonly dict: Record<string, AttrDef>;
  private readonly types: Record<string, Json>;
  private readonly categories: Record<string, { uid: number }>;
  private readonly eventFiles = new Map<string, string>();
  private readonly objectFiles = new Map<string, string>();
  private readonly defs: Record<string, Json> = {};
  readonly version: string;

  constructor(private readonly root: string) {
    const dictionary = this.load('dictionary.json');
    this.dict = dictionary['attributes'] as Record<string, AttrDef>;
    this.types = (dictionary['types'] as Json)['attributes'] as Record<string, Json>;
    this.categories = this.load('categories.json')['attributes'] as Record<string, { uid: number }>;
    this.version = String(this.load('version.json')['version']);
    const walk = (dir: string, into: Map<string, string>) => {
      for (const e of readdirSync(path.join(root, dir), { withFileTypes: true })) {
        const rel = path.join(dir, e.name);
        if (e.isDirectory()) walk(rel, into);
        else if (e.name.endsWith('.json')) into.set(String(this.load(rel)['name']), rel);
      }
    };
    walk('events', this.eventFiles);
    walk('objects', this.objectFiles);
  }

  private load(rel: string): Json {
    return JSON.parse(readFileSync(path.join(this.root, rel), 'utf8')) as Json;
  }

  private mergeAttr(parent: AttrDef | undefined, child: AttrDef): AttrDef {
    if (!parent) return { ...child };
    const merged: AttrDef = { ...parent, ...child };
    if (parent.enum || child.enum) merged.enum = { ...(parent.enum ?? {}), ...(child.enum ?? {}) };
    return merged;
  }

  /** A class or object definition with its extends chain and profile includes merged in. */
  private resolve(name: string, files: Map<string, string>, kind: string): Def {
    const rel = files.get(name);
    if (!rel) throw new Error(`OCSF ${kind} "${name}" is not in ${this.root}`);
    const raw = this.load(rel);
    const parent = raw['extends'] ? this.resolve(String(raw['extends']), files, kind) : null;
    const attributes: Record<string, AttrDef> = { ...(parent?.attributes ?? {}) };
    const profileOf = new Map(parent?.profileOf ?? []);
    const own = { ...((raw['attributes'] as Record<string, unknown>) ?? {}) };
    for (const inc of (own['$include'] as string[] | undefined) ?? []) {
      const profile = this.load(inc);
      for (const [k, v] of Object.entries(profile['attributes'] as Record<string, AttrDef>)) {
        attributes[k] = this.mergeAttr(attributes[k], v);
        profileOf.set(k, String(profile['name']));
      }
    }
    delete own['$include'];
    for (const [k, v] of Object.entries(own as Record<string, AttrDef>)) {
      attributes[k] = this.mergeAttr(attributes[k], v);
      // "profile": null in a class re-declares the attribute as core, whatever profile also offers it.
      if (v.profile === null) profileOf.delete(k);
    }
    return {
      name,
      uid: raw['uid'] as number | undefined,
      category: (raw['category'] as string | undefined) ?? parent?.category,
      extends: raw['extends'] as string | undefined,
      attributes,
      constraints: (raw['constraints'] as Def['constraints']) ?? parent?.constraints,
      profileOf,
    };
  }

  private scalar(typeName: string): Json {
    const t = this.types[typeName];
    if (!t) throw new Error(`OCSF type ${typeName} is not in the dictionary`);
    const base: Json =
      typeName === 'string_t' ? { type: 'string' }
      : typeName === 'integer_t' || typeName === 'long_t' ? { type: 'integer' }
      : typeName === 'float_t' ? { type: 'number' }
      : typeName === 'boolean_t' ? { type: 'boolean' }
      : typeName === 'json_t' ? {}
      : this.scalar(String(t['type']));
    const s: Json = { ...base };
    if (typeof t['regex'] === 'string') s['pattern'] = t['regex'];
    if (typeof t['max_len'] === 'number') s['maxLength'] = t['max_len'];
    if (Array.isArray(t['range'])) [s['minimum'], s['maximum']] = t['range'] as number[];
    return s;
  }

  private attrSchema(name: string, local: AttrDef): Json {
    const d = this.mergeAttr(this.dict[name], local);
    if (!d.type) throw new Error(`OCSF attribute ${name} has no type in the dictionary`);
    let s: Json;
    if (d.type.endsWith('_t')) s = this.scalar(d.type);
    else if (d.type === 'object') s = { type: 'object' };
    else {
      this.objectDef(d.type);
      s = { $ref: `#/$defs/${d.type}` };
    }
    if (d.enum && d.type.endsWith('_t')) {
      const keys = Object.keys(d.enum);
      s = { ...s, enum: s['type'] === 'integer' ? keys.map(Number) : keys };
    }
    return d.is_array ? { type: 'array', items: s } : s;
  }

  private properties(def: Def): { properties: Json; required: string[]; profileRequired: Map<string, string[]> } {
    const properties: Json = {};
    const required: string[] = [];
    const profileRequired = new Map<string, string[]>();
    for (const [k, v] of Object.entries(def.attributes)) {
      properties[k] = this.attrSchema(k, v);
      if (v.requirement !== 'required') continue;
      const profile = def.profileOf.get(k);
      if (profile) profileRequired.set(profile, [...(profileRequired.get(profile) ?? []), k]);
      else required.push(k);
    }
    return { properties, required, profileRequired };
  }

  private objectDef(name: string): void {
    if (this.defs[name]) return;
    this.defs[name] = {}; // placeholder: objects refer to each other recursively
    const def = this.resolve(name, this.objectFiles, 'object');
    const { properties, required } = this.properties(def);
    const s: Json = { type: 'object', properties, additionalProperties: false };
    if (required.length) s['required'] = required;
    if (def.constraints?.at_least_one) s['anyOf'] = def.constraints.at_least_one.map((a) => ({ required: [a] }));
    if (def.constraints?.just_one) s['oneOf'] = def.constraints.just_one.map((a) => ({ required: [a] }));
    this.defs[name] = s;
  }

  /** Self-contained schema for one event class, by its name (e.g. "detection_finding"). */
  eventSchema(className: string): Json {
    const def = this.resolve(className, this.eventFiles, 'class');
    const category = this.categories[def.category ?? ''];
    if (!category || def.uid === undefined) throw new Error(`OCSF class ${className} lacks a category or uid`);
    const classUid = category.uid * 1000 + def.uid;
    const { properties, required, profileRequired } = this.properties(def);
    const activities = Object.keys(def.attributes['activity_id']?.enum ?? {}).map(Number);
    properties['class_uid'] = { const: classUid };
    properties['category_uid'] = { const: category.uid };
    properties['type_uid'] = { enum: activities.map((a) => classUid * 100 + a) };
    const schema: Json = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: `urn:soclite:test:ocsf:${this.version}:${className}`,
      type: 'object',
      properties,
      required,
      additionalProperties: false,
      // type_uid must match this event's own activity_id, not just any activity of the class.
      allOf: [
        ...activities.map((a) => ({
          if: { properties: { activity_id: { const: a } }, required: ['activity_id'] },
          then: { properties: { type_uid: { const: classUid * 100 + a } } },
        })),
        ...[...profileRequired].map(([profile, attrs]) => ({
          if: { properties: { metadata: { properties: { profiles: { contains: { const: profile } } }, required: ['profiles'] } } },
          then: { required: attrs },
        })),
      ],
      $defs: this.defs,
    };
    return JSON.parse(JSON.stringify(schema)) as Json; // snapshot: $defs keeps growing for later classes
  }
}
