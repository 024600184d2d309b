// Pure parser for the 512-byte text header of a ClamAV database (.cvd or .cld; also .cud):
// "ClamAV-VDB:<build time DD Mon YYYY HH-MM +ZZZZ>:<version>:<sigs>:<f-level>:<md5>:<dsig>:<builder>:<stime>"
// padded with spaces (struct cl_cvd / cl_cvdparse in libclamav/cvd.c). The age of the signatures comes from
// field 8 (build epoch); the human build time is only cross-checked.
export interface ClamavDbHeader {
  buildTime: string;
  version: number;
  signatures: number;
  functionalityLevel: number;
  md5: string;
  builder: string;
  /** build time as ISO-8601 UTC, from the epoch field */
  builtAt: string;
  builtAtEpoch: number;
}

export function parseClamavDbHeader(text: string): ClamavDbHeader {
  const head = text.slice(0, 512);
  if (!head.startsWith('ClamAV-VDB:')) throw new Error('not a ClamAV database: the header does not start with "ClamAV-VDB:"');
  // Build time holds spaces ("14 May 2010 09-57 -0400"), so split on ':' and trim only the padding (and any
  // gzip data, when more than the header was read) after the last field.
  const fields = head.split(':');
  if (fields.length < 9) throw new Error(`ClamAV header has ${fields.length} fields, expected 9`);
  const stimeRaw = (fields[8] ?? '').replace(/\s+$/u, '').match(/^\d+/)?.[0];
  const num = (s: string | undefined, what: string) => {
    if (!s || !/^\d+$/.test(s)) throw new Error(`ClamAV header: ${what} is not a number: ${JSON.stringify((s ?? '').slice(0, 40))}`);
    return Number(s);
  };
  const epoch = num(stimeRaw, 'build epoch (field 9)');
  return {
    buildTime: fields[1]!,
    version: num(fields[2], 'version'),
    signatures: num(fields[3], 'signature count'),
    functionalityLevel: num(fields[4], 'functionality level'),
    md5: fields[5]!,
    builder: fields[7]!,
    builtAt: new Date(epoch * 1000).toISOString(),
    builtAtEpoch: epoch,
  };
}
