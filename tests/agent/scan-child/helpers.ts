// Shared by the scan-child tests: a minimal posture in the shape `agent scan --json` prints, and the Posture
// schema check the collector applies.
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { Posture as PostureSchema, type Posture } from '../../../protocol/posture.js';

export function samplePosture(over: Partial<Posture['agent']> = {}): Posture {
  return {
    agent: {
      id: 'local',
      version: '0.1.0',
      seq: 0,
      collectedAt: '2026-11-20T10:00:00.000Z',
      scanMs: 1000,
      rssBytes: 80 * 1024 * 1024,
      cpuPercent: 50,
      probeErrors: [{ probe: 'patches.lastCheckAt', error: 'stamp absent' }],
      ...over,
    },
    host: {
      hostname: 'host-a',
      os: { platform: 'linux', family: 'debian', name: 'Debian GNU/Linux', version: '12', build: '', kernel: '6.1.0' },
      hardwareId: 'a'.repeat(64),
      ips: ['10.0.0.5'],
      macs: ['02:00:00:00:00:01'],
      role: 'server',
      health: { cpuLoadPercent: 3 },
    },
  };
}

export function schemaErrors(p: unknown): unknown[] {
  // ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
  const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.validate(PostureSchema, p) ? [] : (ajv.errors ?? []);
}
