// OCSF events we forward must validate against schemas compiled, at test time, from the official OCSF 1.8.0
// source files in ../shared/ocsf (read in place, never copied into the project).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { KNOWN_KINDS } from '../../collector/forward/encoders/kinds.js';
import { OCSF_VERSION, toOcsfEvent } from '../../collector/forward/encoders/ocsf.js';
import type { ForwardEvent } from '../../collector/forward/types.js';
import { hostileEvent, makeEvent, PRODUCER } from './helpers/events.js';
import { OcsfSchemaBuilder } from './helpers/ocsf-schema.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ocsfRoot = path.resolve(repoRoot, '../shared', 'ocsf');
const present = existsSync(path.join(ocsfRoot, 'dictionary.json'));
const opts = { productName: PRODUCER.product, vendorName: PRODUCER.vendor, productVersion: PRODUCER.productVersion };
const CLASS_NAMES: Record<number, string> = { 2003: 'compliance_finding', 2004: 'detection_finding', 5019: 'device_config_state_change' };

function validators() {
  const builder = new OcsfSchemaBuilder(ocsfRoot);
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const byClass = new Map(Object.entries(CLASS_NAMES).map(([uid, name]) => [Number(uid), ajv.compile(builder.eventSchema(name))]));
  return { builder, byClass };
}

function check(byClass: ReturnType<typeof validators>['byClass'], doc: Record<string, unknown>): string[] {
  const v = byClass.get(doc['class_uid'] as number);
  if (!v) return [`no validator for class ${String(doc['class_uid'])}`];
  return v(doc) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

describe('OCSF encoder against the official schema', () => {
  if (!present) {
    it('shared OCSF schema data is absent', () => {
      console.warn(`shared fixtures absent (${ocsfRoot}): OCSF schema validation did not run`);
      expect(present).toBe(false);
    });
    return;
  }
  const { builder, byClass } = validators();

  it('reads the schema version the encoder claims', () => {
    expect(builder.version).toBe(OCSF_VERSION);
  });

  it('emits valid 2003 / 2004 / 5019 events for every known kind and lifecycle step, hostile text included', () => {
    const seen = new Set<number>();
    for (const kind of Object.keys(KNOWN_KINDS)) {
      for (const lifecycle of ['raised', 'updated', 'resolved'] as const) {
        for (const ev of [makeEvent(1, { kind, lifecycle }), { ...hostileEvent(2), kind, lifecycle, details: { controlId: 'vn.l3.av.1', x: 1 } }] as ForwardEvent[]) {
          const doc = toOcsfEvent(ev, opts);
          seen.add(doc['class_uid'] as number);
          expect(check(byClass, doc), `${kind}/${lifecycle}`).toEqual([]);
          expect(doc['type_uid']).toBe((doc['class_uid'] as number) * 100 + (doc['activity_id'] as number));
        }
      }
    }
    expect([...seen].sort()).toEqual([2003, 2004, 5019]);
  });

  it('maps kinds to the intended classes and fields', () => {
    const malware = toOcsfEvent(makeEvent(1), opts);
    expect(malware).toMatchObject({ class_uid: 2004, category_uid: 2, activity_id: 1, severity_id: 5, is_alert: true, finding_info: { uid: 'evt-00000001' } });
    const av = toOcsfEvent(makeEvent(1, { kind: 'av_unprotected' }), opts);
    expect(av).toMatchObject({ class_uid: 5019, category_uid: 5, security_states: [{ state_id: 4 }], security_level_id: 2 });
    const ctrl = toOcsfEvent(makeEvent(1, { kind: 'control_failed', lifecycle: 'resolved', details: { controlId: 'cis-4.1' } }), opts);
    expect(ctrl).toMatchObject({ class_uid: 2003, activity_id: 3, status_id: 4, compliance: { control: 'cis-4.1', status_id: 1 } });
    expect((malware['device'] as Record<string, unknown>)['os']).toEqual({ name: 'Windows 11 Pro', type_id: 100 });
  });

  it('the compiled schemas catch what is wrong (so the checks above mean something)', () => {
    const good = toOcsfEvent(makeEvent(1), opts);
    const { finding_info: _fi, ...noFinding } = good;
    expect(check(byClass, noFinding).join()).toMatch(/finding_info/);
    expect(check(byClass, { ...good, type_uid: 200403 }).join()).toMatch(/type_uid/);
    expect(check(byClass, { ...good, surprise: 1 }).join()).toMatch(/additional/);
    expect(check(byClass, { ...good, severity_id: 42 }).join()).toMatch(/severity_id/);
    expect(check(byClass, { ...good, device: { ...(good['device'] as object), ip: 'not-an-ip' } }).join()).toMatch(/ip/);
    const cf = toOcsfEvent(makeEvent(1, { kind: 'control_failed' }), opts);
    const { compliance: _c, ...noCompliance } = cf;
    expect(check(byClass, noCompliance).join()).toMatch(/compliance/);
    const { device: _d, ...noDevice } = toOcsfEvent(makeEvent(1, { kind: 'av_unprotected' }), opts);
    expect(check(byClass, noDevice).join()).toMatch(/device/);
    expect(check(byClass, { ...good, metadata: { ...(good['metadata'] as object), profiles: ['cloud'] } }).join()).toMatch(/cloud/);
  });
});
