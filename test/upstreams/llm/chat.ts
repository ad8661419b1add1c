// POST /v1/chat/completions (OpenAI), JSON or SSE.
import { answer } from "./answer.ts";
import { BadRequest, type Exchange, optionalPositiveInt, requireModel, sendError, sseEvent } from "./exchange.ts";
import { CREATED, responseId } from "./ids.ts";
import { chatPrompt, promptTokens } from "./prompt.ts";

const FINGERPRINT = "fp_mock";

export async function chatCompletions(x: Exchange): Promise<void> {
  const model = requireModel(x);
  if (model instanceof BadRequest) return sendError(x, "openai", model);
  const maxTokens = optionalPositiveInt(x.body, "max_completion_tokens", "max_tokens");
  if (maxTokens instanceof BadRequest) return sendError(x, "openai", maxTokens);
  const prompt = chatPrompt(x.body);
  if ("error" in prompt) return sendError(x, "openai", new BadRequest(prompt.error, prompt.param));

  const a = answer({ model, question: prompt.question, tokens: x.knobs.completionTokens, reply: x.knobs.reply, maxTokens });
  const promptCount = promptTokens(prompt);
  const usage = { prompt_tokens: promptCount, completion_tokens: a.pieces.length, total_tokens: promptCount + a.pieces.length };
  const id = responseId("chatcmpl-", x.path, x.raw);

  if (x.body.stream !== true) {
    const body: Record<string, unknown> = {
      id,
      object: "chat.completion",
      created: CREATED,
      model,
      choices: [{ index: 0, message: { role: "assistant", content: a.text, refusal: null }, logprobs: null, finish_reason: a.finish }],
    };
    if (!x.knobs.omitUsage) body.usage = usage;
    body.system_fingerprint = FINGERPRINT;
    return x.out.json(200, body);
  }

  const opts = x.body.stream_options as Record<string, unknown> | undefined;
  const includeUsage = typeof opts === "object" && opts !== null && opts.include_usage === true;
  const chunk = (choices: unknown[], withUsage?: unknown) => {
    const c: Record<string, unknown> = { id, object: "chat.completion.chunk", created: CREATED, model, system_fingerprint: FINGERPRINT, choices };
    if (includeUsage) c.usage = withUsage ?? null;
    return sseEvent(c);
  };
  const events = [chunk([{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }])];
  for (const piece of a.pieces) {
    events.push(chunk([{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }]));
  }
  events.push(chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: a.finish }]));
  if (includeUsage && !x.knobs.omitUsage) events.push(chunk([], usage));
  events.push(sseEvent("[DONE]"));
  return x.out.sse(events);
}
