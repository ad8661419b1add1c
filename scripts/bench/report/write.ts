// Writes a run's results: <out>/<timestamp>.json, latest.json, latest.md,
// latest.svg and, when @resvg/resvg-js is installed, latest.png.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BenchResults } from "../results.ts";
import { renderChart } from "./chart.ts";
import { renderMarkdown } from "./table.ts";

/** "2026-11-23T22-41-07Z": an ISO time that is safe as a file name. */
export function stamp(iso: string): string {
  return iso.replace(/\.\d+Z$/, "Z").replaceAll(":", "-");
}

async function toPng(svg: string): Promise<Buffer | null> {
  try {
    const { Resvg } = await import("@resvg/resvg-js");
    return Buffer.from(new Resvg(svg, { background: "#ffffff", font: { loadSystemFonts: true } }).render().asPng());
  } catch {
    return null;
  }
}

export interface Written {
  files: string[];
  markdown: string;
}

export async function writeResults(results: BenchResults, outDir: string): Promise<Written> {
  mkdirSync(outDir, { recursive: true });
  const json = JSON.stringify(results, null, 2) + "\n";
  const markdown = renderMarkdown(results);
  const svg = renderChart(results);
  const files = [
    join(outDir, `${stamp(results.meta.startedAt)}.json`),
    join(outDir, "latest.json"),
    join(outDir, "latest.md"),
    join(outDir, "latest.svg"),
  ];
  writeFileSync(files[0], json);
  writeFileSync(files[1], json);
  writeFileSync(files[2], markdown);
  writeFileSync(files[3], svg);
  const png = await toPng(svg);
  if (png) {
    const path = join(outDir, "latest.png");
    writeFileSync(path, png);
    files.push(path);
  }
  return { files, markdown };
}
