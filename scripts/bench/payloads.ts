// Deterministic OpenAI chat-completion request bodies of an exact byte size.
// A support conversation about a deployment problem: a system prompt, earlier
// turns, and a final user question that is padded or trimmed so the whole
// JSON body has exactly the requested length. Same inputs, same bytes.

export type PayloadMode = "json" | "sse";

export interface Payload {
  /** Short label for tables, e.g. "1K". */
  label: string;
  bytes: number;
  mode: PayloadMode;
  body: string;
}

export const PAYLOAD_SIZES: Record<string, number> = { "1K": 1024, "32K": 32 * 1024 };

const MODEL = "gpt-4o-mini";

const SYSTEM =
  "You are a senior site-reliability engineer helping a platform team run an API gateway. " +
  "Answer precisely, cite the configuration keys you change, and say \"I don't know\" when unsure.";

// Turns of the conversation, cycled in order. Some carry quotes, newlines and
// non-ASCII text so the body exercises JSON escapes and multi-byte UTF-8.
const USER_TURNS = [
  "Our gateway returns 503 for about 2% of requests since Tuesday's rollout. Where do I start?",
  "The upstream cluster shows `upstream_cx_connect_fail` climbing, but the pods look healthy.",
  "Here is the cluster block:\n  connect_timeout: 0.25s\n  lb_policy: LEAST_REQUEST\n  circuit_breakers: {max_pending_requests: 64}",
  "Latency p99 went from 180 ms to 1.4 s on the \"checkout\" route only. Other routes are fine.",
  "We also see retries: x-envoy-attempt-count is often 3. Is that the cause or a symptom?",
  "Die Kollegen in München melden dasselbe Problem für die Region eu-central — gleiche Ursache?",
  "Could the new rate-limit filter be buffering bodies? Requests to /v1/chat/completions are ~30 KB.",
  "Show me how to check whether the outlier detection ejected hosts during the incident window.",
];

const ASSISTANT_TURNS = [
  "Start with the upstream side: compare `upstream_rq_503` to `upstream_cx_connect_fail` per host. If connect failures dominate, the pool or the network is the problem, not the app.",
  "A 0.25 s connect timeout is tight under load. Raise it to 1 s, and check `upstream_cx_overflow`: with max_pending_requests at 64 you may be shedding load in the breaker.",
  "Route-specific latency usually means a filter or a timeout on that route. Look at `x-envoy-upstream-service-time` against total time to split gateway time from app time.",
  "Retries amplify load on a struggling upstream. Cap them with a retry budget (budget_percent 20) and only retry on connect-failure and refused-stream.",
  "Yes, the same signature in eu-central suggests a shared dependency — probably the config push, not the region. Diff the cluster config between the two rollouts.",
  "A filter that buffers the whole body adds memory per request and delays the first upstream byte. Check the filter's stats and per_connection_buffer_limit_bytes (1 MiB by default).",
];

const FINAL_QUESTION =
  "Given all of the above, list the three changes you would make first, in order, with the exact config keys. Context from our runbook follows: ";

// Plain ASCII filler: needs no JSON escaping, so its byte count is its length.
const FILLER_WORDS = [
  "gateway", "cluster", "listener", "route", "timeout", "retry", "budget", "outlier", "ejection", "latency",
  "upstream", "downstream", "connection", "pool", "breaker", "pending", "request", "stream", "header", "body",
];

interface Message {
  role: "system" | "user" | "assistant";
  content: string;
}

function request(messages: Message[], mode: PayloadMode): Record<string, unknown> {
  const req: Record<string, unknown> = { model: MODEL, messages, temperature: 0.2, max_tokens: 256 };
  if (mode === "sse") {
    req.stream = true;
    req.stream_options = { include_usage: true };
  }
  return req;
}

function byteLength(v: unknown): number {
  return Buffer.byteLength(JSON.stringify(v), "utf8");
}

function filler(length: number): string {
  let out = "";
  for (let i = 0; out.length < length; i++) out += (out ? " " : "") + FILLER_WORDS[(i * 7) % FILLER_WORDS.length];
  return out.slice(0, length);
}

/** A chat request whose JSON body is exactly `bytes` long (UTF-8). */
export function chatBody(bytes: number, mode: PayloadMode): string {
  const messages: Message[] = [{ role: "system", content: SYSTEM }];
  const final: Message = { role: "user", content: FINAL_QUESTION };
  // Add whole turns while they fit, leaving the final question room to grow.
  for (let turn = 0; ; turn++) {
    const user: Message = { role: "user", content: USER_TURNS[turn % USER_TURNS.length] };
    const assistant: Message = { role: "assistant", content: ASSISTANT_TURNS[turn % ASSISTANT_TURNS.length] };
    const next = [...messages, user, assistant];
    if (byteLength(request([...next, final], mode)) > bytes) break;
    messages.push(user, assistant);
  }
  const base = byteLength(request([...messages, final], mode));
  if (base > bytes) {
    // Too small for even the final question: trim it (ASCII only, so length = bytes).
    final.content = FINAL_QUESTION.slice(0, Math.max(0, FINAL_QUESTION.length - (base - bytes)));
  } else {
    final.content += filler(bytes - base);
  }
  const body = JSON.stringify(request([...messages, final], mode));
  const size = Buffer.byteLength(body, "utf8");
  if (size !== bytes) throw new Error(`chat body is ${size} bytes, wanted ${bytes}`);
  return body;
}

export function payload(label: string, mode: PayloadMode): Payload {
  const bytes = PAYLOAD_SIZES[label];
  if (bytes === undefined) throw new Error(`unknown payload size ${label} (known: ${Object.keys(PAYLOAD_SIZES).join(", ")})`);
  return { label, bytes, mode, body: chatBody(bytes, mode) };
}
