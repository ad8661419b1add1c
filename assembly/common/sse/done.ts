// The OpenAI-style stream terminator: a final event whose data is `[DONE]`.
// (Anthropic streams end with `event: message_stop` instead; the Responses API
// with `response.completed`.) SseWriter.done() writes it.
import { SseEvent } from "./event";

export const DONE_DATA = "[DONE]";

/** True for the `data: [DONE]` event. */
export function isDone(ev: SseEvent): bool {
  return ev.hasData && ev.dataIs(DONE_DATA);
}

/** The terminator's bytes, `data: [DONE]\n\n`, as a new buffer. */
export function doneBytes(): ArrayBuffer {
  return String.UTF8.encode("data: [DONE]\n\n");
}
