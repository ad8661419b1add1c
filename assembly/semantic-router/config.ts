// The plugin configuration (schema.json documents it): routes with examples,
// keywords and thresholds, the default route, what text to classify, and how
// to treat client models and bad bodies. The classifier is trained here, at
// configuration time, from the routes' examples.
import { ConfigParser, ConfigReader, readServiceTarget } from "../common/config";
import { ParseOptions, quoteJson } from "../common/json";
import { Complexity } from "./complexity";
import { EmbeddingsConfig } from "./embeddings";
import { normalizedString } from "./features";
import { Model, Scoring } from "./model";
import { EmbeddingClassifier } from "./static/classifier";
import { StaticEmbedder } from "./static/embed";
import { StaticTable, staticTable, TABLE_BYTES } from "./static/table";
import { decimal } from "../common/text/decimal";

export const FILTER_NAME = "semantic-router";
const NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.";
const MAX_EXAMPLES = 20000;
/** Route indices are 16-bit in the classifier's postings. */
const MAX_ROUTES = 1000;

export class Target {
  /** Written into the body's `model`; "" leaves the model alone. */
  model: string = "";
  /** The x-semantic-route value Envoy's route table matches. */
  header: string = "";
  private headerUtf8: ArrayBuffer | null = null;
  private nameUtf8: ArrayBuffer | null = null;
  private modelUtf8: ArrayBuffer | null = null;
  private modelJsonUtf8: ArrayBuffer | null = null;
  constructor(public name: string) {}

  // Every decision sends these: encoded once, on first use (the fields are
  // set after construction, while the configuration is read).

  get headerBytes(): ArrayBuffer {
    let b = this.headerUtf8;
    if (b === null) this.headerUtf8 = b = String.UTF8.encode(this.header);
    return b;
  }

  get nameBytes(): ArrayBuffer {
    let b = this.nameUtf8;
    if (b === null) this.nameUtf8 = b = String.UTF8.encode(this.name);
    return b;
  }

  /** The model as a JSON string, to write into the body. */
  get modelJson(): ArrayBuffer {
    let b = this.modelJsonUtf8;
    if (b === null) this.modelJsonUtf8 = b = String.UTF8.encode(quoteJson(this.model));
    return b;
  }

  /** The model as the decision line shows it ("-" for none). */
  get modelBytes(): ArrayBuffer {
    let b = this.modelUtf8;
    if (b === null) this.modelUtf8 = b = String.UTF8.encode(this.model.length > 0 ? this.model : "-");
    return b;
  }
}

export class Route extends Target {
  examples: Array<string> = new Array<string>();
  /** Normalized keyword phrases (see keywordPattern). */
  keywords: Array<string> = new Array<string>();
  priority: i64 = 0;
  threshold: f64 = 0;
  complexity: Complexity = Complexity.Any;
  /** Also scored through the embedding service (needs `embeddings` and examples). */
  embeddings: bool = false;
}

export class InputOptions {
  /** Also classify the system prompt. */
  system: bool = false;
  /** Earlier user turns classified with the last one. */
  history: i32 = 0;
  maxScanBytes: i32 = 4096;
}

export enum ModelPolicy {
  /** Every request is routed; the client's model is replaced. */
  Always = 0,
  /** Only requests naming a sentinel model (e.g. "auto") are routed; others keep their model. */
  Sentinel = 1,
}

export class RouterConfig {
  routes: Array<Route> = new Array<Route>();
  fallback: Target = new Target("default");
  threshold: f64 = 0.145;
  complexityThreshold: f64 = 0.5;
  input: InputOptions = new InputOptions();
  policy: ModelPolicy = ModelPolicy.Always;
  sentinels: Array<string> = ["auto"];
  /** Bad bodies: false -> default route, true -> 400. */
  rejectInvalid: bool = false;
  maxBodyBytes: i64 = 1_000_000;
  /** How request bodies are parsed (depth 64, maxBodyBytes). */
  parseOptions: ParseOptions = new ParseOptions(64, 1_000_000);
  model: Model | null = null;
  /** `classifier: "embeddings"`: the static embedding classifier (same route order as the model). */
  embedder: EmbeddingClassifier | null = null;
  /** Route i's index in the model (which is trained in name order). */
  modelRoute: Int32Array = new Int32Array(0);
  /** Some route has keywords (the request's normalized text is then built). */
  hasKeywords: bool = false;
  /** The embedding service, when some route uses it. */
  embeddings: EmbeddingsConfig | null = null;
  /** Microseconds spent training (for the configure log line). */
  trainMicros: u64 = 0;
}

