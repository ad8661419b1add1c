// THE probe case table: one list of cases, run through the host emulator
// (test/unit/host/probe.test.ts) and through a real Envoy
// (test/e2e/probe.test.ts); both must produce what `expect` says, and the
// e2e suite also checks that both produce the same normalized observation.
//
// A case is: the probe's plugin configuration, one request (sent `repeat`
// times), what the upstream answers, how the HTTP call target answers, and
// the expected result. Cases of one group share one VM (one Envoy) and run in
// table order, so state that lives in the VM (shared data, queue items,
// metrics) evolves the same way in both environments. A case that kills the
// VM or needs other settings has a group of its own.
//
// NORMALIZATIONS (the only differences between the two environments that
// comparisons ignore; applied by normalize() in observe.ts):
//  1. Response and upstream-request headers dropped: date, server,
//     content-length, transfer-encoding, connection, keep-alive, and every
//     x-envoy-* header (added by Envoy's codec, router and connection manager,
//     or by Node's HTTP server; HTTP/1 framing depends on how the bytes were
//     chunked on the wire).
//     The probe's lists of header names (x-probe-names, x-probe-rs-names)
//     lose the same names.
//  2. Header values that are UUIDs (generated x-request-id) become "<uuid>".
//  3. Addresses "127.0.0.1:<port>" become "127.0.0.1:<port>" with the port
//     replaced (ports are allocated per run).
//  4. Envoy lists custom metrics as "wasmcustom.<name>"; tables use <name>.
//  5. Log lines are matched by level and message only (Envoy prefixes them
//     with time, thread, source location and "wasm log <plugin> <root> <vm>:").
//  6. A reset stream is compared by the fact that it was reset (what a client
//     sees of a reset depends on timing).

export type Pairs = [string, string][];

/** The probe plugin as envoy/probe.yaml configures it; the emulator uses the same names. */
export const PROBE_PLUGIN = { name: "probe", rootId: "probe_root", vmId: "probe_vm" } as const;
/** Clusters and routes in envoy/probe.yaml. */
export const PROBE_CLUSTER = "probe_upstream";
export const DEAD_CLUSTER = "probe_dead";
export const ROUTE = { name: "probe_route", virtualHost: "probe_vhost", cluster: PROBE_CLUSTER } as const;
export const REROUTED = { name: "probe_rerouted", virtualHost: "probe_vhost", directResponse: { status: 200, body: "rerouted\n" } } as const;
/** Requests carry this authority unless a case says otherwise (ports differ between runs). */
export const AUTHORITY = "probe.test";

export const DEFAULT_CONFIG = { tick_ms: 100 };

export interface ProbeRequest {
  method?: string;
  path?: string;
  /** In order; `host` sets :authority. The runners put x-case first. */
  headers?: Pairs;
  /** One string, or chunks written one by one. */
  body?: string | string[];
  trailers?: Pairs;
}

/** How an upstream (or the HTTP call target) answers. */
export interface Answer {
  status?: number;
  headers?: Pairs;
  /** One string or chunks; "{echo}" in it is replaced by the request body. */
  body?: string | string[];
  trailers?: Pairs;
  delayMs?: number;
  /** Close the connection before answering, or after the response began. */
  fail?: "reset-before-headers" | "reset";
}

export interface LogExpectation {
  level: "trace" | "debug" | "info" | "warning" | "error" | "critical";
  text: string;
}

export interface Expectation {
  status?: number;
  /** Selected response headers; null means absent. */
  headers?: Record<string, string | null>;
  body?: string;
  trailers?: Record<string, string | null>;
  reset?: boolean;
  /** What the upstream received; null means the request did not reach it. */
  upstream?: null | { method?: string; path?: string; headers?: Record<string, string | null>; body?: string; trailers?: Record<string, string | null> };
  /** HTTP calls the call target received. */
  callouts?: number;
  /** Counter deltas over the case. */
  counters?: Record<string, number>;
  /** Gauge values after the case. */
  gauges?: Record<string, number>;
  /** Log lines that must appear (at Envoy's default level, info). */
  logs?: LogExpectation[];
  /** Messages that must not appear. */
  hiddenLogs?: string[];
  /** Messages that must appear in this order. */
  logOrder?: string[];
  /** The VM trapped during the case (Envoy: a crash line in its log). */
  trapped?: boolean;
}

