// common/text/decimal against JavaScript's own BigInt printing: every i64
// edge and a seeded sample of random values, each sign and digit count.
import { beforeAll, describe, expect, it } from "vitest";
import { build } from "../../../scripts/build.ts";
import { wasmPath } from "../../../scripts/lib/paths.ts";
import { loadKit, type Kit } from "../../host/kit.ts";

let kit: Kit;

beforeAll(async () => {
  await build({ only: "kit-text", quiet: true });
  kit = loadKit(wasmPath("kit-text", { fixture: true }));
}, 120_000);

function halves(v: bigint): string {
  const u = BigInt.asUintN(64, v);
  return `${u >> 32n} ${u & 0xffffffffn}`;
}

describe("decimal(i64)", () => {
  it("prints what BigInt prints, for the edges and 5,000 seeded random values", () => {
    const values: bigint[] = [0n, 1n, -1n, 9n, 10n, -10n, 99n, 100n, 2n ** 31n - 1n, -(2n ** 31n), 2n ** 32n, 2n ** 63n - 1n, -(2n ** 63n), -(2n ** 63n) + 1n];
    for (let d = 1n; d < 10n ** 19n; d *= 10n) values.push(d - 1n, d, -d, 1n - d);
    let seed = 0x9e3779b9;
    const next = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return BigInt(seed >>> 0);
    };
    // Random bit widths, so short and long values are both common.
    for (let i = 0; i < 5000; i++) values.push(BigInt.asIntN(64, ((next() << 32n) | next()) >> (next() % 64n)));
    const printed = kit.callText("text_decimal", values.map(halves).join("\n")).split("\n");
    expect(printed).toEqual(values.map((v) => BigInt.asIntN(64, v).toString()));
  });
});
