// The module's abort handler (wired with `--use abort=filter_abort`). An abort
// is always a bug: it is logged at critical through proxy_log so the e2e
// harness and operators see it, then the VM traps.
import * as abi from "@gcoredev/proxy-wasm-sdk-as/assembly/imports";
import { decimal } from "../text/decimal";

// @ts-ignore: decorator
@global
export function filter_abort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let text = "filter abort: " + (message === null ? "" : message);
  if (fileName !== null) text += " at " + fileName + ":" + decimal(line) + ":" + decimal(column);
  const buf = String.UTF8.encode(text);
  abi.proxy_log(5, changetype<usize>(buf), buf.byteLength);
  unreachable();
}
