// semantic-router: classifies what an LLM request asks and routes it to the
// model and cluster configured for that kind of request (README.md).
export * from "../common/runtime/exports";
import { registerFilter, RootContext } from "../common/runtime/context";
import { RouterRoot } from "./root";

registerFilter((id: u32): RootContext => new RouterRoot());
