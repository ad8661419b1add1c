// The entry point filters call from on_configure: plugin-config bytes in, a
// rule set out, or null after logging every problem at error level (Envoy
// then refuses the configuration, because on_configure returns false).
import { hostLog, LogLevel } from "../runtime/host";
import { parseJson } from "../json";
import { ConfigErrors } from "./errors";
import { ConfigParser, readRuleSet, RuleSet } from "./rules";

function isBlank(bytes: ArrayBuffer): bool {
  const base = changetype<usize>(bytes);
  for (let i = 0; i < bytes.byteLength; i++) {
    const b = load<u8>(base + <usize>i);
    if (b != 0x20 && b != 0x0a && b != 0x0d && b != 0x09) return false;
  }
  return true;
}

/** Parses plugin-config bytes (empty means `{}`) into a rule set; problems go to `errors`. */
export function parsePluginConfig<T>(bytes: ArrayBuffer, parser: ConfigParser<T>, errors: ConfigErrors): RuleSet<T> | null {
  const src = isBlank(bytes) ? String.UTF8.encode("{}") : bytes;
  const parsed = parseJson(src);
  const doc = parsed.doc;
  if (doc === null) {
    const e = parsed.error;
    errors.add("", "is not valid JSON" + (e === null ? "" : " (" + e.toString() + ")"));
    return null;
  }
  return readRuleSet<T>(doc.root, parser, errors);
}

/**
 * parsePluginConfig, logging each problem as "<filterName>: <problem>" at
 * error level. Returns null when the configuration must be refused.
 */
export function loadPluginConfig<T>(filterName: string, bytes: ArrayBuffer, parser: ConfigParser<T>): RuleSet<T> | null {
  const errors = new ConfigErrors();
  const set = parsePluginConfig<T>(bytes, parser, errors);
  if (set !== null && errors.ok) return set;
  for (let i = 0; i < errors.messages.length; i++) hostLog(LogLevel.Error, filterName + ": " + errors.messages[i]);
  if (errors.ok) hostLog(LogLevel.Error, filterName + ": configuration refused");
  return null;
}
