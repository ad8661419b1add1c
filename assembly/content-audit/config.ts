// The plugin configuration (schema.json documents it): audit rules, what a
// block answers, body limits, audit event options and the collector.
// Keyword automata and patterns are built here, once per configuration.
import { ConfigParser, ConfigReader, readServiceTarget, ServiceTarget } from "../common/config";
import { ParseOptions } from "../common/json";
import { AhoCorasick } from "../common/text/aho";
import { lowerString, normalize } from "../common/text/normalize";
import { compileRegex } from "../common/text/regex";
import { Pii, PII_NAMES, piiByName } from "./pii";
import { phoneRegionCodes, phoneRegionIndex } from "./pii/phone";
import { Action, ACTION_NAMES, AuditRule, KeywordRule, MaskStyle, PatternRule, PiiRule } from "./rules";
import { ModerationConfig } from "./moderation";
import { Scanner } from "./scan";
import { decimal } from "../common/text/decimal";

export class BlockReply {
  status: u32 = 400;
  message: string = "the request was blocked by content policy";
  /** A custom body replaces the OpenAI-format error (LLM routes) and JSON-RPC error (MCP). */
  body: string | null = null;
  contentType: string = "application/json";
}

export class CollectorConfig extends ServiceTarget {
  batchSize: i32 = 50;
  maxQueue: i32 = 1000;
  flushIntervalMs: u32 = 1000;

  constructor() {
    super("/audit", "audit-collector", 2000);
  }
}

export class AuditConfig {
  rules: Array<AuditRule> = new Array<AuditRule>();
  scanner: Scanner = new Scanner([], false);
  block: BlockReply = new BlockReply();
  inspectRequest: bool = true;
  inspectResponse: bool = true;
  mcp: bool = true;
  maxBodyBytes: u32 = 1 << 20;
  /** Bodies up to maxBodyBytes parse (the parser's own default is 8 MiB), nested at most 128 deep. */
  parseOptions: ParseOptions = new ParseOptions(128, 1 << 20);
  /** Past maxBodyBytes: "reject" (413 / 502) or "pass" uninspected. */
  rejectOversize: bool = true;
  /**
   * Hold JSON response headers until the body is inspected, so a blocked
   * completion gets the block reply and status. Needs Envoy's
   * allow_on_headers_stop_iteration: true on the plugin. Without it a
   * blocked completion's body is replaced by the error (status unchanged).
   */
  holdResponseHeaders: bool = false;
  holdRequestHeaders: bool = false;
  /** A JSON request body that does not parse (or nests deeper than 128): 400 invalid_json, or pass uninspected. */
  rejectInvalidJson: bool = true;
  includeMatches: bool = false;
  consumerHeader: string = "x-mse-consumer";
  collector: CollectorConfig | null = null;
  moderation: ModerationConfig | null = null;
}

const SCOPES: Array<string> = ["request", "response", "both"];
const RULE_TYPES: Array<string> = ["keywords", "pii", "pattern"];

export class AuditConfigParser extends ConfigParser<AuditConfig> {
  parse(r: ConfigReader): AuditConfig | null {
    const c = new AuditConfig();
    const rules = r.objectArray("rules", true, 1);
    for (let i = 0; i < rules.length; i++) {
      const rule = readRule(rules[i]);
      if (rule === null) continue;
      rule.index = i;
      for (let k = 0; k < c.rules.length; k++) if (c.rules[k].id == rule.id) rules[i].fail("id", "duplicate rule id \"" + rule.id + "\"");
      c.rules.push(rule);
    }
    const block = r.object("block");
    if (block !== null) {
      c.block.status = <u32>block.optionalInt("status", 400, 200, 599);
      c.block.message = block.optionalString("message", c.block.message);
      c.block.body = block.stringOrNull("body");
      c.block.contentType = block.optionalString("content_type", c.block.contentType);
      block.rejectUnknown();
    }
    const inspect = r.object("inspect");
    if (inspect !== null) {
      c.inspectRequest = inspect.optionalBool("request", true);
      c.inspectResponse = inspect.optionalBool("response", true);
      c.mcp = inspect.optionalBool("mcp", true);
      inspect.rejectUnknown();
    }
    c.maxBodyBytes = <u32>r.optionalInt("max_body_bytes", 1 << 20, 1024, 64 << 20);
    c.parseOptions = new ParseOptions(128, <i32>c.maxBodyBytes);
    c.holdResponseHeaders = r.optionalBool("hold_response_headers", false);
    c.holdRequestHeaders = r.optionalBool("hold_request_headers", false);
    c.rejectInvalidJson = r.optionalEnum("on_invalid_json", ["reject", "pass"], "reject") == "reject";
    c.rejectOversize = r.optionalEnum("on_oversize", ["reject", "pass"], "reject") == "reject";
    const audit = r.object("audit");
    if (audit !== null) {
      c.includeMatches = audit.optionalBool("include_matches", false);
      c.consumerHeader = audit.optionalString("consumer_header", c.consumerHeader).toLowerCase();
      const col = audit.object("collector");
      if (col !== null) c.collector = readCollector(col);
      audit.rejectUnknown();
    }
    const moderation = r.object("moderation");
    if (moderation !== null) {
      const m = readModeration(moderation);
      c.moderation = m;
    }
    const regions = r.has("phone_regions") ? r.stringArray("phone_regions") : null;
    let phoneRegions: u64 = <u64>-1;
    if (regions !== null) {
      phoneRegions = 0;
      for (let i = 0; i < regions.length; i++) {
        const k = phoneRegionIndex(regions[i]);
        if (k < 0) r.fail("phone_regions", "unknown region \"" + regions[i] + "\" (compiled in: " + phoneRegionCodes().join(", ") + ")");
        else phoneRegions |= (<u64>1) << <u64>k;
      }
    }
    r.rejectUnknown();
    c.scanner = new Scanner(c.rules, c.includeMatches);
    c.scanner.phoneRegions = phoneRegions;
    return c;
  }
}

