// productState decoding: the worked values from endpoint-telemetry.md §5.1.1, a fast-check property over
// every nibble combination, and the verdicts built on it (Defender passive beside a third-party AV is normal).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeProductState } from '../../../../agent/probes/av/wsc-product-state.js';
import { normalizeAv } from '../../../../agent/probes/av/normalize.js';
import { windowsAvProducts } from '../../../../agent/probes/windows/collect-json.js';
import type { WscProduct } from '../../../../agent/probes/windows/security-center.js';

describe('decodeProductState', () => {
  it.each([
    [397568, 'on', true, true, ['autoupdate', 'antivirus']],
    [397584, 'on', true, false, ['autoupdate', 'antivirus']],
    [393472, 'off', true, true, ['autoupdate', 'antivirus']],
    [266240, 'on', false, true, ['antivirus']],
    [266256, 'on', false, false, ['antivirus']],
    [262144, 'off', false, true, ['antivirus']],
    [331776, 'on', false, true, ['firewall', 'antivirus']],
    [397312, 'on', false, true, ['autoupdate', 'antivirus']],
  ] as const)('%i -> %s, microsoft=%s, upToDate=%s', (value, state, microsoft, upToDate, providers) => {
    const d = decodeProductState(value);
    expect(d.state).toBe(state);
    expect(d.enabled).toBe(state === 'on');
    expect(d.microsoft).toBe(microsoft);
    expect(d.upToDate).toBe(upToDate);
    expect(d.providers).toEqual(providers);
  });

  it('recovers every field from any composed value (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 15 }), (flags, state, owner, sig, low) => {
        const value = (flags << 16) | (state << 12) | (owner << 8) | (sig << 4) | low;
        const d = decodeProductState(value);
        expect(d.enabled).toBe(state === 1);
        expect(d.state).toBe(['off', 'on', 'snoozed', 'expired'][state] ?? 'unknown');
        expect(d.microsoft).toBe(owner === 1);
        expect(d.upToDate).toBe(sig === 0);
        expect(d.providers.includes('antivirus')).toBe((flags & 0x04) !== 0);
        expect(d.providers.includes('firewall')).toBe((flags & 0x01) !== 0);
        expect(d.hex).toBe(`0x${value.toString(16).padStart(6, '0')}`);
        // the decimal string form WMI sometimes yields decodes the same; it is never read as hex
        expect(decodeProductState(String(value))).toEqual(d);
      }),
    );
  });

  it('refuses what is not a productState', () => {
    for (const bad of [-1, 0x1000000, 1.5, '0x61100', '61100h', null, undefined, {}, NaN]) expect(() => decodeProductState(bad)).toThrow(/productState/);
  });
});

const wsc = (name: string, value: number): WscProduct => ({ category: 'antivirus', name, state: decodeProductState(value) });

describe('Windows AV verdicts from Security Center', () => {
  it('Defender off beside an active third-party AV is passive and normal: protected', () => {
    const av = normalizeAv(windowsAvProducts([wsc('Windows Defender', 393472), wsc('Trend Micro OfficeScan', 266240)], undefined, []));
    expect(av.status).toBe('protected');
    expect(av.products.find((p) => p.name === 'Windows Defender')).toMatchObject({ passive: true });
    expect(av.reasons).toContain('Windows Defender: passive mode beside Trend Micro OfficeScan (normal)');
  });

  it('Defender off and nothing else on: unprotected', () => {
    const av = normalizeAv(windowsAvProducts([wsc('Windows Defender', 393472)], undefined, []));
    expect(av.status).toBe('unprotected');
    expect(av.reasons).toContain('Windows Defender: not running');
  });

  it('the only AV is on but out of date: degraded, with the reason', () => {
    const av = normalizeAv(windowsAvProducts([wsc('Norton Security', 266256)], undefined, []));
    expect(av.status).toBe('degraded');
    expect(av.reasons).toContain('Norton Security: signatures out of date');
  });

  it('a third-party AV off and Defender passive: not protected', () => {
    const av = normalizeAv(windowsAvProducts([wsc('Windows Defender', 393472), wsc('Sophos Home', 262144)], undefined, []));
    expect(av.status).not.toBe('protected');
  });
});
