// token-ratelimit: token-based limits for LLM APIs (see README.md).
export * from "../common/runtime/exports";
import { registerFilter, RootContext } from "../common/runtime/context";
import { TokenLimitRoot } from "./root";

registerFilter((id: u32): RootContext => new TokenLimitRoot());