export interface ProbeCase {
  name: string;
  /** Cases with the same group share a VM / an Envoy; default "main". */
  group?: string;
  config?: Record<string, unknown>;
  /** Envoy failure_policy for the group. */
  failurePolicy?: "FAIL_CLOSED" | "FAIL_OPEN";
  /** Time that passes before the request (real sleep in Envoy, virtual in the emulator). */
  waitMs?: number;
  request: ProbeRequest;
  repeat?: number;
  upstream?: Answer;
  callout?: Answer;
  expect: Expectation;
  /** A second request after the first (e.g. after a trap) and what it gets. */
  then?: { request: ProbeRequest; expect: Expectation };
  /** The plugin configuration is refused (Envoy does not start; the emulator's configure() is false). */
  configureFails?: boolean;
}

/** Default upstream answer: echo the body behind a marker header. */
export const DEFAULT_UPSTREAM: Answer = {
  status: 200,
  headers: [["content-type", "text/plain"], ["x-upstream", "1"]],
  body: "upstream:{echo}",
};

/** Default answer of the HTTP call target. */
export const DEFAULT_CALLOUT: Answer = {
  status: 201,
  headers: [["x-callout-marker", "m1"]],
  body: "callout-body",
};

const op = (ops: string, ...more: Pairs): Pairs => [["host", AUTHORITY], ["x-probe-op", ops], ...more];

const CONNECT_FAILURE = "upstream connect error or disconnect/reset before headers. reset reason: remote connection failure";
const RESET_BEFORE_HEADERS = "upstream connect error or disconnect/reset before headers. reset reason: connection termination";

