// POST /v1/responses (OpenAI Responses API), JSON or SSE with typed events.
import { answer } from "./answer.ts";
import { BadRequest, type Exchange, optionalPositiveInt, requireModel, sendError, sseEvent } from "./exchange.ts";
import { CREATED, responseId } from "./ids.ts";
import { promptTokens, responsesPrompt } from "./prompt.ts";

export async function responses(x: Exchange): Promise<void> {
  const model = requireModel(x);
  if (model instanceof BadRequest) return sendError(x, "openai", model);
  const maxTokens = optionalPositiveInt(x.body, "max_output_tokens");
  if (maxTokens instanceof BadRequest) return sendError(x, "openai", maxTokens);
  const prompt = responsesPrompt(x.body);
  if ("error" in prompt) return sendError(x, "openai", new BadRequest(prompt.error, prompt.param));

  const a = answer({ model, question: prompt.question, tokens: x.knobs.completionTokens, reply: x.knobs.reply, maxTokens });
  const inputTokens = promptTokens(prompt);
  const usage = x.knobs.omitUsage
    ? null
    : {
        input_tokens: inputTokens,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: a.pieces.length,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: inputTokens + a.pieces.length,
      };
  const id = responseId("resp_", x.path, x.raw);
  const itemId = responseId("msg_", "item", x.path, x.raw);
  const complete = a.finish === "stop";
  const part = (text: string) => ({ type: "output_text", text, annotations: [] });
  const item = (status: string, content: unknown[]) => ({ id: itemId, type: "message", status, role: "assistant", content });
  const response = (status: string, output: unknown[], withUsage: unknown) => ({
    id,
    object: "response",
    created_at: CREATED,
    status,
    error: null,
    incomplete_details: status === "incomplete" ? { reason: "max_output_tokens" } : null,
    instructions: typeof x.body.instructions === "string" ? x.body.instructions : null,
    max_output_tokens: maxTokens ?? null,
    model,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    temperature: typeof x.body.temperature === "number" ? x.body.temperature : 1,
    text: { format: { type: "text" } },
    tool_choice: "auto",
    tools: [],
    top_p: typeof x.body.top_p === "number" ? x.body.top_p : 1,
    truncation: "disabled",
    usage: withUsage,
    metadata: {},
  });
  const finalStatus = complete ? "completed" : "incomplete";
  const finalItem = item(complete ? "completed" : "incomplete", [part(a.text)]);
  const final = response(finalStatus, [finalItem], usage);

  if (x.body.stream !== true) return x.out.json(200, final);

  let seq = 0;
  const ev = (type: string, fields: Record<string, unknown>) => sseEvent({ type, sequence_number: seq++, ...fields }, type);
  const at = { item_id: itemId, output_index: 0, content_index: 0 };
  const events = [
    ev("response.created", { response: response("in_progress", [], null) }),
    ev("response.in_progress", { response: response("in_progress", [], null) }),
    ev("response.output_item.added", { output_index: 0, item: item("in_progress", []) }),
    ev("response.content_part.added", { ...at, part: part("") }),
  ];
  for (const piece of a.pieces) events.push(ev("response.output_text.delta", { ...at, delta: piece, logprobs: [] }));
  events.push(
    ev("response.output_text.done", { ...at, text: a.text, logprobs: [] }),
    ev("response.content_part.done", { ...at, part: part(a.text) }),
    ev("response.output_item.done", { output_index: 0, item: finalItem }),
    ev(complete ? "response.completed" : "response.incomplete", { response: final }),
  );
  return x.out.sse(events);
}
