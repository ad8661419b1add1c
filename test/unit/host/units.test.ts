// Building blocks: header maps, the pair codec, body buffer edits.
import { describe, expect, it } from "vitest";
import { WasmResult } from "../../host/abi.ts";
import { BodyBuffer } from "../../host/body.ts";
import { HeaderMap } from "../../host/headers.ts";
import { decodePairs, encodePairs } from "../../host/pairs.ts";

describe("HeaderMap", () => {
  it("lower-cases names, keeps pseudo-headers first and sizes like Envoy", () => {
    const m = new HeaderMap([["X-A", "1"], [":path", "/"]]);
    m.add(":method", "GET");
    expect(m.pairs()).toEqual([[":path", "/"], [":method", "GET"], ["x-a", "1"]]);
    expect(m.byteSize()).toBe(":path/:methodGETx-a1".length);
  });

  it("replaces by dropping every entry of the name and appending one", () => {
    const m = new HeaderMap([["a", "1"], ["b", "2"], ["a", "3"]]);
    m.replace("A", "new");
    expect(m.pairs()).toEqual([["b", "2"], ["a", "new"]]);
    expect(m.get("a")).toBe("new");
    m.remove("b");
    expect(m.size).toBe(1);
  });
});

describe("pair codec", () => {
  it("round-trips", () => {
    const pairs: [string, string][] = [["a", "1"], ["", ""], ["ключ", "значение"]];
    expect(decodePairs(encodePairs(pairs))).toEqual(pairs);
  });

  it("gives [] for malformed input, as PairsUtil::toPairs does", () => {
    const good = encodePairs([["a", "1"]]);
    expect(decodePairs(good.slice(0, good.length - 1))).toEqual([]);
    const extra = new Uint8Array(good.length + 1);
    extra.set(good);
    expect(decodePairs(extra)).toEqual([]);
    const noNul = good.slice();
    noNul[noNul.length - 1] = 0x41;
    expect(decodePairs(noNul)).toEqual([]);
    expect(decodePairs(new Uint8Array([0xff, 0xff, 0xff, 0xff]))).toEqual([]);
    expect(decodePairs(new Uint8Array(2))).toEqual([]);
  });
});

describe("BodyBuffer edits (Envoy's Buffer::copyFrom)", () => {
  const body = () => new BodyBuffer(new Uint8Array(Buffer.from("hello")));
  const edit = (start: number, length: number, data: string) => {
    const b = body();
    return [b.copyFrom(start, length, new Uint8Array(Buffer.from(data))), b.text()] as const;
  };

  it("replaces from 0, prepends with length 0, appends at or past the end", () => {
    expect(edit(0, 5, "X")).toEqual([WasmResult.Ok, "X"]);
    expect(edit(0, 99, "X")).toEqual([WasmResult.Ok, "X"]);
    expect(edit(0, 2, "X")).toEqual([WasmResult.Ok, "Xllo"]);
    expect(edit(0, 0, "X")).toEqual([WasmResult.Ok, "Xhello"]);
    expect(edit(5, 0, "X")).toEqual([WasmResult.Ok, "helloX"]);
    expect(edit(50, 3, "X")).toEqual([WasmResult.Ok, "helloX"]);
  });

  it("refuses any other offset", () => {
    expect(edit(1, 1, "X")).toEqual([WasmResult.BadArgument, "hello"]);
  });
});
