// Readings from /proc (Linux): a process's CPU time and memory, and the
// whole machine's CPU time, so a bench cell can report what Envoy consumed.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

export interface ProcCpu {
  /** utime + stime of all threads, in clock ticks. */
  ticks: number;
}

export interface ProcMemory {
  /** Resident set size now (VmRSS), KiB. */
  rssKb: number;
  /** Peak resident set size since start (VmHWM), KiB. */
  hwmKb: number;
}

export interface HostCpu {
  busyTicks: number;
  totalTicks: number;
}

/** utime+stime from the text of /proc/<pid>/stat. The command name may hold spaces and parentheses. */
export function parseProcStat(text: string): ProcCpu {
  const close = text.lastIndexOf(")");
  if (close < 0) throw new Error("malformed /proc/<pid>/stat: no command name");
  // Fields after the name start at field 3 (state); utime and stime are fields 14 and 15.
  const rest = text.slice(close + 2).trim().split(/\s+/);
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error("malformed /proc/<pid>/stat: no utime/stime");
  return { ticks: utime + stime };
}

/** VmRSS and VmHWM (KiB) from the text of /proc/<pid>/status. */
export function parseProcStatus(text: string): ProcMemory {
  const kb = (key: string): number => {
    const m = new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, "m").exec(text);
    if (!m) throw new Error(`no ${key} in /proc/<pid>/status`);
    return Number(m[1]);
  };
  return { rssKb: kb("VmRSS"), hwmKb: kb("VmHWM") };
}

/** Busy and total ticks over all cores from the "cpu" line of /proc/stat. */
export function parseHostStat(text: string): HostCpu {
  const line = text.split("\n").find((l) => l.startsWith("cpu "));
  if (!line) throw new Error("no cpu line in /proc/stat");
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user/nice)
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const total = v.slice(0, 8).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  return { busyTicks: total - idle, totalTicks: total };
}

export function readProcCpu(pid: number): ProcCpu {
  return parseProcStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
}

export function readProcMemory(pid: number): ProcMemory {
  return parseProcStatus(readFileSync(`/proc/${pid}/status`, "utf8"));
}

export function readHostCpu(): HostCpu {
  return parseHostStat(readFileSync("/proc/stat", "utf8"));
}

let ticksCache: number | undefined;

/** Clock ticks per second (USER_HZ), 100 on nearly every Linux. */
export function clockTicks(): number {
  if (ticksCache === undefined) {
    try {
      ticksCache = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksCache = 100;
    }
  }
  return ticksCache;
}
