// What a case run shows, in a form both environments can produce; the
// normalization listed in probe-cases.ts; and the check of an observation
// against a case's expectation.
import type { Expectation, LogExpectation, Pairs } from "./probe-cases.ts";

export interface RequestSeen {
  method: string;
  path: string;
  /** Wire order: host first, then the regular headers. */
  headers: Pairs;
  body: string;
  trailers: Pairs;
}

export interface LogLine {
  level: LogExpectation["level"];
  message: string;
}

export interface Observation {
  status: number | null;
  headers: Pairs;
  body: string;
  trailers: Pairs;
  reset: boolean;
  /** What the upstream received, or null. */
  upstream: RequestSeen | null;
  /** HTTP calls the call target received. */
  callouts: RequestSeen[];
  counters: Record<string, number>;
  gauges: Record<string, number>;
  /** Log lines at or above info produced during the case. */
  logs: LogLine[];
  trapped: boolean;
}

/** Normalization 1: headers that come from Envoy's or Node's HTTP machinery, not from the filter. */
export const DROPPED_HEADERS = new Set(["date", "server", "content-length", "transfer-encoding", "connection", "keep-alive"]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ADDRESS = /^(127\.0\.0\.1|\[::1\]):\d+$/;

export function normalizeValue(v: string): string {
  if (UUID.test(v)) return "<uuid>";
  if (ADDRESS.test(v)) return v.replace(/:\d+$/, ":<port>");
  return v;
}

const dropped = (name: string) => DROPPED_HEADERS.has(name) || name.startsWith("x-envoy-");
/** Probe reports that list header names. */
const NAME_LISTS = new Set(["x-probe-names", "x-probe-rs-names"]);

export function normalizeHeaders(pairs: Pairs): Pairs {
  return pairs
    .map(([k, v]): [string, string] => [k.toLowerCase(), v])
    .filter(([k]) => !dropped(k))
    .map(([k, v]) => [k, NAME_LISTS.has(k) ? v.split(",").filter((n) => !dropped(n)).join(",") : normalizeValue(v)]);
}

function normalizeRequest(r: RequestSeen | null): RequestSeen | null {
  return r && { ...r, headers: normalizeHeaders(r.headers), trailers: normalizeHeaders(r.trailers) };
}

export function normalize(o: Observation): Observation {
  const base = {
    ...o,
    upstream: normalizeRequest(o.upstream),
    callouts: o.callouts.map((c) => normalizeRequest(c)!),
  };
  // Normalization 6: of a reset stream only the reset counts.
  if (o.reset) return { ...base, status: null, headers: [], body: "", trailers: [] };
  return { ...base, headers: normalizeHeaders(o.headers), trailers: normalizeHeaders(o.trailers) };
}

/** The part of an observation both environments must agree on exactly. */
export function comparable(o: Observation): Omit<Observation, "logs"> {
  const { logs: _logs, ...rest } = normalize(o);
  return rest;
}

/** Value of a header as a client library shows it: repeated headers joined with ", ". */
function headerValue(pairs: Pairs, name: string): string | null {
  const values = pairs.filter(([k]) => k === name).map(([, v]) => v);
  return values.length ? values.join(", ") : null;
}

function checkHeaders(where: string, pairs: Pairs, expected: Record<string, string | null>, problems: string[]): void {
  for (const [name, want] of Object.entries(expected)) {
    const got = headerValue(pairs, name);
    if (got !== want) problems.push(`${where} header ${name}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  }
}

/** Everything in `obs` that contradicts `expect`, as readable lines (empty when it matches). */
export function check(expect: Expectation, raw: Observation): string[] {
  const obs = normalize(raw);
  const problems: string[] = [];
  const same = (what: string, want: unknown, got: unknown) => {
    if (want !== undefined && JSON.stringify(want) !== JSON.stringify(got)) problems.push(`${what}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  };
  same("reset", expect.reset ?? false, obs.reset);
  same("status", expect.status, obs.status);
  same("body", expect.body, obs.body);
  same("trapped", expect.trapped ?? false, obs.trapped);
  if (expect.headers) checkHeaders("response", obs.headers, expect.headers, problems);
  if (expect.trailers) checkHeaders("trailer", obs.trailers, expect.trailers, problems);
  if (expect.upstream === null && obs.upstream !== null) problems.push(`upstream: expected no request, got ${obs.upstream.method} ${obs.upstream.path}`);
  if (expect.upstream) {
    const up = obs.upstream;
    if (!up) problems.push("upstream: expected a request, got none");
    else {
      same("upstream method", expect.upstream.method, up.method);
      same("upstream path", expect.upstream.path, up.path);
      same("upstream body", expect.upstream.body, up.body);
      if (expect.upstream.headers) checkHeaders("upstream", up.headers, expect.upstream.headers, problems);
      if (expect.upstream.trailers) checkHeaders("upstream trailer", up.trailers, expect.upstream.trailers, problems);
    }
  }
  same("callouts", expect.callouts, expect.callouts === undefined ? undefined : obs.callouts.length);
  for (const [name, delta] of Object.entries(expect.counters ?? {})) same(`counter ${name} delta`, delta, obs.counters[name] ?? 0);
  for (const [name, value] of Object.entries(expect.gauges ?? {})) same(`gauge ${name}`, value, obs.gauges[name]);
  for (const want of expect.logs ?? []) {
    if (!obs.logs.some((l) => l.level === want.level && l.message.includes(want.text))) {
      problems.push(`log: no ${want.level} line containing ${JSON.stringify(want.text)}`);
    }
  }
  for (const text of expect.hiddenLogs ?? []) {
    if (obs.logs.some((l) => l.message.includes(text))) problems.push(`log: ${JSON.stringify(text)} should not be visible`);
  }
  if (expect.logOrder) {
    const at = expect.logOrder.map((t) => obs.logs.findIndex((l) => l.message.includes(t)));
    if (at.some((i) => i < 0) || at.some((i, n) => n > 0 && i < at[n - 1])) {
      problems.push(`log order: expected ${JSON.stringify(expect.logOrder)}, positions ${JSON.stringify(at)}`);
    }
  }
  return problems;
}
