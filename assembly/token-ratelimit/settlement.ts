// What a finished (or abandoned) request costs, from what its response told:
//
//   usage reported, response complete     exactly the reported prompt + completion
//   failed upstream response (>= 400)     what it reported, else nothing (reservation released)
//   no usage, usage out of range, or the  an estimate, never zero: reported counts where
//   response ended early                  there are some in range, else the prompt estimate
//                                         and the estimate of the generated text that
//                                         arrived (UsageMeter; raw size / 4 when the body
//                                         could not be read)
//   no response at all (client gone)      the prompt estimate
// Every figure is at most MAX_REPORTED_TOKENS (usage) or an estimate of at
// most a few bytes' worth each, and the sums saturate: nothing here wraps.
import { JsonWriter } from "../common/json";
import { addSaturating } from "../common/saturating";
import { UsageMeter } from "./usage-meter";

export class Settlement {
  input: i64 = 0;
  output: i64 = 0;
  estimated: bool = false;
  estimatedTokens: i64 = 0;
  /** usage, estimate, failed, no_response */
  source: string = "usage";

  total(): i64 {
    return addSaturating(this.input, this.output);
  }
}

export function settlementOf(meter: UsageMeter | null, status: i32, promptEstimate: i64, complete: bool): Settlement {
  const s = new Settlement();
  if (meter === null) {
    s.source = "no_response";
    s.input = promptEstimate;
    s.estimated = true;
    s.estimatedTokens = promptEstimate;
    return s;
  }
  if (status >= 400) {
    s.source = "failed";
    s.input = max<i64>(meter.inputTokens, 0);
    s.output = max<i64>(meter.outputTokens, 0);
    return s;
  }
  if (meter.hasUsage && complete && !meter.rejectedUsage) {
    s.input = meter.inputTokens;
    s.output = meter.outputTokens;
    return s;
  }
  s.source = "estimate";
  s.estimated = true;
  if (meter.inputTokens >= 0) {
    s.input = meter.inputTokens;
  } else {
    s.input = promptEstimate;
    s.estimatedTokens = addSaturating(s.estimatedTokens, promptEstimate);
  }
  let text = meter.textEstimate;
  if (meter.unreadable) text = max<i64>(text, (meter.bytes + 3) / 4);
  if (meter.outputTokens >= text) {
    s.output = meter.outputTokens;
  } else {
    s.output = text;
    s.estimatedTokens = addSaturating(s.estimatedTokens, text - max<i64>(meter.outputTokens, 0));
  }
  return s;
}

/** The filter state written for the access log (wasm.token_ratelimit). */
export function stateJson(s: Settlement, reserved: i64): ArrayBuffer {
  const w = new JsonWriter(128);
  w.beginObject();
  w.key("reserved").int(reserved);
  w.key("prompt").int(s.input);
  w.key("completion").int(s.output);
  w.key("source").string(s.source);
  w.endObject();
  return w.toBytes();
}
