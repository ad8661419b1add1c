// Packaging: same inputs give the same bytes and digests; the tar.gz is what
// standard tools read; the layouts round-trip.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sha256Digest } from "../../../scripts/oci/blob.ts";
import { higressImage, wasmImage } from "../../../scripts/oci/images.ts";
import { readLayout } from "../../../scripts/oci/layout.ts";
import * as MT from "../../../scripts/oci/media-types.ts";
import { packageInputs } from "../../../scripts/oci/package-filters.ts";
import { tarGzOneFile } from "../../../scripts/oci/tar.ts";
import { probeInputs } from "../../e2e/distribution/fixture-image.ts";
import { runScript, tempDir } from "../../e2e/distribution/tools.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(root, p)] = sha256Digest(readFileSync(p));
    }
  };
  walk(root);
  return out;
}

describe("reproducible packaging", () => {
  it("two runs on the same inputs write byte-identical layouts", async () => {
    const inputs = await probeInputs();
    const a = tempDir("repro-a-");
    const b = tempDir("repro-b-");
    dirs.push(a, b);
    const pa = packageInputs(inputs, a);
    await new Promise((r) => setTimeout(r, 1100)); // a different wall-clock second must not matter
    const pb = packageInputs(inputs, b);
    expect(tree(a)).toEqual(tree(b));
    // higress: 3 layers + config + manifest; wasm: module + config (also its first layer) + manifest; plus oci-layout and index.json each
    expect(Object.keys(tree(a))).toHaveLength(5 + 3 + 2 * 2);
    expect(pa.images.map((i) => i.manifest.digest)).toEqual(pb.images.map((i) => i.manifest.digest));
  });

  it("one changed byte of the module changes the module layers and manifests, not spec or README", async () => {
    const inputs = await probeInputs();
    const wasm = Buffer.from(inputs.wasm);
    wasm[wasm.length - 1] ^= 1;
    const before = higressImage(inputs);
    const after = higressImage({ ...inputs, wasm });
    expect(after.layers[0].digest).toBe(before.layers[0].digest);
    expect(after.layers[1].digest).toBe(before.layers[1].digest);
    expect(after.layers[2].digest).not.toBe(before.layers[2].digest);
    expect(after.manifest.digest).not.toBe(before.manifest.digest);
    expect(wasmImage({ ...inputs, wasm }).manifest.digest).not.toBe(wasmImage(inputs).manifest.digest);
  });

  it("a new version changes the manifests (annotation) but no layer", async () => {
    const inputs = await probeInputs();
    const v1 = wasmImage(inputs);
    const v2 = wasmImage({ ...inputs, version: "9.9.9" });
    expect(v2.layers.map((l) => l.digest)).toEqual(v1.layers.map((l) => l.digest));
    expect(v2.manifest.digest).not.toBe(v1.manifest.digest);
  });

  it("the npm run package CLI gives the same digests on a second run", async () => {
    const a = tempDir("cli-a-");
    const b = tempDir("cli-b-");
    dirs.push(a, b);
    const first = await runScript("package.ts", ["--fixtures", "--only", "probe", "--out", a]);
    const second = await runScript("package.ts", ["--fixtures", "--only", "probe", "--no-build", "--out", b]);
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    expect(first.stdout).toContain("warning: test/fixtures/probe/spec.yaml is missing");
    expect(first.stdout).toMatch(/^probe +higress +sha256:[0-9a-f]{64} +1 layer\(s\)/m);
    const digests = (out: string) => out.replace(/-> \S+\/probe\//g, "-> OUT/probe/");
    expect(digests(first.stdout)).toBe(digests(second.stdout));
    expect(tree(a)).toEqual(tree(b));
  });

  it("a full run replaces the output directory, so nothing stale is left to publish", async () => {
    const out = tempDir("cli-stale-");
    dirs.push(out);
    mkdirSync(join(out, "removed-filter", "wasm"), { recursive: true });
    writeFileSync(join(out, "removed-filter", "wasm", "oci-layout"), "{}");
    const res = await runScript("package.ts", ["--fixtures", "--no-build", "--out", out]);
    expect(res.code).toBe(0);
    expect(existsSync(join(out, "removed-filter"))).toBe(false);
    expect(existsSync(join(out, "probe", "wasm", "oci-layout"))).toBe(true);
  });

  it("the CLI names an unknown filter and exits 1", async () => {
    const res = await runScript("package.ts", ["--only", "no-such-filter", "--out", tempDir("cli-x-")]);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe("package failed: no filter named no-such-filter (looked for assembly/no-such-filter/index.ts)\n");
  });
});

describe("the plugin.wasm archive", () => {
  it("GNU tar lists one root-owned 0644 file dated 1970 and extracts the module unchanged", async () => {
    const { wasm } = await probeInputs();
    const dir = tempDir("tar-");
    dirs.push(dir);
    const path = join(dir, "plugin.tar.gz");
    writeFileSync(path, tarGzOneFile("plugin.wasm", wasm));
    const listing = execFileSync("tar", ["--numeric-owner", "--full-time", "-tvzf", path], { encoding: "utf8", env: { ...process.env, TZ: "UTC" } });
    expect(listing.trim()).toMatch(new RegExp(`^-rw-r--r-- 0/0 +${wasm.length} 1970-01-01 00:00:00 plugin\\.wasm$`));
    expect(execFileSync("tar", ["-xzOf", path, "plugin.wasm"])).toEqual(wasm);
  });

  it("has no timestamp or file name in the gzip header", () => {
    const gz = tarGzOneFile("plugin.wasm", Buffer.from("x"));
    expect([...gz.subarray(0, 4)]).toEqual([0x1f, 0x8b, 8, 0]); // magic, deflate, no FNAME/FCOMMENT flags
    expect(gz.readUInt32LE(4)).toBe(0);
  });
});

describe("layouts", () => {
  it("read back what was written: one manifest, tags version and latest, blobs verified", async () => {
    const inputs = await probeInputs();
    const out = tempDir("layout-");
    dirs.push(out);
    const p = packageInputs(inputs, out);
    const back = readLayout(p.dirs[0]);
    expect(back.tags).toEqual([inputs.version, "latest"]);
    expect(back.manifest.digest).toBe(p.images[0].manifest.digest);
    expect(back.blobs.map((b) => b.mediaType)).toEqual([MT.OCI_IMAGE_CONFIG, MT.HIGRESS_SPEC, MT.HIGRESS_README, MT.OCI_TAR_GZIP_LAYER]);
    expect(back.blobs[1].data.toString()).toBe(inputs.spec!.toString());
  });

  it("a Higress image without spec.yaml still ends with the module layer", async () => {
    const inputs = await probeInputs();
    const image = higressImage({ ...inputs, spec: undefined, readme: undefined });
    expect(image.layers.map((l) => l.mediaType)).toEqual([MT.OCI_TAR_GZIP_LAYER]);
  });

  it("a missing blob is named", async () => {
    const inputs = await probeInputs();
    const out = tempDir("layout-missing-");
    dirs.push(out);
    const p = packageInputs(inputs, out);
    rmSync(join(p.dirs[1], "blobs", "sha256", p.images[1].config.digest.slice(7)));
    expect(() => readLayout(p.dirs[1])).toThrow(`config ${p.images[1].config.digest} is missing from ${p.dirs[1]}`);
  });
});
