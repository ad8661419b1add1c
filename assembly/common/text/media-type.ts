// Content-type tests without lower-casing the header value into a new
// string: media types compare ASCII case-insensitively (RFC 9110 §8.3.1).

/** True when `s` starts with `prefix` (lower-case ASCII), ASCII case ignored. */
export function startsWithIgnoringCase(s: string, prefix: string): bool {
  if (s.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) c += 32;
    if (c != prefix.charCodeAt(i)) return false;
  }
  return true;
}

/** application/json, or an application/...+json type (e.g. application/problem+json). */
export function isJsonMediaType(contentType: string): bool {
  if (startsWithIgnoringCase(contentType, "application/json")) return true;
  return startsWithIgnoringCase(contentType, "application/") && contentType.toLowerCase().includes("+json");
}

export function isEventStream(contentType: string): bool {
  return startsWithIgnoringCase(contentType, "text/event-stream");
}
