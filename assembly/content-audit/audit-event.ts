// The audit event of one request: who (route, consumer), what (model, API),
// and what the filter did (verdict, rules with match counts). Matched text
// appears only when `audit.include_matches` is on.
import { JsonWriter } from "../common/json";
import { AuditRecord } from "./record";
import { ACTION_NAMES } from "./rules";

export class RequestFacts {
  requestId: string = "";
  route: string = "";
  consumer: string = "";
  model: string = "";
  api: string = "";
  path: string = "";
}

/** Writes the audit event as UTF-8 JSON into `w` (filter state takes the bytes as they are). */
export function writeAuditEvent(w: JsonWriter, facts: RequestFacts, record: AuditRecord, includeMatches: bool): void {
  w.beginObject();
  w.key("request_id").string(facts.requestId);
  w.key("route").string(facts.route);
  w.key("consumer").string(facts.consumer);
  w.key("model").string(facts.model);
  w.key("api").string(facts.api);
  w.key("path").string(facts.path);
  w.key("verdict").string(record.verdictName());
  if (record.blocked) {
    w.key("blocked_by").string(record.blockedBy);
    w.key("blocked_in").string(record.blockedIn);
  }
  w.key("masked").int(record.masked);
  if (record.moderation.length > 0) w.key("moderation").string(record.moderation);
  if (record.completionModeration.length > 0) w.key("completion_moderation").string(record.completionModeration);
  w.key("rules").beginArray();
  for (let i = 0; i < record.counts.length; i++) {
    const c = unchecked(record.counts[i]);
    w.beginObject();
    w.key("id").string(c.rule.id);
    w.key("action").string(ACTION_NAMES[<i32>c.rule.action]);
    w.key("request").int(c.request);
    w.key("response").int(c.response);
    w.endObject();
  }
  w.endArray();
  if (includeMatches) {
    w.key("matches").beginArray();
    for (let i = 0; i < record.samples.length; i++) w.string(unchecked(record.samples[i]));
    w.endArray();
  }
  w.endObject();
}
