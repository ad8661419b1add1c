// Parse errors with stable codes: filters map them to replies and metrics, so
// the code strings are part of the public contract and never change.
import { decimal } from "../text/decimal";

export const ERR_SYNTAX = "syntax";
export const ERR_TRUNCATED = "truncated";
export const ERR_DEPTH = "depth";
export const ERR_TOO_LARGE = "too_large";
export const ERR_UTF8 = "utf8";
export const ERR_NUMBER = "number";
export const ERR_ESCAPE = "escape";

export class JsonError {
  constructor(
    /** One of the ERR_* codes. */
    public code: string,
    /** Byte offset in the input where the problem was found. */
    public offset: i32,
    public message: string,
  ) {}

  toString(): string {
    return this.code + " at byte " + decimal(this.offset) + ": " + this.message;
  }
}
