// Glob patterns for tool names, subjects and methods: `*` matches any run of
// characters (also none), `?` one character; everything else is literal.

export function globMatch(pattern: string, s: string): bool {
  let p = 0, i = 0;
  let star = -1, mark = 0;
  while (i < s.length) {
    if (p < pattern.length) {
      const c = pattern.charCodeAt(p);
      if (c == 42) { // *
        star = p++;
        mark = i;
        continue;
      }
      if (c == 63 || c == s.charCodeAt(i)) { // ? or literal
        p++;
        i++;
        continue;
      }
    }
    if (star < 0) return false;
    p = star + 1;
    i = ++mark;
  }
  while (p < pattern.length && pattern.charCodeAt(p) == 42) p++;
  return p == pattern.length;
}

export function anyGlob(patterns: Array<string>, s: string): bool {
  for (let i = 0; i < patterns.length; i++) if (globMatch(patterns[i], s)) return true;
  return false;
}

/** Resource URI patterns: `*` alone matches all; a pattern with `*` is a glob; anything else is a prefix. */
export function anyResource(patterns: Array<string>, uri: string): bool {
  for (let i = 0; i < patterns.length; i++) {
    const p = patterns[i];
    if (p.includes("*") ? globMatch(p, uri) : uri.startsWith(p)) return true;
  }
  return false;
}