function readModeration(r: ConfigReader): ModerationConfig {
  const m = new ModerationConfig();
  readServiceTarget(r, m, 10);
  m.model = r.optionalString("model", m.model);
  m.apiKey = r.stringOrNull("api_key");
  m.failOpen = r.optionalEnum("on_failure", ["allow", "block"], "allow") == "allow";
  m.maxInput = <i32>r.optionalInt("max_input_chars", 32768, 1, 1 << 20);
  const scope = r.optionalEnum("scope", SCOPES, "request");
  m.requests = scope != "response";
  m.responses = scope != "request";
  m.streamWindow = <i32>r.optionalInt("stream_window_chars", 2000, 100, m.maxInput);
  r.rejectUnknown();
  return m;
}

function readCollector(r: ConfigReader): CollectorConfig {
  const c = new CollectorConfig();
  readServiceTarget(r, c, 10);
  c.batchSize = <i32>r.optionalInt("batch_size", 50, 1, 1000);
  c.maxQueue = <i32>r.optionalInt("max_queue", 1000, 1, 100000);
  c.flushIntervalMs = <u32>r.optionalInt("flush_interval_ms", 1000, 10, 3600000);
  r.rejectUnknown();
  return c;
}

function readRule(r: ConfigReader): AuditRule | null {
  const id = r.requiredString("id");
  const type = r.requiredEnum("type", RULE_TYPES);
  const action = <Action>ACTION_NAMES.indexOf(r.optionalEnum("action", ACTION_NAMES, "block"));
  const scope = r.optionalEnum("scope", SCOPES, "both");
  let rule: AuditRule | null = null;
  if (type == "keywords") rule = readKeywords(r);
  else if (type == "pii") rule = readPii(r);
  else if (type == "pattern") rule = readPattern(r, id);
  const mask = r.object("mask");
  r.rejectUnknown();
  if (rule === null) return null;
  rule.id = id;
  rule.action = action;
  rule.inRequest = scope != "response";
  rule.inResponse = scope != "request";
  if (mask !== null) {
    rule.maskStyle = mask.optionalEnum("style", ["placeholder", "partial"], "placeholder") == "partial" ? MaskStyle.Partial : MaskStyle.Placeholder;
    rule.placeholder = mask.optionalString("placeholder", "");
    rule.keepLast = <i32>mask.optionalInt("keep_last", 4, 0, 64);
    rule.maskChar = mask.optionalString("char", "*");
    mask.rejectUnknown();
  }
  return rule;
}

/** Longest keyword or allow term: a stream holds back at most this much of a term that may still complete. */
const MAX_TERM_LENGTH: i32 = 4096;

/**
 * The terms are checked here; the automata are built by their first search.
 * Envoy configures every plugin in each of its VMs (base, main thread, each
 * worker) and only the workers' VMs see requests: built at configure time,
 * a large keyword list would take its memory in every VM.
 */
function readKeywords(r: ConfigReader): KeywordRule {
  const rule = new KeywordRule();
  const terms = r.stringArray("keywords", true, 1);
  for (let i = 0; i < terms.length; i++) rule.terms.add(termOf(r, "keywords", unchecked(terms[i])));
  const allow = r.stringArray("allow");
  if (allow.length > 0) {
    const a = new AhoCorasick();
    for (let i = 0; i < allow.length; i++) a.add(termOf(r, "allow", unchecked(allow[i])));
    rule.allow = a;
  }
  rule.wholeWords = r.optionalBool("whole_words", false);
  return rule;
}

function termOf(r: ConfigReader, field: string, term: string): string {
  const t = lowerString(normalize(term).text);
  if (t.length > MAX_TERM_LENGTH) r.fail(field, "a term longer than " + decimal(MAX_TERM_LENGTH) + " characters: " + quote(term));
  return t;
}

function readPii(r: ConfigReader): PiiRule {
  const rule = new PiiRule();
  const names = r.stringArray("detectors");
  if (!r.has("detectors")) {
    for (let i = 0; i < PII_NAMES.length; i++) rule.detectors.push(<Pii>i);
  }
  for (let i = 0; i < names.length; i++) {
    const d = piiByName(unchecked(names[i]));
    if (d < 0) r.fail("detectors", "unknown detector \"" + names[i] + "\" (known: " + PII_NAMES.join(", ") + ")");
    else if (!rule.detectors.includes(<Pii>d)) rule.detectors.push(<Pii>d);
  }
  return rule;
}

function readPattern(r: ConfigReader, id: string): PatternRule | null {
  const pattern = r.requiredString("pattern");
  const caseInsensitive = r.optionalBool("case_insensitive", false);
  const maxLength = <i32>r.optionalInt("max_length", 256, 1, 4096);
  if (pattern.length == 0) return null;
  const compiled = compileRegex(pattern, caseInsensitive, maxLength);
  const err = compiled.error;
  if (err !== null) {
    r.fail("pattern", "rule \"" + id + "\": invalid pattern " + quote(pattern) + " at position " + decimal(err.position) + ": " + err.message);
    return null;
  }
  return new PatternRule(compiled.regex!);
}

function quote(s: string): string {
  return '"' + (s.length > 80 ? s.substring(0, 80) + "..." : s) + '"';
}
