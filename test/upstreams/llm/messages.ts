// POST /v1/messages (Anthropic Messages API), JSON or SSE.
import { answer } from "./answer.ts";
import { BadRequest, type Exchange, optionalPositiveInt, requireModel, sendError, sseEvent } from "./exchange.ts";
import { responseId } from "./ids.ts";
import { anthropicPrompt, promptTokens } from "./prompt.ts";

export async function messages(x: Exchange): Promise<void> {
  const model = requireModel(x);
  if (model instanceof BadRequest) return sendError(x, "anthropic", model);
  const maxTokens = optionalPositiveInt(x.body, "max_tokens");
  if (maxTokens instanceof BadRequest) return sendError(x, "anthropic", maxTokens);
  if (maxTokens === undefined) return sendError(x, "anthropic", new BadRequest("max_tokens: Field required", "max_tokens"));
  const prompt = anthropicPrompt(x.body);
  if ("error" in prompt) return sendError(x, "anthropic", new BadRequest(prompt.error, prompt.param));

  const a = answer({ model, question: prompt.question, tokens: x.knobs.completionTokens, reply: x.knobs.reply, maxTokens });
  const inputTokens = promptTokens(prompt);
  const stopReason = a.finish === "stop" ? "end_turn" : "max_tokens";
  const id = responseId("msg_", x.path, x.raw);
  const message = (content: unknown[], stop: string | null, outputTokens: number) => {
    const m: Record<string, unknown> = { id, type: "message", role: "assistant", model, content, stop_reason: stop, stop_sequence: null };
    if (!x.knobs.omitUsage) m.usage = { input_tokens: inputTokens, output_tokens: outputTokens };
    return m;
  };

  if (x.body.stream !== true) return x.out.json(200, message([{ type: "text", text: a.text }], stopReason, a.pieces.length));

  const ev = (type: string, fields: Record<string, unknown> = {}) => sseEvent({ type, ...fields }, type);
  const delta: Record<string, unknown> = { delta: { stop_reason: stopReason, stop_sequence: null } };
  if (!x.knobs.omitUsage) delta.usage = { output_tokens: a.pieces.length };
  const events = [
    ev("message_start", { message: message([], null, 0) }),
    ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
    ev("ping"),
  ];
  for (const piece of a.pieces) events.push(ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: piece } }));
  events.push(ev("content_block_stop", { index: 0 }), ev("message_delta", delta), ev("message_stop"));
  return x.out.sse(events, "anthropic");
}
