// The rate limit service's configuration for a token-ratelimit plugin
// configuration: one descriptor per limit and window, "<limit>_<window>",
// whose requests_per_unit is the window's token budget. Values stay open
// (no `value:`), so the service keeps one counter per budget identity, as the
// filter does locally.
interface Limit {
  name: string;
  windows: Partial<Record<"second" | "minute" | "hour" | "day", number>>;
}

export function serviceConfigYaml(domain: string, plugin: { limits: Limit[] }): string {
  const lines = [`domain: ${domain}`, "descriptors:"];
  for (const l of plugin.limits) {
    for (const [window, tokens] of Object.entries(l.windows)) {
      lines.push(`  - key: ${l.name}_${window}`);
      lines.push(`    rate_limit: {unit: ${window}, requests_per_unit: ${tokens}}`);
    }
  }
  return lines.join("\n") + "\n";
}
