// Higress-style plugin configuration: global fields plus `_rules_`, each rule
// scoped by _match_route_ / _match_domain_ / _match_service_ /
// _match_route_prefix_ (see match.ts); the first rule that matches a request
// wins, else the global configuration.
//
// As in Higress (pkg/matcher/matcher.go):
//   - A rule's configuration REPLACES the global one: it is parsed from the
//     rule's own fields only. A filter that wants rules to inherit global
//     fields overrides ConfigParser.parseRule (Higress's parseOverrideConfig).
//   - A rule uses one kind of match: _match_route_ (with _match_service_ too,
//     both must match), else _match_domain_, else _match_service_, else
//     _match_route_prefix_; other match keys in the same rule are ignored.
//   - A configuration holding only `_rules_` has no global part: requests no
//     rule matches get null (the filter stays out of the way). An empty
//     configuration is a global one with every field at its default.
// Unlike Higress, an invalid global part is an error even when rules exist,
// and empty match entries are errors, not skipped: Envoy should refuse a
// half-valid configuration rather than run it.
import { JsonKind, JsonValue } from "../json";
import { ConfigErrors } from "./errors";
import { DomainPattern, MatchInput, normalizeHost, serviceMatches } from "./match";
import { ConfigReader, describeValue } from "./reader";
import { decimal } from "../text/decimal";

export const RULES_KEY = "_rules_";
export const MATCH_ROUTE_KEY = "_match_route_";
export const MATCH_DOMAIN_KEY = "_match_domain_";
export const MATCH_SERVICE_KEY = "_match_service_";
export const MATCH_ROUTE_PREFIX_KEY = "_match_route_prefix_";

export enum RuleCategory {
  Route = 0,
  RouteAndService = 1,
  Domain = 2,
  Service = 3,
  RoutePrefix = 4,
}

export function ruleCategoryName(c: RuleCategory): string {
  if (c == RuleCategory.Route) return "route";
  if (c == RuleCategory.RouteAndService) return "route+service";
  if (c == RuleCategory.Domain) return "domain";
  if (c == RuleCategory.Service) return "service";
  return "route_prefix";
}

/** Turns the fields of a configuration object into the filter's config type T. */
export abstract class ConfigParser<T> {
  /**
   * Reads one configuration object: the global part, or a rule. Record
   * problems through the reader; the configuration is refused when any was
   * recorded, whatever this returns. Null means "nothing usable".
   */
  abstract parse(r: ConfigReader): T | null;

  /** Reads a `_rules_` entry. Default, as Higress: the rule's fields only, `global` ignored. */
  parseRule(r: ConfigReader, global: T | null): T | null {
    return this.parse(r);
  }
}

export class Rule<T> {
  routes: Array<string> = new Array<string>();
  routePrefixes: Array<string> = new Array<string>();
  domains: Array<DomainPattern> = new Array<DomainPattern>();
  services: Array<string> = new Array<string>();

  constructor(public category: RuleCategory, public config: T) {}

  /** `host` is the normalized :authority (normalizeHost). */
  matches(input: MatchInput, host: string): bool {
    switch (this.category) {
      case RuleCategory.Route:
        return this.routes.includes(input.route);
      case RuleCategory.RouteAndService:
        return this.routes.includes(input.route) && this.serviceMatch(input.service);
      case RuleCategory.Domain:
        for (let i = 0; i < this.domains.length; i++) if (this.domains[i].matches(host)) return true;
        return false;
      case RuleCategory.Service:
        return this.serviceMatch(input.service);
      default:
        for (let i = 0; i < this.routePrefixes.length; i++) if (input.route.startsWith(this.routePrefixes[i])) return true;
        return false;
    }
  }

  private serviceMatch(service: string): bool {
    for (let i = 0; i < this.services.length; i++) if (serviceMatches(this.services[i], service)) return true;
    return false;
  }
}

export class RuleSet<T> {
  /** The configuration for requests no rule matches; null when the configuration had only `_rules_`. */
  global: T | null = null;
  rules: Array<Rule<T>> = new Array<Rule<T>>();

