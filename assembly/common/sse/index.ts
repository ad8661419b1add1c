export { ByteBuf } from "../bytes";
export { SseEvent } from "./event";
export { SseParser, SseStatus } from "./parser";
export { SseWriter } from "./writer";
export { DONE_DATA, isDone, doneBytes } from "./done";
