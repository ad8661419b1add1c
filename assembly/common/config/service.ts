// A service a filter calls itself (proxy_http_call): the Envoy cluster, the
// :authority and :path of the request, and how long to wait. Filters extend
// ServiceTarget with their own fields and defaults and read the shared keys
// with readServiceTarget, so every such block validates the same way.
import { ConfigReader } from "./reader";

export class ServiceTarget {
  cluster: string = "";

  constructor(
    public path: string,
    /** Empty: the cluster name. */
    public authority: string,
    public timeoutMs: u32,
  ) {}
}

/**
 * Reads `cluster` (required), `authority`, `path` (must start with /) and
 * `timeout_ms` (`minTimeoutMs` to 60000) into `into`, whose current values are
 * the defaults. Leaves the block's other keys to the caller.
 */
export function readServiceTarget(r: ConfigReader, into: ServiceTarget, minTimeoutMs: i64 = 1): void {
  into.cluster = r.requiredString("cluster");
  into.authority = r.optionalString("authority", into.authority.length > 0 ? into.authority : into.cluster);
  into.path = r.optionalString("path", into.path);
  if (!into.path.startsWith("/")) r.fail("path", "must start with / (got \"" + into.path + "\")");
  into.timeoutMs = <u32>r.optionalInt("timeout_ms", into.timeoutMs, minTimeoutMs, 60000);
}
