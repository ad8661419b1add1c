// The JSON layer: parser for untrusted bytes, writer, byte-level rewrites and
// the views filters read (LLM requests, token usage, JSON-RPC).
export * from "./errors";
export * from "./value";
export * from "./tape";
export * from "./parser";
export { ByteBuf } from "../bytes";
export * from "./writer";
export * from "./rewrite";
export * from "./llm";
export * from "./usage";
export * from "./jsonrpc";
