// POST /v1/embeddings (OpenAI). Pseudo-embeddings: every character trigram of
// the lower-cased, space-padded text is hashed (FNV-1a) to a bucket and a
// sign, the counts are L2-normalised and rounded to float32. Texts sharing
// many trigrams get a high cosine similarity; same text, same vector.
import { BadRequest, type Exchange, requireModel, sendError } from "./exchange.ts";
import { countTokens } from "./tokenizer.ts";

export const DEFAULT_DIMENSIONS = 256;
const MAX_DIMENSIONS = 4096;
const NGRAM = 3;

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function embed(text: string, dimensions = DEFAULT_DIMENSIONS): Float32Array {
  const v = new Float64Array(dimensions);
  const chars = [...` ${text.toLowerCase().replace(/\s+/g, " ").trim()} `];
  for (let i = 0; i + NGRAM <= chars.length; i++) {
    const h = fnv1a(chars.slice(i, i + NGRAM).join(""));
    v[h % dimensions] += h & 0x80000000 ? -1 : 1;
  }
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  const out = new Float32Array(dimensions);
  if (norm > 0) for (let i = 0; i < dimensions; i++) out[i] = v[i] / norm;
  return out;
}

/** The inputs as texts plus their token counts; token-id arrays count one token per id. */
function inputs(input: unknown): { text: string; tokens: number }[] | BadRequest {
  const bad = new BadRequest("'input' must be a string, an array of strings, or an array of token arrays", "input");
  const one = (v: unknown) => {
    if (typeof v === "string") return { text: v, tokens: countTokens(v) };
    if (Array.isArray(v) && v.every((n) => Number.isInteger(n))) return { text: v.join(" "), tokens: v.length };
    return null;
  };
  if (typeof input === "string") return [{ text: input, tokens: countTokens(input) }];
  if (!Array.isArray(input) || input.length === 0) return bad;
  if (input.every((n) => Number.isInteger(n))) return [{ text: input.join(" "), tokens: input.length }];
  const out = [];
  for (const v of input) {
    const e = one(v);
    if (e === null) return bad;
    out.push(e);
  }
  return out;
}

export async function embeddings(x: Exchange): Promise<void> {
  const model = requireModel(x);
  if (model instanceof BadRequest) return sendError(x, "openai", model);
  const items = inputs(x.body.input);
  if (items instanceof BadRequest) return sendError(x, "openai", items);
  const dims = x.body.dimensions ?? DEFAULT_DIMENSIONS;
  if (typeof dims !== "number" || !Number.isInteger(dims) || dims < 1 || dims > MAX_DIMENSIONS) {
    return sendError(x, "openai", new BadRequest(`'dimensions' must be an integer from 1 to ${MAX_DIMENSIONS}`, "dimensions"));
  }
  const format = x.body.encoding_format ?? "float";
  if (format !== "float" && format !== "base64") {
    return sendError(x, "openai", new BadRequest("'encoding_format' must be 'float' or 'base64'", "encoding_format"));
  }
  const data = items.map((item, index) => {
    const v = embed(item.text, dims);
    const embedding = format === "base64" ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64") : Array.from(v);
    return { object: "embedding", index, embedding };
  });
  const tokens = items.reduce((n, i) => n + i.tokens, 0);
  const body: Record<string, unknown> = { object: "list", data, model };
  if (!x.knobs.omitUsage) body.usage = { prompt_tokens: tokens, total_tokens: tokens };
  return x.out.json(200, body);
}
