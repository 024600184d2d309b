// Decoder for the undocumented WMI root/SecurityCenter2 `productState` (uint32). Community consensus (GLPI,
// Pareto, wortell PSHelpers, Idera; endpoint-telemetry.md §5.1.1), read by masks:
//   0xFF0000 provider flags   0x01 firewall, 0x02 auto-update, 0x04 antivirus, 0x08 antispyware,
//                             0x10 internet settings, 0x20 UAC, 0x40 service
//   0x00F000 product state    0 off, 1 on, 2 snoozed, 3 expired
//   0x000F00 owner            1 Microsoft, 0 third party
//   0x0000F0 signatures       0 up to date, 1 out of date
// This is NOT the IWscProduct API enum (there ON=0, OFF=1): mixing the two inverts every answer.
export type WscState = 'off' | 'on' | 'snoozed' | 'expired' | 'unknown';

export interface DecodedProductState {
  value: number;
  hex: string;
  providers: string[];
  state: WscState;
  enabled: boolean;
  microsoft: boolean;
  upToDate: boolean;
  /** the signature nibble held a value other than 0 or 1 */
  signatureNibble: number;
}

const PROVIDERS: [number, string][] = [
  [0x01, 'firewall'],
  [0x02, 'autoupdate'],
  [0x04, 'antivirus'],
  [0x08, 'antispyware'],
  [0x10, 'internet-settings'],
  [0x20, 'uac'],
  [0x40, 'service'],
];
const STATES: WscState[] = ['off', 'on', 'snoozed', 'expired'];

export function decodeProductState(value: unknown): DecodedProductState {
  // The value is decimal in WMI; a string form is accepted only when it is all digits (never parsed as hex).
  const n = typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 0xffffff) {
    throw new Error(`productState must be an integer 0..16777215, got ${JSON.stringify(value)?.slice(0, 40)}`);
  }
  const flags = (n >> 16) & 0xff;
  const stateNibble = (n >> 12) & 0xf;
  const sig = (n >> 4) & 0xf;
  const state = STATES[stateNibble] ?? 'unknown';
  return {
    value: n,
    hex: `0x${n.toString(16).padStart(6, '0')}`,
    providers: PROVIDERS.filter(([bit]) => flags & bit).map(([, name]) => name),
    state,
    enabled: stateNibble === 1,
    microsoft: ((n >> 8) & 0xf) === 1,
    upToDate: sig === 0,
    signatureNibble: sig,
  };
}