  /** The configuration for a request: the first matching rule's, else the global one (maybe null). */
  select(input: MatchInput): T | null {
    if (this.rules.length > 0) {
      const host = normalizeHost(input.domain);
      for (let i = 0; i < this.rules.length; i++) {
        const rule = this.rules[i];
        if (rule.matches(input, host)) return rule.config;
      }
    }
    return this.global;
  }

  /** Index of the rule select() would use, or -1 for the global configuration. */
  selectIndex(input: MatchInput): i32 {
    const host = normalizeHost(input.domain);
    for (let i = 0; i < this.rules.length; i++) if (this.rules[i].matches(input, host)) return i;
    return -1;
  }
}

/** Builds the rule set from a parsed configuration; null when any error was recorded in `errors`. */
export function readRuleSet<T>(root: JsonValue, parser: ConfigParser<T>, errors: ConfigErrors): RuleSet<T> | null {
  const before = errors.count;
  if (root.kind != JsonKind.Object) {
    errors.add("", "must be a JSON object (got " + describeValue(root) + ")");
    return null;
  }
  const set = new RuleSet<T>();
  const rulesValue = root.get(RULES_KEY);
  const hasRules = rulesValue !== null && rulesValue.kind != JsonKind.Null;
  const globalKeys = root.length - (rulesValue !== null ? 1 : 0);

  if (!hasRules || globalKeys > 0) {
    const r = new ConfigReader(root, "", errors);
    r.markSeen(RULES_KEY);
    const global = parser.parse(r);
    if (global === null && errors.count == before) errors.add("", "is not usable");
    set.global = global;
  }

  if (hasRules && rulesValue !== null) {
    const list = rulesValue;
    if (list.kind != JsonKind.Array) {
      errors.add(RULES_KEY, "must be an array of rules (got " + describeValue(list) + ")");
    } else if (list.length == 0 && globalKeys == 0) {
      errors.add(RULES_KEY, "must have at least one rule when there is no global configuration");
    } else {
      const entries = list.children();
      for (let i = 0; i < entries.length; i++) {
        const rule = readRule<T>(entries[i], RULES_KEY + "[" + decimal(i) + "]", parser, set.global, errors);
        if (rule !== null) set.rules.push(rule);
      }
    }
  }
  return errors.count == before ? set : null;
}

function readRule<T>(entry: JsonValue, path: string, parser: ConfigParser<T>, global: T | null, errors: ConfigErrors): Rule<T> | null {
  if (entry.kind != JsonKind.Object) {
    errors.add(path, "must be an object (got " + describeValue(entry) + ")");
    return null;
  }
  const before = errors.count;
  const r = new ConfigReader(entry, path, errors);
  const routes = r.stringArray(MATCH_ROUTE_KEY);
  const domains = r.stringArray(MATCH_DOMAIN_KEY);
  const services = r.stringArray(MATCH_SERVICE_KEY);
  const prefixes = r.stringArray(MATCH_ROUTE_PREFIX_KEY);
  let category: RuleCategory;
  if (routes.length > 0) category = services.length > 0 ? RuleCategory.RouteAndService : RuleCategory.Route;
  else if (domains.length > 0) category = RuleCategory.Domain;
  else if (services.length > 0) category = RuleCategory.Service;
  else if (prefixes.length > 0) category = RuleCategory.RoutePrefix;
  else {
    if (errors.count == before) {
      errors.add(path, "needs a non-empty " + MATCH_ROUTE_KEY + ", " + MATCH_DOMAIN_KEY + ", " + MATCH_SERVICE_KEY + " or " + MATCH_ROUTE_PREFIX_KEY);
    }
    return null;
  }
  const config = parser.parseRule(r, global);
  if (config === null) {
    if (errors.count == before) errors.add(path, "is not usable");
    return null;
  }
  const rule = new Rule<T>(category, config);
  rule.routes = routes;
  rule.services = services;
  rule.routePrefixes = prefixes;
  for (let i = 0; i < domains.length; i++) rule.domains.push(DomainPattern.parse(domains[i]));
  return rule;
}
