// What to classify in a request: the last user message, then (when
// configured) earlier user turns, newest first, and the system prompt, cut
// to a number of UTF-8 bytes. The last user message comes first so the cut
// never loses it to older context.
import { LlmRequest } from "../common/json";
import { unitAt } from "./cells";
import { InputOptions } from "./config";

/** The longest prefix of `s` that fits in `budget` UTF-8 bytes (never splits a surrogate pair). */
export function cutToBytes(s: string, budget: i32): string {
  const n = s.length;
  // A UTF-16 unit is at most 3 UTF-8 bytes (a surrogate pair 4 for 2 units).
  if (n <= budget / 3) return s;
  // ASCII, a byte a unit, as far as it goes.
  let i = 0;
  const ascii = min(n, budget);
  while (i < ascii && unitAt(s, i) < 0x80) i++;
  let used = i;
  for (; i < n; i++) {
    const c = unitAt(s, i);
    let size = c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    let width = 1;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = unitAt(s, i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        size = 4;
        width = 2;
      }
    }
    if (used + size > budget) return s.substring(0, i);
    used += size;
    i += width - 1;
  }
  return s;
}

/** The text to classify; "" when the request has no user text. */
export function textToClassify(req: LlmRequest, opts: InputOptions): string {
  // A UTF-16 unit is at least one UTF-8 byte: no part needs more units than
  // the byte budget, so a long message is decoded only that far.
  const units = opts.maxScanBytes;
  let lastUser = -1;
  let last = "";
  for (let i = req.messages.length - 1; i >= 0; i--) {
    const m = req.messages[i];
    if (m.role != "user") continue;
    last = m.textPrefix(units);
    if (last.length > 0) {
      lastUser = i;
      break;
    }
  }
  if (lastUser < 0) return "";
  if (opts.history == 0 && !opts.system) return cutToBytes(last, opts.maxScanBytes);
  const parts = new Array<string>();
  parts.push(last);
  let more = opts.history;
  for (let i = lastUser - 1; i >= 0 && more > 0; i--) {
    const m = req.messages[i];
    if (m.role != "user") continue;
    const t = m.textPrefix(units);
    if (t.length > 0) {
      parts.push(t);
      more--;
    }
  }
  if (opts.system) {
    const system = req.system;
    if (system !== null && system.length > 0) parts.push(system);
    for (let i = 0; i < req.messages.length; i++) {
      const m = req.messages[i];
      if (m.role != "system" && m.role != "developer") continue;
      const t = m.textPrefix(units);
      if (t.length > 0) parts.push(t);
    }
  }
  return cutToBytes(parts.join("\n"), opts.maxScanBytes);
}
