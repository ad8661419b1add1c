// What every endpoint handler gets: the parsed request, the knobs and a
// responder, plus small validation helpers shared by the handlers.
import type { ErrorStyle } from "./errors.ts";
import { errorBody } from "./errors.ts";
import type { Knobs } from "./knobs.ts";
import type { Responder } from "./responder.ts";

export type Json = Record<string, unknown>;

export interface Exchange {
  path: string;
  /** The raw request body (ids are derived from it). */
  raw: string;
  body: Json;
  knobs: Knobs;
  out: Responder;
  models: readonly string[];
  /** Refuse models that are not in `models` (404 model_not_found). */
  strictModels: boolean;
}

/** A request field that failed validation: answered with a 400 (or 404 for an unknown model). */
export class BadRequest {
  constructor(
    readonly message: string,
    readonly param: string | null = null,
    readonly status = 400,
    readonly code: string | null = null,
  ) {}
}

export function sendError(x: Pick<Exchange, "out">, style: ErrorStyle, e: BadRequest): Promise<void> {
  return x.out.json(e.status, errorBody(style, e.status, { message: e.message, param: e.param, code: e.code }));
}

export function requireModel(x: Exchange): string | BadRequest {
  const model = x.body.model;
  if (typeof model !== "string" || model === "") return new BadRequest("you must provide a model parameter", "model");
  if (x.strictModels && !x.models.includes(model)) {
    return new BadRequest(`The model \`${model}\` does not exist`, "model", 404, "model_not_found");
  }
  return model;
}

/** The first of `names` present in the body, as a positive integer; undefined when none is set. */
export function optionalPositiveInt(body: Json, ...names: string[]): number | undefined | BadRequest {
  for (const name of names) {
    const v = body[name];
    if (v === undefined || v === null) continue;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) return new BadRequest(`'${name}' must be a positive integer`, name);
    return v;
  }
  return undefined;
}

/** One SSE event; `event` is the optional event name. */
export function sseEvent(data: unknown, event?: string): string {
  const payload = typeof data === "string" ? data : JSON.stringify(data);
  return (event ? `event: ${event}\n` : "") + `data: ${payload}\n\n`;
}