export const PROBE_CASES: ProbeCase[] = [
  // ---- headers ----
  {
    name: "echo-request-headers",
    request: { path: "/echo?x=1", headers: op("echo,size", ["x-custom", "a"], ["x-dup", "1"], ["x-dup", "2"], ["x-request-id", "req-echo-1"]) },
    expect: {
      status: 200,
      headers: {
        "x-probe-names": ":authority,:path,:method,:scheme,x-case,x-probe-op,x-custom,x-dup,x-dup,x-request-id,x-forwarded-proto",
        "x-echo-authority": AUTHORITY,
        "x-echo-path": "/echo?x=1",
        "x-echo-method": "GET",
        "x-echo-scheme": "http",
        "x-echo-x-dup": "1, 2",
        "x-echo-x-forwarded-proto": "http",
        "x-probe-rq-headers": "11",
        "x-probe-rq-headers-eos": "1",
        "x-probe-rq-size": "164",
        "x-probe-rs-names": ":status,content-type,x-upstream",
        "x-probe-rs-headers-eos": "0",
        "x-upstream": "1",
      },
      body: "upstream:",
      upstream: { method: "GET", path: "/echo?x=1", headers: { host: AUTHORITY, "x-custom": "a", "x-request-id": "req-echo-1", "x-forwarded-proto": "http" } },
    },
  },
  {
    name: "header-mutations",
    request: {
      path: "/mutate",
      headers: op(
        "",
        ["x-a", "1"], ["x-b", "2"], ["x-a", "3"], ["x-del", "z"],
        ["x-probe-set-rq", "x-a=new"], ["x-probe-add-rq", "x-b=4"], ["x-probe-del-rq", "x-del"], ["x-probe-get-rq", "x-a;x-nope"],
        ["x-probe-set-rs", "x-upstream=changed"], ["x-probe-add-rs", "x-added=1"], ["x-probe-del-rs", "content-type"], ["x-probe-get-rs", "x-upstream;x-nope"],
      ),
    },
    expect: {
      status: 200,
      headers: {
        "x-probe-rq-mutations": "0,0,0",
        "x-probe-got-x-a": "new",
        "x-probe-got-x-nope": "!missing",
        "x-probe-rs-mutations": "0,0,0",
        "x-probe-got-rs-x-upstream": "changed",
        "x-probe-got-rs-x-nope": "!missing",
        "x-upstream": "changed",
        "x-added": "1",
        "content-type": null,
      },
      upstream: { headers: { "x-a": "new", "x-b": "2, 4", "x-del": null } },
    },
  },
  {
    name: "set-header-pairs",
    request: { path: "/pairs", headers: op("set-pairs", ["x-keep", "1"], ["x-drop-me", "1"], ["x-probe-pairs", "x-new=1;X-Upper=2"]) },
    expect: { status: 200, headers: { "x-probe-set-pairs": "0" }, upstream: { headers: { "x-keep": "1", "x-drop-me": null, "x-new": "1", "x-upper": "2" } } },
  },
  {
    name: "request-headers-gone-after-continue",
    request: { method: "POST", path: "/late", headers: op("late-read"), body: "abc" },
    expect: {
      status: 200,
      headers: {
        "x-probe-late-body-path": "!missing",
        "x-probe-late-body-count": "0",
        "x-probe-late-rs-path": "!missing",
        "x-probe-late-rs-count": "0",
        "x-prop-request-path": "!missing",
      },
      body: "upstream:abc",
    },
  },
  // ---- bodies ----
  {
    name: "request-body-append",
    request: { method: "POST", path: "/body", headers: op("buffer-rq", ["x-probe-rq-body", "append:+tail"], ["content-type", "text/plain"]), body: ["hello ", "world"] },
    expect: {
      status: 200,
      headers: { "x-probe-rq-cl-removed": "0", "x-probe-rq-body": "hello world", "x-probe-rq-body-len": "11", "x-probe-rq-body-set": "0", "x-probe-rq-body-after": "hello world+tail" },
      body: "upstream:hello world+tail",
      upstream: { method: "POST", body: "hello world+tail" },
    },
  },
  {
    name: "request-body-prepend",
    request: { method: "POST", path: "/body", headers: op("buffer-rq", ["x-probe-rq-body", "prepend:head+"]), body: "hello" },
    expect: { headers: { "x-probe-rq-body-set": "0", "x-probe-rq-body-after": "head+hello" }, upstream: { body: "head+hello" } },
  },
  {
    name: "request-body-replace-first-bytes",
    request: { method: "POST", path: "/body", headers: op("buffer-rq", ["x-probe-rq-body", "first2:X"]), body: "hello" },
    expect: { headers: { "x-probe-rq-body-set": "0", "x-probe-rq-body-after": "Xllo" }, upstream: { body: "Xllo" } },
  },
  {
    name: "request-body-replace",
    request: { method: "POST", path: "/body", headers: op("buffer-rq", ["x-probe-rq-body", "replace:new body"]), body: ["one ", "two"] },
    expect: { headers: { "x-probe-rq-body-set": "0", "x-probe-rq-body-after": "new body" }, upstream: { body: "new body" } },
  },
  {
    name: "request-body-set-inside-refused",
    request: { method: "POST", path: "/body", headers: op("buffer-rq", ["x-probe-rq-body", "middle:X"]), body: "hello" },
    expect: { headers: { "x-probe-rq-body-set": "2", "x-probe-rq-body-after": "hello" }, upstream: { body: "hello" } },
  },
  {
    name: "request-body-streamed",
    request: { method: "POST", path: "/stream", headers: op("count-rq"), body: ["abc", "defg", "hi"] },
    expect: { headers: { "x-probe-rq-seen": "9", "x-probe-rq-read": "9" }, upstream: { body: "abcdefghi" } },
  },
  {
    name: "request-trailers-end-the-body",
    request: { method: "POST", path: "/trailers", headers: op("buffer-rq", ["x-probe-rq-body", "append:+t"]), body: ["ab", "cd"], trailers: [["x-t", "1"]] },
    expect: {
      headers: { "x-probe-rq-trailers": "1", "x-probe-rq-body": "abcd", "x-probe-rq-body-after": "abcd+t" },
      upstream: { body: "abcd+t", trailers: { "x-t": "1" } },
    },
  },
  {
    name: "request-body-over-buffer-limit",
    // One byte over Envoy's default 1 MiB buffer limit (so the client has sent everything when the 413 comes).
    request: { method: "POST", path: "/big", headers: op("buffer-rq"), body: ["x".repeat(524_288), "y".repeat(524_289)] },
    expect: {
      status: 413,
      body: "Payload Too Large",
      headers: { "content-type": "text/plain", "x-probe-rq-cl-removed": "0" },
      upstream: null,
    },
  },
  {
    name: "response-body-upper",
    request: { path: "/upper", headers: op("buffer-rs", ["x-probe-rs-body", "upper"]) },
    upstream: { status: 200, headers: [["content-type", "text/plain"]], body: ["part one, ", "part two"] },
    expect: { status: 200, headers: { "x-probe-rs-cl-removed": "0" }, body: "PART ONE, PART TWO" },
  },
  {
    name: "response-body-append",
    request: { path: "/append", headers: op("buffer-rs", ["x-probe-rs-body", "append:!!"]) },
    upstream: { status: 200, headers: [["content-type", "text/plain"], ["content-length", "10"]], body: "part1part2" },
    expect: { status: 200, body: "part1part2!!" },
  },
  {
    name: "response-trailers",
    request: { path: "/rs-trailers", headers: op("trailers") },
    upstream: { status: 200, headers: [["content-type", "text/plain"], ["trailer", "x-up-trailer"]], body: ["part1", "part2"], trailers: [["x-up-trailer", "t1"]] },
    expect: { status: 200, body: "part1part2", trailers: { "x-up-trailer": "t1", "x-probe-trailer": "seen-1" } },
  },
  // ---- local replies and stream control ----
  {
    name: "local-reply-on-request-headers",
    request: {
      path: "/deny",
      headers: op("reply", ["x-probe-reply-status", "403"], ["x-probe-reply-body", "denied"], ["x-probe-reply-headers", "x-why=policy;content-type=application/json"], ["x-probe-reply-details", "probe denied it"]),
    },
    expect: {
      status: 403,
      body: "denied",
      headers: { "x-why": "policy", "content-type": "application/json", "x-probe-saw-reply": "403", "x-upstream": null },
      upstream: null,
    },
  },
  {
    name: "local-reply-gets-text-plain",
    request: { path: "/deny", headers: op("reply", ["x-probe-reply-status", "401"], ["x-probe-reply-body", "who?"]) },
    expect: { status: 401, body: "who?", headers: { "content-type": "text/plain", "x-probe-saw-reply": "401" }, upstream: null },
  },
  {
    name: "local-reply-on-request-body",
    request: { method: "POST", path: "/deny", headers: op("reply", ["x-probe-reply-status", "413"], ["x-probe-reply-at", "request-body"]), body: "abc" },
    expect: { status: 413, body: "", headers: { "x-probe-saw-reply": "413", "content-type": null }, upstream: null },
  },
  {
    name: "local-reply-on-response-headers",
    request: { path: "/teapot", headers: op("reply", ["x-probe-reply-status", "418"], ["x-probe-reply-at", "response-headers"], ["x-probe-reply-body", "teapot"]) },
    expect: { status: 418, body: "teapot", headers: { "content-type": "text/plain", "x-upstream": null, "x-probe-saw-reply": null }, upstream: { path: "/teapot" } },
  },
  {
    name: "local-reply-after-response-started-resets",
    request: { path: "/late-reply", headers: op("reply", ["x-probe-reply-status", "500"], ["x-probe-reply-at", "response-body"], ["x-probe-reply-body", "late"]) },
    expect: { reset: true, upstream: { path: "/late-reply" } },
  },
  {
    name: "close-stream-resets",
    request: { path: "/close", headers: op("close") },
    expect: { reset: true, upstream: null },
  },
  // ---- properties and filter state ----
  {
    name: "properties",
    request: { path: "/props?q=1", headers: op("props") },
    expect: {
      status: 200,
      headers: {
        "x-prop-xds-route-name": ROUTE.name,
        "x-prop-xds-cluster-name": PROBE_CLUSTER,
        "x-prop-xds-virtual-host-name": ROUTE.virtualHost,
        "x-prop-plugin-name": PROBE_PLUGIN.name,
        "x-prop-plugin-root-id": PROBE_PLUGIN.rootId,
        "x-prop-plugin-vm-id": PROBE_PLUGIN.vmId,
        "x-prop-node-id": "!missing",
        "x-prop-request-id": "<uuid>",
        "x-prop-request-path": "/props?q=1",
        "x-prop-request-url-path": "/props",
        "x-prop-request-host": AUTHORITY,
        "x-prop-request-method": "GET",
        "x-prop-request-scheme": "http",
        "x-prop-request-protocol": "HTTP/1.1",
        "x-prop-source-address": "127.0.0.1:<port>",
        "x-prop-destination-address": "127.0.0.1:<port>",
        "x-prop-response-code": "200",
      },
      upstream: { headers: { "x-request-id": "<uuid>" } },
    },
  },
  {
    name: "property-missing",
    request: { path: "/prop", headers: op("", ["x-probe-prop", "no.such.thing"]) },
    expect: { headers: { "x-prop-no-such-thing": "!missing" } },
  },
  {
    name: "filter-state-round-trip",
    request: { path: "/state", headers: op("state", ["x-probe-state", "color=blue"]) },
    expect: { headers: { "x-probe-state-set": "0", "x-probe-state-get": "blue" } },
  },
  {
    name: "root-context",
    request: { path: "/root", headers: op("root-info,config,time") },
    expect: {
      headers: {
        "x-probe-root-set-property": "1",
        "x-probe-root-id": "1",
        "x-probe-stream-after-root": "yes",
        "x-probe-vm-config-size": "0",
        "x-probe-config": JSON.stringify(DEFAULT_CONFIG),
        "x-probe-time-sane": "yes",
      },
    },
  },
  {
    name: "ticks",
    waitMs: 350,
    request: { path: "/ticks", headers: op("ticks") },
    expect: { headers: { "x-probe-ticked": "yes" } },
  },
  // ---- shared data and queues ----
  {
    name: "shared-counter",
    repeat: 3,
    request: { path: "/count", headers: op("counter", ["x-probe-key", "shared-counter"]) },
    expect: { headers: { "x-probe-counter": "3", "x-probe-counter-tries": "1" } },
  },
  {
    name: "shared-data-cas",
    request: { path: "/cas", headers: op("cas", ["x-probe-key", "shared-data-cas"]) },
    expect: { headers: { "x-probe-cas-statuses": "1,0,0,8", "x-probe-cas-value": "b", "x-probe-cas-changed": "yes", "x-probe-cas-create-any": "0" } },
  },
  {
    name: "queue-by-vm-id",
    request: { path: "/queue", headers: op("enqueue", ["x-probe-vm-id", PROBE_PLUGIN.vmId], ["x-probe-item", "one"]) },
    expect: { headers: { "x-probe-queue-resolved": "yes", "x-probe-enqueue": "0", "x-probe-queue-got": "one", "x-probe-queue-ready": "1" } },
  },
  {
    name: "queue-by-own-vm",
    request: { path: "/queue", headers: op("enqueue", ["x-probe-vm-id", ""], ["x-probe-item", "two"]) },
    expect: { headers: { "x-probe-queue-resolved": "yes", "x-probe-enqueue": "0", "x-probe-queue-got": "one|two", "x-probe-queue-ready": "2" } },
  },
  {
    name: "queue-errors",
    request: { path: "/queue", headers: op("queue-errors") },
    expect: { headers: { "x-probe-queue-unknown": "not-found", "x-probe-dequeue-bad-token": "null" } },
  },
  // ---- HTTP calls ----
  {
    name: "call-then-continue",
    request: { path: "/call", headers: op("call") },
    expect: {
      status: 200,
      headers: { "x-probe-call": "started", "x-probe-call-status": "201", "x-probe-call-body": "callout-body", "x-probe-call-marker": "m1", "x-probe-call-continue": "0" },
      body: "upstream:",
      callouts: 1,
      upstream: { path: "/call" },
    },
  },
  {
    name: "call-with-body-while-request-body-waits",
    request: { method: "POST", path: "/call", headers: op("call,count-rq", ["x-probe-call-body", "q=1"], ["x-probe-call-path", "/callout/post"]), body: ["abc", "def"] },
    callout: { status: 200, headers: [["content-type", "text/plain"]], body: "posted" },
    expect: { headers: { "x-probe-call-status": "200", "x-probe-call-body": "posted", "x-probe-rq-seen": "6" }, callouts: 1, upstream: { body: "abcdef" } },
  },
  {
    name: "call-timeout-is-a-504",
    request: { path: "/call", headers: op("call", ["x-probe-call-timeout", "200"]) },
    callout: { ...DEFAULT_CALLOUT, delayMs: 1500 },
    expect: { headers: { "x-probe-call-status": "504", "x-probe-call-body": "upstream request timeout", "x-probe-call-marker": "!missing" }, callouts: 1 },
  },
  {
    name: "call-reset-before-headers-is-a-503",
    request: { path: "/call", headers: op("call") },
    callout: { fail: "reset-before-headers" },
    expect: { headers: { "x-probe-call-status": "503", "x-probe-call-body": RESET_BEFORE_HEADERS }, callouts: 1 },
  },
  {
    name: "call-reset-after-headers-fails",
    request: { path: "/call", headers: op("call") },
    callout: { fail: "reset" },
    expect: { headers: { "x-probe-call-failed": "11 reset", "x-probe-call-status": null, "x-probe-call-continue": "0" }, callouts: 1 },
  },
  {
    name: "call-connect-failure-is-a-503",
    request: { path: "/call", headers: op("call", ["x-probe-call-cluster", DEAD_CLUSTER]) },
    expect: { headers: { "x-probe-call-status": "503", "x-probe-call-body": CONNECT_FAILURE }, callouts: 0 },
  },
  {
    name: "call-unknown-cluster-refused",
    request: { path: "/call", headers: op("call", ["x-probe-call-cluster", "no_such_cluster"]) },
    expect: { headers: { "x-probe-call": "refused" }, callouts: 0, upstream: { path: "/call" } },
  },
  {
    name: "call-without-authority-refused",
    request: { path: "/call", headers: op("call", ["x-probe-call-omit", "authority"]) },
    expect: { headers: { "x-probe-call": "refused" }, callouts: 0 },
  },
  {
    name: "call-then-local-reply",
    request: { path: "/call", headers: op("call,reply", ["x-probe-reply-at", "call"], ["x-probe-reply-status", "502"]) },
    expect: {
      status: 502,
      body: "callout said: callout-body",
      headers: { "x-probe-call": "started", "x-probe-call-status": "201", "content-type": "text/plain", "x-probe-saw-reply": "502" },
      callouts: 1,
      upstream: null,
    },
  },
  // ---- routing ----
  {
    name: "reroute-with-clear-route-cache",
    request: { path: "/route", headers: op("reroute", ["x-probe-route-to", "b"], ["x-probe-clear", "1"]) },
    expect: {
      status: 200,
      body: "rerouted\n",
      headers: { "x-probe-clear-route": "0", "x-probe-route-after": ROUTE.name, "x-prop-xds-route-name": REROUTED.name },
      upstream: null,
    },
  },
  {
    name: "reroute-by-header-change-alone",
    request: { path: "/route", headers: op("reroute", ["x-probe-route-to", "b"], ["x-probe-clear", "0"]) },
    expect: { status: 200, body: "rerouted\n", headers: { "x-prop-xds-route-name": REROUTED.name }, upstream: null },
  },
  {
    name: "reroute-no-match-keeps-route",
    request: { path: "/route", headers: op("reroute", ["x-probe-route-to", "c"], ["x-probe-clear", "1"]) },
    expect: { status: 200, headers: { "x-prop-xds-route-name": ROUTE.name }, upstream: { headers: { "x-probe-route": "c" } } },
  },
  {
    name: "foreign-function-unknown",
    request: { path: "/foreign", headers: op("foreign-unknown") },
    expect: { headers: { "x-probe-foreign-unknown": "1" } },
  },
  // ---- metrics and logs ----
  {
    name: "metrics",
    request: { path: "/metrics", headers: op("metrics", ["x-probe-inc", "2"], ["x-probe-gauge", "7"], ["x-probe-sample", "42"]) },
    expect: {
      headers: {
        "x-probe-metrics-defined": "yes",
        "x-probe-counter-inc": "0",
        "x-probe-counter-value": "2",
        "x-probe-gauge-record": "0",
        "x-probe-gauge-dec": "0",
        "x-probe-gauge-value": "6",
        "x-probe-histogram-record": "0",
        "x-probe-histogram-inc": "2",
      },
      counters: { "probe.requests": 2 },
      gauges: { "probe.gauge": 6 },
    },
  },
  {
    name: "metrics-counter-zero-refused",
    request: { path: "/metrics", headers: op("metrics", ["x-probe-inc", "0"]) },
    expect: { headers: { "x-probe-counter-inc": "2", "x-probe-counter-value": "2" }, counters: { "probe.requests": 0 } },
  },
  {
    name: "logs",
    request: { path: "/logs", headers: op("log,stdio") },
    expect: {
      headers: { "x-probe-log-level": "2" },
      logs: [
        { level: "info", text: "probe-log level=2 logs" },
        { level: "warning", text: "probe-log level=3 logs" },
        { level: "error", text: "probe-log level=4 logs" },
        { level: "critical", text: "probe-log level=5 logs" },
        { level: "info", text: "probe-stdout logs" },
        { level: "error", text: "probe-stderr logs" },
      ],
      hiddenLogs: ["probe-log level=0 logs", "probe-log level=1 logs"],
    },
  },
  {
    name: "lifecycle",
    request: { path: "/lifecycle", headers: op("lifecycle") },
    expect: { logOrder: ["probe-lifecycle log lifecycle path=/lifecycle", "probe-lifecycle done lifecycle", "probe-lifecycle delete lifecycle"] },
  },
  // ---- failures (each kills its VM: a group of its own) ----
  {
    name: "trap-kills-the-vm",
    group: "trap",
    request: { path: "/trap", headers: op("trap") },
    expect: { status: 503, body: "", trapped: true, upstream: null, logs: [{ level: "error", text: "Function: proxy_on_request_headers failed: Uncaught RuntimeError: unreachable" }] },
    then: { request: { path: "/after-trap", headers: op("echo") }, expect: { status: 503, body: "", upstream: null, headers: { "x-probe-names": null } } },
  },
  {
    name: "abort-logs-then-traps",
    group: "abort",
    request: { path: "/abort", headers: op("abort") },
    expect: {
      status: 503,
      trapped: true,
      logs: [{ level: "critical", text: "filter abort: probe abort requested at request-headers at test/fixtures/probe/stream.ts" }],
    },
  },
  {
    name: "trap-in-response-headers",
    group: "trap-response",
    request: { path: "/trap", headers: op("trap", ["x-probe-trap-at", "response-headers"]) },
    expect: { status: 503, body: "", trapped: true, upstream: { path: "/trap" }, headers: { "x-upstream": null } },
    then: { request: { path: "/after-trap", headers: op("echo") }, expect: { status: 503, upstream: null } },
  },
  {
    name: "trap-fail-open",
    group: "trap-fail-open",
    failurePolicy: "FAIL_OPEN",
    request: { path: "/trap", headers: op("trap") },
    // The stream in which the VM dies still gets a 503; only later streams skip the filter.
    expect: { status: 503, trapped: true, body: "", upstream: null },
    then: { request: { path: "/after-trap", headers: op("echo") }, expect: { status: 200, body: "upstream:", headers: { "x-probe-names": null }, upstream: { path: "/after-trap" } } },
  },
  {
    name: "configuration-refused",
    group: "refused",
    config: { fail_configure: true },
    configureFails: true,
    request: { path: "/" },
    expect: { logs: [{ level: "error", text: "probe: configuration refused: fail_configure is true" }] },
  },
];

