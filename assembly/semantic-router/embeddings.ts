// The optional embedding service: an OpenAI-compatible POST /v1/embeddings
// behind an Envoy cluster. Routes that opt in (`routes[].embeddings`) are
// scored by cosine similarity between the request's embedding and their
// examples' embeddings; the local classifier decides whenever the service
// is slow, down or answers nonsense.
//
// One cache of text -> vector per VM serves both sides: the first request
// sends its text plus the examples not embedded yet in one call, later ones
// only their own text, and a repeated text none. The examples stay cached
// (they are pinned); request texts are dropped in bulk when the cache fills.
import { JsonKind, JsonValue, JsonWriter, parseJson } from "../common/json";
import { ServiceTarget } from "../common/config";
import { HeaderPair } from "../common/runtime/host";

export class EmbeddingsConfig extends ServiceTarget {
  model: string = "";
  apiKey: string = "";
  threshold: f64 = 0.5;
  /** A route's score is the mean of its `neighbors` most similar examples (fewer when it has fewer). */
  neighbors: i32 = 1;
  cacheEntries: i32 = 1024;

  constructor() {
    super("/v1/embeddings", "", 300);
  }
}

export class EmbeddingCache {
  private pinned: Map<string, Float64Array> = new Map<string, Float64Array>();
  private recent: Map<string, Float64Array> = new Map<string, Float64Array>();

  constructor(public capacity: i32) {}

  get(text: string): Float64Array | null {
    if (this.pinned.has(text)) return this.pinned.get(text);
    if (this.recent.has(text)) return this.recent.get(text);
    return null;
  }

  put(text: string, v: Float64Array, pin: bool): void {
    if (pin) {
      this.pinned.set(text, v);
      return;
    }
    if (this.recent.size >= this.capacity) this.recent.clear();
    this.recent.set(text, v);
  }
}

/** The call's headers: POST to `path` on the cluster's authority, JSON, optional bearer key. */
export function embeddingHeaders(cfg: EmbeddingsConfig): Array<HeaderPair> {
  const h = new Array<HeaderPair>();
  h.push(new HeaderPair(":method", "POST"));
  h.push(new HeaderPair(":path", cfg.path));
  h.push(new HeaderPair(":authority", cfg.authority));
  h.push(new HeaderPair("content-type", "application/json"));
  if (cfg.apiKey.length > 0) h.push(new HeaderPair("authorization", "Bearer " + cfg.apiKey));
  return h;
}

export function embeddingRequest(cfg: EmbeddingsConfig, inputs: Array<string>): ArrayBuffer {
  const w = new JsonWriter();
  w.beginObject();
  if (cfg.model.length > 0) w.key("model").string(cfg.model);
  w.key("encoding_format").string("float");
  w.key("input").beginArray();
  for (let i = 0; i < inputs.length; i++) w.string(inputs[i]);
  w.endArray();
  w.endObject();
  return w.toBytes();
}

/** One unit vector per input, in input order; null when the answer is not a complete embeddings list. */
export function parseEmbeddings(body: ArrayBuffer, count: i32): Array<Float64Array> | null {
  const parsed = parseJson(body);
  const doc = parsed.doc;
  if (doc === null) return null;
  const data = doc.root.get("data");
  if (data === null || data.kind != JsonKind.Array || data.length != count) return null;
  const out = new Array<Float64Array>(count);
  const seen = new Array<bool>(count);
  let dims = -1;
  const items = JsonValue.items(data);
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const indexValue = item.get("index");
    const index = indexValue === null ? i : <i32>indexValue.toI64(-1);
    const vector = item.get("embedding");
    if (index < 0 || index >= count || seen[index] || vector === null || vector.kind != JsonKind.Array) return null;
    if (dims < 0) dims = vector.length;
    if (vector.length != dims || dims == 0) return null;
    const v = new Float64Array(dims);
    const xs = JsonValue.items(vector);
    let norm2: f64 = 0;
    for (let k = 0; k < xs.length; k++) {
      if (xs[k].kind != JsonKind.Number) return null;
      const x = xs[k].toF64();
      v[k] = x;
      norm2 += x * x;
    }
    if (norm2 == 0) return null;
    const inv = 1 / Math.sqrt(norm2);
    for (let k = 0; k < dims; k++) v[k] *= inv;
    out[index] = v;
    seen[index] = true;
  }
  return out;
}

/** Cosine similarity of two unit vectors (0 when their sizes differ). */
export function cosine(a: Float64Array, b: Float64Array): f64 {
  if (a.length != b.length) return 0;
  let s: f64 = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
