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
  const n = optionalPositiveInt(x.body, "n") ?? 1;
  if (n instanceof BadRequest || n > 128) return sendError(x, "openai", new BadRequest("'n' must be an integer from 1 to 128", "n"));
  const prompt = chatPrompt(x.body);
  if ("error" in prompt) return sendError(x, "openai", new BadRequest(prompt.error, prompt.param));

  const a = answer({ model, question: prompt.question, tokens: x.knobs.completionTokens, reply: x.knobs.reply, maxTokens });
  const promptCount = promptTokens(prompt);
  // n choices: the same answer n times (the mock is deterministic), each counted.
  const choiceIndexes = Array.from({ length: n }, (_, i) => i);
  const completionCount = n * a.pieces.length;
  const usage = { prompt_tokens: promptCount, completion_tokens: completionCount, total_tokens: promptCount + completionCount };
  const id = responseId("chatcmpl-", x.path, x.raw);

  if (x.body.stream !== true) {
    const body: Record<string, unknown> = {
      id,
      object: "chat.completion",
      created: CREATED,
      model,
      choices: choiceIndexes.map((index) => ({ index, message: { role: "assistant", content: a.text, refusal: null }, logprobs: null, finish_reason: a.finish })),
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
  const events = choiceIndexes.map((index) => chunk([{ index, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }]));
  for (const piece of a.pieces) {
    for (const index of choiceIndexes) events.push(chunk([{ index, delta: { content: piece }, logprobs: null, finish_reason: null }]));
  }
  for (const index of choiceIndexes) events.push(chunk([{ index, delta: {}, logprobs: null, finish_reason: a.finish }]));
  if (includeUsage && !x.knobs.omitUsage) events.push(chunk([], usage));
  events.push(sseEvent("[DONE]"));
  return x.out.sse(events);
}
