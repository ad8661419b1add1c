// The upstreams run standalone (the compose services and users do so).
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../../scripts/lib/paths.ts";

function runStandalone(file: string, args: string[]): Promise<{ url: string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, ["--import", "tsx", file, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${file} did not start: ${err}`));
    }, 30_000);
    child.stderr.on("data", (b: Buffer) => (err += b));
    child.stdout.on("data", (b: Buffer) => {
      out += b;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        url: m[1],
        stop: async () => {
          child.kill("SIGTERM");
          return exited;
        },
      });
    });
    child.once("exit", (code) => reject(new Error(`${file} exited with ${code}: ${err}`)));
  });
}

describe("standalone upstreams", () => {
  it("llm.ts serves on the given name and models, exits 0 on SIGTERM", async () => {
    const s = await runStandalone("test/upstreams/llm.ts", ["--port", "0", "--name", "cli-llm", "--models", "a,b"]);
    try {
      const res = await fetch(`${s.url}/v1/models`);
      expect(res.headers.get("x-upstream-name")).toBe("cli-llm");
      expect((await res.json()).data.map((m: { id: string }) => m.id)).toEqual(["a", "b"]);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  it("mcp.ts serves /mcp, exits 0 on SIGTERM", async () => {
    const s = await runStandalone("test/upstreams/mcp.ts", ["--port", "0", "--name", "cli-mcp"]);
    try {
      expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      const res = await fetch(s.url.replace(/\/mcp$/, "/__mock/health"));
      expect(await res.json()).toEqual({ status: "ok", name: "cli-mcp" });
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });
});
