// Pulls the prompt text out of the three request shapes the mock serves
// (OpenAI chat, OpenAI Responses, Anthropic Messages). Only text parts count:
// images, audio and tool schemas are ignored. The prompt's token count is the
// sum of the tokens of every text part (system/instructions included).
import { countTokens } from "./tokenizer.ts";

export interface Prompt {
  /** Every text part, in request order. */
  texts: string[];
  /** The last user text: what the answer is derived from. */
  question: string;
}

export type PromptResult = Prompt | { error: string; param: string };

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Text of a message content: a string, or an array of parts with a `text` string. */
function contentTexts(content: unknown): string[] | null {
  if (typeof content === "string") return [content];
  if (content === null || content === undefined) return [];
  if (!Array.isArray(content)) return null;
  const out: string[] = [];
  for (const part of content) {
    if (typeof part === "string") out.push(part);
    else if (isObject(part) && typeof part.text === "string") out.push(part.text);
    else if (isObject(part) && part.type === "tool_result") out.push(...(contentTexts(part.content) ?? []));
  }
  return out;
}

function fromMessages(messages: unknown, param: string, leading: string[]): PromptResult {
  if (!Array.isArray(messages) || messages.length === 0) {
    return { error: `'${param}' must be a non-empty array`, param };
  }
  const texts = [...leading];
  let question = "";
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (!isObject(m)) return { error: `'${param}[${i}]' must be an object`, param: `${param}[${i}]` };
    const parts = contentTexts(m.content);
    if (parts === null) return { error: `'${param}[${i}].content' must be a string or an array`, param: `${param}[${i}].content` };
    texts.push(...parts);
    if ((m.role ?? "user") === "user" && parts.length) question = parts.join("\n");
  }
  return { texts, question };
}

export function chatPrompt(body: Json): PromptResult {
  return fromMessages(body.messages, "messages", []);
}

export function responsesPrompt(body: Json): PromptResult {
  const leading = typeof body.instructions === "string" ? [body.instructions] : [];
  if (typeof body.input === "string") return { texts: [...leading, body.input], question: body.input };
  return fromMessages(body.input, "input", leading);
}

export function anthropicPrompt(body: Json): PromptResult {
  const system = contentTexts(body.system);
  if (system === null) return { error: "system: must be a string or an array of text blocks", param: "system" };
  return fromMessages(body.messages, "messages", system);
}

export function promptTokens(p: Prompt): number {
  let n = 0;
  for (const t of p.texts) n += countTokens(t);
  return n;
}
