// What each curl line the demo prints (demoCommands in scripts/start.ts)
// must produce: shared by the demo run natively (demo.test.ts) and as
// containers through docker compose (container/compose.test.ts).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect } from "vitest";
import type { DemoCommand } from "../../scripts/start.ts";
import { countTokens } from "../upstreams/llm.ts";

const run = promisify(execFile);

export function sseData(text: string): string[] {
  return text
    .split("\n")
    .filter((l) => l.startsWith("data: "))
    .map((l) => l.slice(6));
}

/** What each printed curl line must produce. A new printed line needs a check here. */
export const DEMO_CHECKS: Record<string, (out: string) => void> = {
  "Chat completion (OpenAI)": (out) => {
    const body = JSON.parse(out);
    expect(body.object).toBe("chat.completion");
    expect(body.usage.completion_tokens).toBe(countTokens(body.choices[0].message.content));
  },
  "Streaming chat completion with usage (SSE)": (out) => {
    const data = sseData(out);
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");
    expect(chunks.at(-1).usage.completion_tokens).toBe(countTokens(text));
  },
  "Anthropic Messages": (out) => {
    const body = JSON.parse(out);
    expect(body.type).toBe("message");
    expect(body.usage.output_tokens).toBe(countTokens(body.content[0].text));
  },
  "Token budget of an API key (token-ratelimit: x-ratelimit-*-tokens headers)": (out) => {
    expect(out).toMatch(/^HTTP\/1\.1 200/);
    expect(out).toMatch(/^x-ratelimit-limit-tokens: 100000\r?$/m);
    expect(Number(/^x-ratelimit-remaining-tokens: (\d+)\r?$/m.exec(out)?.[1])).toBeLessThan(100000);
    // Under a second left in the window reads "834ms" (formatDuration).
    expect(out).toMatch(/^x-ratelimit-reset-tokens: (\d+ms|\d+s|1m0s)\r?$/m);
  },
  "Personal data masked on the way in (content-audit: the upstream, and so the answer, sees [EMAIL])": (out) => {
    const content = JSON.parse(out).choices[0].message.content;
    expect(content).toContain("My email is [EMAIL], can you help?");
    expect(out).not.toContain("jane.doe@example.com");
  },
  "Semantic routing: model auto, a banking question -> finance model on cluster llm-alt (x-semantic-route: alt)": (out) => {
    expect(out).toMatch(/^HTTP\/1\.1 200/);
    expect(out).toMatch(/^x-upstream-name: llm-alt\r?$/m);
    expect(out).toMatch(/^x-semantic-route: alt\r?$/m);
    expect(out).toContain('"model":"demo-finance"');
  },
  "Semantic routing: model auto, a hard multi-step question -> reasoning model": (out) => {
    expect(out).toMatch(/^HTTP\/1\.1 200/);
    expect(out).toMatch(/^x-upstream-name: llm\r?$/m);
    expect(out).toMatch(/^x-semantic-route: reasoning\r?$/m);
    expect(out).toContain('"model":"demo-reasoning"');
  },
  "MCP without an API key (mcp-auth: 401 pointing at the resource metadata)": (out) => {
    expect(out).toMatch(/^HTTP\/1\.1 401/);
    expect(out).toMatch(/^www-authenticate: Bearer resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp"\r?$/m);
  },
  "MCP initialize (Streamable HTTP; note the mcp-session-id header)": (out) => {
    expect(out).toMatch(/^HTTP\/1\.1 200/);
    expect(out).toMatch(/^mcp-session-id: \S+/m);
    const result = JSON.parse(sseData(out)[0]).result;
    expect(result.serverInfo.name).toBe("mcp-servers/everything");
  },
  "Envoy stats (requests per cluster)": (out) => {
    expect(out).toMatch(/^cluster\.llm\.upstream_rq_total: \d+$/m);
    expect(out).toMatch(/^cluster\.mcp\.upstream_rq_total: \d+$/m);
  },
};


/** Runs one printed line with bash and checks its output; the error names the line and shows the output. */
export async function runDemoCommand(c: DemoCommand): Promise<void> {
  const check = DEMO_CHECKS[c.title];
  if (!check) throw new Error(`no check for the printed line "${c.title}"`);
  const { stdout } = await run("bash", ["-c", c.command], { timeout: 20_000 });
  try {
    check(stdout);
  } catch (e) {
    throw new Error(`${c.title}\n$ ${c.command}\n${stdout.slice(0, 2000)}\n${(e as Error).message}`);
  }
}
