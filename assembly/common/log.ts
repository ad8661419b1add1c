// Leveled logging through proxy_log, prefixed with the filter name.
//
// Guard messages that cost something to build:
//   if (log.isEnabled(LogLevel.Debug)) log.debug("picked " + model);
// The level comes from proxy_get_log_level (Envoy's wasm logger level) and is
// cached for LEVEL_REFRESH checks, so a change made through Envoy's admin
// /logging endpoint shows after at most that many checks; refreshLogLevel()
// reads it again at once (e.g. at the start of a request).
import { hostLog, hostLogLevel, LogLevel } from "./runtime/host";

export { LogLevel };

const LEVEL_REFRESH: i32 = 64;
let cachedLevel: i32 = -1;
let checksLeft: i32 = 0;

/** The host's current level, refreshed every LEVEL_REFRESH calls. */
export function logLevel(): LogLevel {
  if (checksLeft <= 0 || cachedLevel < 0) refreshLogLevel();
  checksLeft--;
  return <LogLevel>cachedLevel;
}

export function refreshLogLevel(): void {
  cachedLevel = <i32>hostLogLevel();
  checksLeft = LEVEL_REFRESH;
}

export class Logger {
  private prefix: string;

  constructor(name: string) {
    this.prefix = name.length == 0 ? "" : "[" + name + "] ";
  }

  isEnabled(level: LogLevel): bool {
    return <i32>level >= <i32>logLevel();
  }

  log(level: LogLevel, message: string): void {
    if (!this.isEnabled(level)) return;
    hostLog(level, this.prefix + message);
  }

  trace(message: string): void {
    this.log(LogLevel.Trace, message);
  }

  debug(message: string): void {
    this.log(LogLevel.Debug, message);
  }

  info(message: string): void {
    this.log(LogLevel.Info, message);
  }

  warn(message: string): void {
    this.log(LogLevel.Warn, message);
  }

  error(message: string): void {
    this.log(LogLevel.Error, message);
  }

  critical(message: string): void {
    this.log(LogLevel.Critical, message);
  }
}
