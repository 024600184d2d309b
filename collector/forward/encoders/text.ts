// Length limits in the formats we emit are counted in different units (RFC 5424: octets; CEF: characters).
// These helpers cut on code-point boundaries so a truncated value is still valid UTF-8 and never ends in half
// of a surrogate pair or half of an escape sequence.

/** First `max` code points of `s`. */
export function truncateCodePoints(s: string, max: number): string {
  if (s.length <= max) return s; // fast path: UTF-16 length >= code point count
  const points = Array.from(s);
  return points.length <= max ? s : points.slice(0, max).join('');
}

/** Longest prefix of `s` whose UTF-8 encoding fits in `maxBytes` octets. */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s, 'utf8') <= maxBytes) return s;
  let bytes = 0;
  let out = '';
  for (const cp of s) {
    const n = Buffer.byteLength(cp, 'utf8');
    if (bytes + n > maxBytes) break;
    bytes += n;
    out += cp;
  }
  return out;
}

/** Lone surrogates cannot be encoded as UTF-8; replace them so byte counts match what is written. */
export function toWellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}
