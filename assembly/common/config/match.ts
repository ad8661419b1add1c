// What a request is matched on, and the Higress matching rules for each kind
// of `_rules_` key (plugins/wasm-go/pkg/matcher/matcher.go in Higress):
//   _match_route_         route name (xds.route_name) equals an entry
//   _match_route_prefix_  route name STARTS WITH an entry; it is the route
//                         name, not the request path, in Higress too
//   _match_domain_        host of :authority without port: "*.example.com"
//                         matches names ending in ".example.com" (not the apex),
//                         "www.*" matches names starting with "www.", "*" any,
//                         else exact. Compared case-insensitively (hosts are).
//   _match_service_       upstream cluster (xds.cluster_name): Istio/Higress
//                         names "outbound|<port>|<subset>|<fqdn>" match an
//                         entry "<fqdn>" or "<fqdn>:<port>"; any cluster name
//                         also matches an entry equal to it (plain Envoy).

/** The request facts rules match on; filled by the filter from properties and headers. */
export class MatchInput {
  constructor(
    /** xds.route_name */
    public route: string = "",
    /** :authority (the port is ignored) */
    public domain: string = "",
    /** xds.cluster_name */
    public service: string = "",
    /** :path; rule selection does not use it (see the file comment), filters may. */
    public path: string = "",
  ) {}
}

export enum DomainMatch {
  Exact = 0,
  Suffix = 1,
  Prefix = 2,
}

export class DomainPattern {
  constructor(public match: DomainMatch, public text: string) {}

  static parse(entry: string): DomainPattern {
    const e = entry.toLowerCase();
    if (e.startsWith("*")) return new DomainPattern(DomainMatch.Suffix, e.substring(1));
    if (e.endsWith("*")) return new DomainPattern(DomainMatch.Prefix, e.substring(0, e.length - 1));
    return new DomainPattern(DomainMatch.Exact, e);
  }

  /** `host` must already be normalized with normalizeHost(). */
  matches(host: string): bool {
    if (this.match == DomainMatch.Suffix) return host.endsWith(this.text);
    if (this.match == DomainMatch.Prefix) return host.startsWith(this.text);
    return host == this.text;
  }
}

/** Lower-cased host without the port; IPv6 literals keep their brackets ("[::1]:8080" -> "[::1]"). */
export function normalizeHost(authority: string): string {
  let host = authority;
  const colon = host.lastIndexOf(":");
  if (colon >= 0 && host.lastIndexOf("]") < colon) host = host.substring(0, colon);
  return host.toLowerCase();
}

/** Whether cluster `service` is named by `entry` (see the file comment). */
export function serviceMatches(entry: string, service: string): bool {
  if (entry == service) return true;
  const parts = service.split("|");
  if (parts.length != 4) return false;
  const port = parts[1];
  const fqdn = parts[3];
  if (entry == fqdn) return true;
  const colon = entry.lastIndexOf(":");
  return colon >= 0 && entry.substring(0, colon) == fqdn && entry.substring(colon + 1) == port;
}