function validName(s: string): bool {
  if (s.length == 0 || s.length > 64) return false;
  for (let i = 0; i < s.length; i++) if (!NAME_CHARS.includes(s.charAt(i))) return false;
  return true;
}

function isAsciiWordChar(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a);
}

/**
 * A keyword as it is searched in normalized text: ASCII words keep the
 * spaces around them (whole words only), CJK ends do not (no spaces there).
 */
export function keywordPattern(keyword: string): string {
  const n = normalizedString(keyword);
  if (n.length <= 2) return "";
  let start = 0;
  let end = n.length;
  if (!isAsciiWordChar(n.charCodeAt(1))) start = 1;
  if (!isAsciiWordChar(n.charCodeAt(n.length - 2))) end = n.length - 1;
  return n.substring(start, end);
}

function readTarget(r: ConfigReader, t: Target): void {
  t.model = r.optionalString("model", "");
  t.header = r.optionalString("header", t.name);
  if (!validName(t.header)) r.fail("header", "must be 1-64 characters of A-Z a-z 0-9 _ - . (got \"" + t.header + "\")");
}

function readRoute(r: ConfigReader, global: f64, names: Array<string>): Route {
  const route = new Route(r.requiredString("name"));
  if (!validName(route.name)) r.fail("name", "must be 1-64 characters of A-Z a-z 0-9 _ - . (got \"" + route.name + "\")");
  else if (names.includes(route.name)) r.fail("name", "is used by another route (\"" + route.name + "\")");
  names.push(route.name);
  readTarget(r, route);
  route.examples = r.stringArray("examples");
  const keywords = r.stringArray("keywords");
  for (let i = 0; i < keywords.length; i++) {
    const p = keywordPattern(keywords[i]);
    if (p.length == 0) r.fail("keywords", "entry " + decimal(i) + " has no letters or digits");
    else route.keywords.push(p);
  }
  route.priority = r.optionalInt("priority", 0, -1000000, 1000000);
  route.threshold = r.optionalNumber("threshold", global, 0, 1);
  const c = r.optionalEnum("complexity", ["any", "simple", "complex"], "any");
  route.complexity = c == "simple" ? Complexity.Simple : c == "complex" ? Complexity.Complex : Complexity.Any;
  route.embeddings = r.optionalBool("embeddings", false);
  if (route.embeddings && route.examples.length == 0) r.fail("embeddings", "needs examples to compare with");
  if (route.examples.length == 0 && route.keywords.length == 0 && route.complexity == Complexity.Any) {
    r.failHere("route \"" + route.name + "\" can never match: give it examples, keywords or a complexity");
  }
  r.rejectUnknown();
  return route;
}

function readEmbeddings(r: ConfigReader): EmbeddingsConfig {
  const e = new EmbeddingsConfig();
  readServiceTarget(r, e);
  e.model = r.optionalString("model", "");
  e.apiKey = r.optionalString("api_key", "");
  e.threshold = r.optionalNumber("threshold", e.threshold, -1, 1);
  e.neighbors = <i32>r.optionalInt("neighbors", e.neighbors, 1, 32);
  e.cacheEntries = <i32>r.optionalInt("cache_entries", e.cacheEntries, 1, 1000000);
  r.rejectUnknown();
  return e;
}

/** The default threshold of `classifier: "embeddings"` (its score is another one than the lexical classifier's, see decide.ts): chosen on CLINC150's validation split, 10 domain routes. */
export const EMBEDDING_THRESHOLD: f64 = 0.315;

let embedder: StaticEmbedder | null = null;

/** One embedder (tokenizer buffers) per VM, shared by its configurations. */
function sharedEmbedder(table: StaticTable): StaticEmbedder {
  if (embedder === null) embedder = new StaticEmbedder(table);
  return embedder!;
}

/** Indices of `routes` in the order of their names (names are unique). */
function byName(routes: Array<Route>): Array<i32> {
  const order = new Array<i32>(routes.length);
  for (let i = 0; i < routes.length; i++) {
    let j = i;
    while (j > 0 && routes[order[j - 1]].name > routes[i].name) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = i;
  }
  return order;
}

