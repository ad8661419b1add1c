// content-audit: inspects prompts and completions (also streamed), blocks or
// masks what its rules find, and writes one audit event per request.
export * from "../common/runtime/exports";
import { registerFilter, RootContext } from "../common/runtime/context";
import { AuditRoot } from "./root";

registerFilter((id: u32): RootContext => new AuditRoot());