/** Cases in table order, grouped by the VM (Envoy) they share. */
export function caseGroups(cases: ProbeCase[] = PROBE_CASES): { group: string; cases: ProbeCase[] }[] {
  const groups: { group: string; cases: ProbeCase[] }[] = [];
  for (const c of cases) {
    const name = c.group ?? "main";
    let g = groups.find((x) => x.group === name);
    if (!g) groups.push((g = { group: name, cases: [] }));
    g.cases.push(c);
  }
  return groups;
}

export function configOf(c: ProbeCase): Record<string, unknown> {
  return c.config ?? DEFAULT_CONFIG;
}

/** The request as both runners send it: x-case first, then the case's headers. */
export function requestOf(c: ProbeCase, req: ProbeRequest = c.request): Required<Pick<ProbeRequest, "method" | "path">> & ProbeRequest & { headers: Pairs } {
  return {
    ...req,
    method: req.method ?? "GET",
    path: req.path ?? "/",
    headers: [["x-case", c.name], ...(req.headers ?? [["host", AUTHORITY]])],
  };
}

/** What the call target answers for a case (the runners look the case up by the x-case header). */
export function calloutOf(c: ProbeCase | undefined): Answer {
  return c?.callout ?? DEFAULT_CALLOUT;
}

export function upstreamOf(c: ProbeCase | undefined): Answer {
  return c?.upstream ?? DEFAULT_UPSTREAM;
}

/** Body chunks of an answer, with "{echo}" replaced by the request body. */
export function answerChunks(a: Answer, requestBody: string): string[] {
  const list = a.body === undefined ? [] : Array.isArray(a.body) ? a.body : [a.body];
  return list.map((b) => b.replaceAll("{echo}", requestBody)).filter((b) => b.length > 0);
}