export class RouterConfigParser extends ConfigParser<RouterConfig> {
  parse(r: ConfigReader): RouterConfig | null {
    const c = new RouterConfig();
    const byEmbeddings = r.optionalEnum("classifier", ["lexical", "embeddings"], "lexical") == "embeddings";
    const table = byEmbeddings ? staticTable() : null;
    if (byEmbeddings && table === null) r.fail("classifier", "\"embeddings\" needs the module with the embedding table, semantic-router-embed.wasm (this one has none)");
    c.threshold = r.optionalNumber("threshold", byEmbeddings ? EMBEDDING_THRESHOLD : c.threshold, 0, 1);
    c.complexityThreshold = r.optionalNumber("complexity_threshold", c.complexityThreshold, 0, 1);
    const scoring = r.optionalEnum("scoring", ["mixed", "nearest", "centroid"], "mixed");
    const neighbors = <i32>r.optionalInt("neighbors", 1, 1, 16);
    const routes = r.objectArray("routes", true, 1);
    if (routes.length > MAX_ROUTES) r.fail("routes", "hold " + decimal(routes.length) + " routes; at most " + decimal(MAX_ROUTES));
    const names = new Array<string>();
    let exampleCount = 0;
    for (let i = 0; i < routes.length; i++) {
      const route = readRoute(routes[i], c.threshold, names);
      exampleCount += route.examples.length;
      if (route.keywords.length > 0) c.hasKeywords = true;
      c.routes.push(route);
    }
    if (exampleCount > MAX_EXAMPLES) r.fail("routes", "hold " + decimal(exampleCount) + " examples; at most " + decimal(MAX_EXAMPLES));
    const fallback = r.object("default");
    if (fallback !== null) {
      c.fallback = new Target(fallback.optionalString("name", "default"));
      if (!validName(c.fallback.name)) fallback.fail("name", "must be 1-64 characters of A-Z a-z 0-9 _ - .");
      else if (names.includes(c.fallback.name)) fallback.fail("name", "is also the name of a route (\"" + c.fallback.name + "\")");
      readTarget(fallback, c.fallback);
      fallback.rejectUnknown();
    } else {
      c.fallback.header = c.fallback.name;
    }
    const input = r.object("input");
    if (input !== null) {
      c.input.system = input.optionalBool("system", false);
      c.input.history = <i32>input.optionalInt("history", 0, 0, 100);
      c.input.maxScanBytes = <i32>input.optionalInt("max_scan_bytes", 4096, 16, 1 << 20);
      input.rejectUnknown();
    }
    c.policy = r.optionalEnum("model_policy", ["always", "sentinel"], "always") == "sentinel" ? ModelPolicy.Sentinel : ModelPolicy.Always;
    if (r.has("sentinel_models")) c.sentinels = r.stringArray("sentinel_models", false, 1);
    c.rejectInvalid = r.optionalEnum("on_invalid", ["default", "reject"], "default") == "reject";
    const emb = r.object("embeddings");
    if (emb !== null) c.embeddings = readEmbeddings(emb);
    let usesEmbeddings = false;
    for (let i = 0; i < c.routes.length; i++) if (c.routes[i].embeddings) usesEmbeddings = true;
    if (usesEmbeddings && c.embeddings === null) r.fail("embeddings", "is required when a route sets embeddings: true");
    if (!usesEmbeddings) c.embeddings = null;
    c.maxBodyBytes = r.optionalInt("max_body_bytes", c.maxBodyBytes, 1024, 64 << 20);
    c.parseOptions = new ParseOptions(64, <i32>c.maxBodyBytes);
    r.rejectUnknown();
    if (!r.errors.ok) return null;

    const mode = scoring == "nearest" ? Scoring.Nearest : scoring == "centroid" ? Scoring.Centroid : Scoring.Mixed;
    // Trained in a canonical order (routes by name, each route's examples
    // sorted): the order of the configuration never changes a decision.
    const order = byName(c.routes);
    const examples = new Array<Array<string>>();
    c.modelRoute = new Int32Array(c.routes.length);
    for (let k = 0; k < order.length; k++) {
      examples.push(c.routes[order[k]].examples.slice(0).sort());
      c.modelRoute[order[k]] = k;
    }
    c.model = new Model(examples, mode, neighbors, c.input.maxScanBytes);
    // A constant condition: the lexical module compiles none of the embedding code.
    if (TABLE_BYTES > 0) {
      if (table !== null) {
        c.embedder = new EmbeddingClassifier(sharedEmbedder(table), examples, c.input.maxScanBytes);
        c.model!.keepCosine = true;
      }
    }
    return c;
  }
}
