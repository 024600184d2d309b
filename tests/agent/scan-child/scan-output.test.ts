// The agent refuses a scan child's output unless it is one JSON posture with the fields it stamps and reports.
import { describe, expect, it } from 'vitest';
import { parseScanOutput, ScanOutputError } from '../../../agent/scan-child/scan-output.js';
import { samplePosture } from './helpers.js';

const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';

describe('parseScanOutput', () => {
  it('accepts the posture `agent scan --json` prints, unchanged', () => {
    const p = samplePosture();
    expect(parseScanOutput(json(p))).toEqual(p);
  });

  it.each([
    ['nothing', '', /printed nothing/],
    ['garbage', 'Segmentation fault\n', /not JSON/],
    ['a truncated document', json(samplePosture()).slice(0, 200), /not JSON/],
    ['a JSON array', '[1,2]', /not a JSON object/],
    ['JSON without an agent section', json({ host: samplePosture().host }), /no agent section/],
  ])('refuses %s', (_what, text, reason) => {
    expect(() => parseScanOutput(text)).toThrow(ScanOutputError);
    expect(() => parseScanOutput(text)).toThrow(reason);
  });

  it('refuses cost figures that are not non-negative numbers, and a collectedAt that is not a time', () => {
    const p = samplePosture();
    expect(() => parseScanOutput(json({ ...p, agent: { ...p.agent, rssBytes: '80MB' } }))).toThrow(/agent.rssBytes/);
    expect(() => parseScanOutput(json({ ...p, agent: { ...p.agent, scanMs: -1 } }))).toThrow(/agent.scanMs/);
    expect(() => parseScanOutput(json({ ...p, agent: { ...p.agent, collectedAt: 'yesterday' } }))).toThrow(/collectedAt/);
    expect(() => parseScanOutput(json({ ...p, agent: { ...p.agent, probeErrors: ['x'] } }))).toThrow(/probeErrors/);
  });

  it('refuses a host without a name or a known platform, a section that is not an object, and unknown sections', () => {
    const p = samplePosture();
    expect(() => parseScanOutput(json({ ...p, host: { ...p.host, hostname: 7 } }))).toThrow(/hostname/);
    expect(() => parseScanOutput(json({ ...p, host: { ...p.host, os: { ...p.host.os, platform: 'plan9' } } }))).toThrow(/platform/);
    expect(() => parseScanOutput(json({ ...p, patches: 'none' }))).toThrow(/patches is not an object/);
    expect(() => parseScanOutput(json({ ...p, extra: {} }))).toThrow(/unexpected sections: extra/);
  });
});
