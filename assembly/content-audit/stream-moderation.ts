// External moderation of a streamed completion, in windows: the text sent
// on to the client is collected, and every `stream_window_chars` characters
// (and at the end of the stream) the window is sent to the moderation
// endpoint while the events keep flowing. A flagged window (or a failure
// under on_failure: block) ends the stream with the block error event at
// the next chunk; the end of the stream waits for the last windows'
// verdicts, so a completion never ends cleanly before it was moderated whole.
import { ModerationConfig, ModerationResult, ModerationVerdict } from "./moderation";

/** Moderation calls of one stream in flight at once; past it the window grows (up to max_input_chars). */
const MAX_IN_FLIGHT: i32 = 4;

export class StreamModeration {
  private window: Array<string> = new Array<string>();
  private windowChars: i32 = 0;
  /** Calls sent whose verdict has not arrived. */
  inFlight: i32 = 0;
  /** The verdict so far: "allowed", or the first "flagged: ..." / "failed: ..." that stops the stream. */
  verdict: string = "";
  /** A window was flagged (or failed under on_failure: block): the stream must end. */
  stop: bool = false;
  /** Windows sent. */
  windows: i32 = 0;

  constructor(public cfg: ModerationConfig) {}

  /** Text sent on to the client. */
  add(text: string): void {
    if (text.length == 0 || this.stop) return;
    this.window.push(text);
    this.windowChars += text.length;
  }

  /**
   * The next window to send, or null: a full window (at the end of the
   * stream, `end`, whatever is left), while fewer than MAX_IN_FLIGHT calls
   * wait. A window longer than max_input_chars (calls waited meanwhile) is
   * sent in parts: call take() until it returns null.
   */
  take(end: bool): string | null {
    if (this.stop || this.windowChars == 0) return null;
    if (!end && (this.windowChars < this.cfg.streamWindow || this.inFlight >= MAX_IN_FLIGHT)) return null;
    let text = this.window.join("");
    this.window.length = 0;
    this.windowChars = 0;
    const max = this.cfg.maxInput;
    if (text.length > max) {
      // What one call may carry; the rest is the next window.
      const rest = text.substring(max);
      text = text.substring(0, max);
      this.window.push(rest);
      this.windowChars = rest.length;
    }
    this.inFlight++;
    this.windows++;
    return text;
  }

  /** A window's verdict arrived. Returns true when the stream must now end. */
  result(r: ModerationResult): bool {
    if (this.inFlight > 0) this.inFlight--;
    if (this.stop) return false;
    if (r.verdict == ModerationVerdict.Allowed) {
      if (this.verdict.length == 0) this.verdict = "allowed";
      return false;
    }
    if (r.verdict == ModerationVerdict.Flagged) this.verdict = "flagged: " + r.detail;
    else {
      this.verdict = "failed: " + r.detail;
      if (this.cfg.failOpen) return false;
    }
    this.stop = true;
    return true;
  }
}
