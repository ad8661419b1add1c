// content-audit: inspects prompts and completions (also streamed), blocks or
// masks what its rules find, and writes one audit event per request.
export * from "../common/runtime/exports";
import { registerFilter, RootContext } from "../common/runtime/context";
import { AuditRoot } from "./root";

registerFilter((id: u32): RootContext => new AuditRoot());
// A work measure tests read: units of streamed text scanned (linear in the stream).
export { content_audit_scanned_units } from "./sse-audit";
