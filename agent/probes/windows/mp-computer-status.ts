// Pure parser for `Get-MpComputerStatus | ConvertTo-Json` (CIM MSFT_MpComputerStatus; Learn
// "Get-MpComputerStatus"). AMRunningMode is "Normal", "Passive Mode", "EDR Block Mode" or "SxS Passive Mode";
// beside a third-party AV, Defender is passive and AntivirusEnabled=false is expected.
import { bool, int, parsePsJson, psDate, str } from './cim-json.js';

export interface MpComputerStatus {
  serviceEnabled?: boolean;
  antivirusEnabled?: boolean;
  realTimeProtection?: boolean;
  runningMode?: string;
  passive: boolean;
  tamperProtected?: boolean;
  signatureVersion?: string;
  signatureUpdatedAt?: string;
  signatureAgeDays?: number;
  signaturesOutOfDate?: boolean;
  productVersion?: string;
}

export function mpStatusFrom(doc: unknown): MpComputerStatus {
  const d = (Array.isArray(doc) ? doc[0] : doc) as Record<string, unknown> | undefined;
  if (!d || typeof d !== 'object' || !('AMServiceEnabled' in d || 'AntivirusEnabled' in d || 'AMRunningMode' in d)) {
    throw new Error('not Get-MpComputerStatus output: no AMServiceEnabled/AntivirusEnabled/AMRunningMode');
  }
  const mode = str(d.AMRunningMode, 64);
  const out: MpComputerStatus = { passive: mode !== undefined && /passive/i.test(mode) };
  const set = <K extends keyof MpComputerStatus>(k: K, v: MpComputerStatus[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('serviceEnabled', bool(d.AMServiceEnabled));
  set('antivirusEnabled', bool(d.AntivirusEnabled));
  set('realTimeProtection', bool(d.RealTimeProtectionEnabled));
  set('runningMode', mode);
  set('tamperProtected', bool(d.IsTamperProtected));
  set('signatureVersion', str(d.AntivirusSignatureVersion, 64));
  set('signatureUpdatedAt', psDate(d.AntivirusSignatureLastUpdated));
  const age = int(d.AntivirusSignatureAge);
  // 65535 / 4294967295 mean "never" in the Defender age fields.
  if (age !== undefined && age < 65535) out.signatureAgeDays = age;
  set('signaturesOutOfDate', bool(d.DefenderSignaturesOutOfDate));
  set('productVersion', str(d.AMProductVersion, 64));
  return out;
}

export function parseMpComputerStatus(text: string): MpComputerStatus {
  return mpStatusFrom(parsePsJson(text, 'Get-MpComputerStatus'));
}
