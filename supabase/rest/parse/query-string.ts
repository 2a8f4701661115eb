// In charge of splitting a raw query string into decoded (name, value) pairs exactly as PostgREST's HTTP library does (`&` and `;` separate pairs, `+` is a space, bad `%` escapes stay literal).

const utf8 = new TextEncoder();
const text = new TextDecoder('utf-8', { fatal: false });

const hexValue = (b: number): number | null => {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x41 && b <= 0x46) return b - 0x41 + 10;
  if (b >= 0x61 && b <= 0x66) return b - 0x61 + 10;
  return null;
};

/** Percent-decodes bytes; invalid UTF-8 becomes U+FFFD rather than failing. */
export function urlDecode(bytes: Uint8Array, plusAsSpace: boolean): string {
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    if (b === 0x2b && plusAsSpace) {
      out[n++] = 0x20;
      continue;
    }
    if (b === 0x25) {
      const hi = hexValue(bytes[i + 1] ?? -1);
      const lo = hexValue(bytes[i + 2] ?? -1);
      if (hi !== null && lo !== null) {
        out[n++] = hi * 16 + lo;
        i += 2;
        continue;
      }
    }
    out[n++] = b;
  }
  return text.decode(out.subarray(0, n));
}

/** A parameter's value is null when the pair has no `=` (`?a`), and `''` for `?a=`. */
export type QueryPair = readonly [name: string, value: string | null];

/** Parses `a=1&b=2;c` (with or without the leading `?`). */
export function parseQueryString(query: string): QueryPair[] {
  const bytes = utf8.encode(query.startsWith('?') ? query.slice(1) : query);
  const pairs: QueryPair[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = start;
    while (end < bytes.length && bytes[end] !== 0x26 && bytes[end] !== 0x3b) end++;
    const part = bytes.subarray(start, end);
    const eq = part.indexOf(0x3d);
    pairs.push(eq === -1 ? [urlDecode(part, true), null] : [urlDecode(part.subarray(0, eq), true), urlDecode(part.subarray(eq + 1), true)]);
    start = end + 1;
  }
  return pairs;
}
