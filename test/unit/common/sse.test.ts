// The shared SSE parser and writer (assembly/common/sse) through the kit-sse
// fixture: every sample stream fed at every chunk size and at seeded random
// split points must give the events of the one-chunk parse, which must match
// a reference parser; plus exact field semantics, the event size bound, the
// writer round trip, and garbage input that must never trap.
import { beforeAll, describe, expect, it } from "vitest";
import { builtFixture } from "../../host/fixtures.ts";
import { loadKit, type Kit } from "../../host/kit.ts";
import {
  fixedSizes,
  hexBytes,
  hexText,
  kitParse,
  modelParse,
  rng,
  sizesFromSplits,
  streamBytes,
  STREAMS,
  type ParsedEvent,
  type ParseResult,
} from "./sse-support.ts";

let kit: Kit;

beforeAll(async () => {
  kit = loadKit(await builtFixture("kit-sse"));
}, 120_000);

const shape = (e: ParsedEvent) => ({ event: e.event, data: e.data, hasData: e.hasData, id: e.id, retry: e.retry, comments: e.comments, rawLength: e.rawLength, complete: e.complete });

/** Checks a chunked parse against the one-chunk parse, and that the raw bytes cover the stream exactly. */
function expectSameAsWhole(stream: Buffer, sizes: number[], whole: ParseResult, label: string) {
  const r = kitParse(kit, stream, sizes, { keepRaw: true, finish: true });
  expect(r.status, label).toBe(0);
  expect(r.events.map(shape), label).toEqual(whole.events.map(shape));
  expect(r.lastEventId, label).toBe(whole.lastEventId);
  expect(Buffer.concat(r.events.map((e) => hexBytes(e.raw!))).equals(stream), `${label}: raw bytes cover the stream`).toBe(true);
  for (const e of r.events) expect(hexBytes(e.raw!).length, label).toBe(e.rawLength);
  return r;
}

describe("SSE parser: sample streams", () => {
  for (const name of Object.keys(STREAMS)) {
    describe(name, () => {
      const stream = streamBytes(name);

      it("one-chunk parse matches the reference parser", () => {
        const whole = kitParse(kit, stream, [stream.length], { finish: true });
        const model = modelParse(stream, true);
        expect(whole.status).toBe(0);
        expect(whole.pending).toBe(0);
        expect(whole.events.map(shape)).toEqual(
          model.events.map((m) => ({
            event: m.event.toString("hex"),
            data: m.data.toString("hex"),
            hasData: m.hasData,
            id: m.id === null ? null : m.id.toString("hex"),
            retry: m.retry,
            comments: m.comments,
            complete: m.complete,
            rawLength: m.rawLength,
          })),
        );
        expect(whole.lastEventId).toBe(model.lastEventId.toString("hex"));
      });

      it("every chunk size from 1 to the stream length gives the same events", () => {
        const whole = kitParse(kit, stream, [stream.length], { finish: true });
        for (let size = 1; size <= stream.length; size++) {
          expectSameAsWhole(stream, fixedSizes(stream.length, size), whole, `${name} size ${size}`);
        }
      });

      it("seeded random split points give the same events", () => {
        const whole = kitParse(kit, stream, [stream.length], { finish: true });
        const rand = rng(0x5eed + stream.length);
        for (let round = 0; round < 200; round++) {
          const cuts = Array.from({ length: 1 + Math.floor(rand() * 12) }, () => Math.floor(rand() * stream.length));
          expectSameAsWhole(stream, sizesFromSplits(stream.length, cuts), whole, `${name} cuts ${cuts.join(",")}`);
        }
      });

      it("without finish the unterminated tail stays pending", () => {
        const finished = kitParse(kit, stream, [stream.length], { finish: true }).events;
        // An event closed by a CR that is the very last byte waits for the next byte or finish().
        const heldAtEnd = stream[stream.length - 1] === 0x0d && finished.length > 0 && finished[finished.length - 1].complete;
        const expected = finished.filter((e) => e.complete).slice(0, heldAtEnd ? -1 : undefined);
        for (const size of [1, 7, stream.length]) {
          const r = kitParse(kit, stream, fixedSizes(stream.length, size));
          expect(r.events.map(shape)).toEqual(expected.map(shape));
          expect(r.pending).toBe(stream.length - expected.reduce((n, e) => n + e.rawLength, 0));
        }
      });
    });
  }
});

describe("SSE parser: field semantics", () => {
  const parseText = (text: string, finish = true) => kitParse(kit, Buffer.from(text, "utf8"), [Buffer.byteLength(text)], { finish });
  const texts = (r: ParseResult) => r.events.map((e) => ({ event: hexText(e.event), data: hexText(e.data), hasData: e.hasData }));

  it("reads OpenAI chunks and the [DONE] terminator", () => {
    const r = parseText(STREAMS.openai, false);
    expect(r.events).toHaveLength(5);
    expect(JSON.parse(hexText(r.events[3].data)).usage.total_tokens).toBe(21);
    expect(JSON.parse(hexText(r.events[1].data)).choices[0].delta.content).toBe("Héllo, 世界 ");
    expect(hexText(r.events[4].data)).toBe("[DONE]");
    expect(kit.callText("sse_done_flags", STREAMS.openai)).toBe("00001");
  });

  it("reads Anthropic event names and usage", () => {
    const r = parseText(STREAMS["anthropic-crlf"], false);
    expect(r.events.map((e) => hexText(e.event))).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(JSON.parse(hexText(r.events[5].data)).usage.output_tokens).toBe(15);
    expect(JSON.parse(hexText(r.events[3].data)).delta.text).toBe("Grüß dich");
  });

  it("joins multi-line data with LF and keeps an empty data line", () => {
    const r = parseText(STREAMS.multiline, false);
    expect(texts(r)).toEqual([
      { event: "", data: "first line\nsecond line\n\nfourth after empty", hasData: true },
      { event: "", data: '{"a":\n1}', hasData: true },
      { event: "", data: "after blank lines", hasData: true },
    ]);
    expect(r.events[2].rawLength).toBe("\n\n\ndata: after blank lines\n\n".length);
  });

  it("handles comments, retry, id, a field without colon and the one-space rule", () => {
    const r = parseText(STREAMS.comments, false);
    const ev = r.events;
    expect(ev).toHaveLength(6);
    expect(ev[0]).toMatchObject({ hasData: false, comments: 1 });
    expect(ev[1]).toMatchObject({ comments: 2, hasData: true });
    expect(hexText(ev[1].data)).toBe("after comments");
    expect(ev[2]).toMatchObject({ retry: 3000, id: Buffer.from("42").toString("hex") });
    expect(hexText(ev[2].event)).toBe("update");
    expect(ev[3]).toMatchObject({ retry: -1, id: null });
    expect(ev[4]).toMatchObject({ id: "", hasData: true, data: "" });
    expect(hexText(ev[5].data)).toBe("no-space\n two spaces");
    expect(hexText(ev[5].event)).toBe("tight");
    expect(hexText(r.lastEventId)).toBe("");
  });

  it("accepts CR, LF and CRLF line endings in one stream", () => {
    const r = parseText(STREAMS["mixed-endings"], true);
    expect(texts(r)).toEqual([
      { event: "", data: "a\nb\nc", hasData: true },
      { event: "x", data: "y", hasData: true },
      { event: "", data: "z", hasData: true },
    ]);
  });

  it("strips a BOM at stream start only, even split byte by byte", () => {
    const stream = streamBytes("bom");
    const r = kitParse(kit, stream, fixedSizes(stream.length, 1), { keepRaw: true });
    expect(texts(r).map((e) => e.data)).toEqual(["after bom", "\ufeff not a bom here"]);
    expect(r.events[0].rawLength).toBe(Buffer.byteLength("\ufeffdata: after bom\n\n"));
  });

  it("treats bytes that only start like a BOM as content", () => {
    const stream = Buffer.concat([Buffer.from([0xef, 0xbb]), Buffer.from("data: x\n\ndata: y\n\n")]);
    for (const sizes of [[stream.length], fixedSizes(stream.length, 1)]) {
      const r = kitParse(kit, stream, sizes);
      // "\xEF\xBBdata" is an unknown field name, so the first event has no data.
      expect(r.events.map((e) => [e.hasData, hexText(e.data)])).toEqual([
        [false, ""],
        [true, "y"],
      ]);
      expect(r.events[0].rawLength).toBe(2 + "data: x\n\n".length);
    }
    const short = kitParse(kit, Buffer.from([0xef]), [1], { finish: true, keepRaw: true });
    expect(short.events).toHaveLength(1);
    expect(short.events[0]).toMatchObject({ complete: false, hasData: false, rawLength: 1, raw: "ef" });
  });

  it("reports a final event without its blank line as incomplete at finish", () => {
    const r = parseText(STREAMS["no-final-blank-line"], true);
    expect(r.events.map((e) => [hexText(e.data), hexText(e.event), e.complete])).toEqual([
      ["one", "", true],
      ["two", "tail", false],
    ]);
    expect(r.pending).toBe(0);
    const blankTail = parseText("data: one\n\n\n\n", true);
    expect(blankTail.events.map((e) => [e.complete, e.hasData, e.rawLength])).toEqual([
      [true, true, 11],
      [false, false, 2],
    ]);
  });

  it("joins a multi-byte character split across chunks", () => {
    const stream = Buffer.from("data: 🎉世\n\n", "utf8");
    for (let cut = 1; cut < stream.length; cut++) {
      const r = kitParse(kit, stream, [cut, stream.length - cut]);
      expect(hexText(r.events[0].data)).toBe("🎉世");
    }
  });

  it("holds an event whose closing CR ends a chunk until the next byte", () => {
    const stream = Buffer.from("data: a\r\n\r\ndata: b\r\n\r\n");
    const r = kitParse(kit, stream, [10, 1, stream.length - 11], { keepRaw: true, finish: true });
    expect(r.events.map((e) => [e.chunk, hexText(e.data), hexText(e.raw!)])).toEqual([
      [1, "a", "data: a\r\n\r\n"],
      [2, "b", "data: b\r\n\r\n"],
    ]);
    const crOnly = Buffer.from("data: a\r\r");
    const held = kitParse(kit, crOnly, [crOnly.length]);
    expect(held.events).toEqual([]);
    expect(held.pending).toBe(crOnly.length);
    const flushed = kitParse(kit, crOnly, [crOnly.length], { finish: true });
    expect(flushed.events.map((e) => [hexText(e.data), e.complete, e.rawLength])).toEqual([["a", true, crOnly.length]]);
    const next = kitParse(kit, Buffer.from("data: a\r\rdata: b\r\r"), [9, 10]);
    expect(next.events.map((e) => [e.chunk, hexText(e.data), e.rawLength])).toEqual([[1, "a", 9]]);
  });
});

describe("SSE parser: event size bound", () => {
  const big = "data: " + "x".repeat(100) + "\n\n";
  const small = "data: ok\n\n";

  it("fails with EventTooLarge and keeps the events completed before", () => {
    const stream = Buffer.from(small + big + small);
    for (const size of [stream.length, 1, 3, 10]) {
      const r = kitParse(kit, stream, fixedSizes(stream.length, size), { max: 64 });
      expect(r.status, `size ${size}`).toBe(1);
      expect(r.events.map((e) => hexText(e.data)), `size ${size}`).toEqual(["ok"]);
      expect(r.errorAt).toBe(Math.floor((small.length + 64) / size));
    }
  });

  it("accepts an event of exactly the limit and refuses one byte more", () => {
    const exact = Buffer.from(big);
    expect(kitParse(kit, exact, [exact.length], { max: exact.length }).status).toBe(0);
    expect(kitParse(kit, exact, fixedSizes(exact.length, 5), { max: exact.length }).events).toHaveLength(1);
    expect(kitParse(kit, exact, [exact.length], { max: exact.length - 1 }).status).toBe(1);
    const crlf = Buffer.from("data: abc\r\n\r\n");
    expect(kitParse(kit, crlf, [crlf.length], { max: crlf.length - 1 }).status).toBe(1);
  });

  it("bounds a pending line that never ends", () => {
    const stream = Buffer.from("data: " + "y".repeat(200));
    const r = kitParse(kit, stream, fixedSizes(stream.length, 10), { max: 50 });
    expect(r.status).toBe(1);
    expect(r.errorAt).toBe(5);
    expect(r.pending).toBe(0);
  });

  it("bounds an endless run of blank lines", () => {
    const stream = Buffer.from("\n".repeat(300));
    expect(kitParse(kit, stream, fixedSizes(stream.length, 16), { max: 100 }).status).toBe(1);
  });

  it("ignores input after an error instead of resynchronizing", () => {
    const stream = Buffer.from(big + small + small);
    const r = kitParse(kit, stream, [big.length, small.length, small.length], { max: 64, finish: true });
    expect(r.status).toBe(1);
    expect(r.errorAt).toBe(0);
    expect(r.events).toEqual([]);
  });
});

describe("SSE parser: hostile input", () => {
  it("never traps on random bytes and matches the reference parser", () => {
    const rand = rng(0xbadbeef);
    const alphabet = [0x0a, 0x0d, 0x3a, 0x20, 0x00, 0xff, 0xef, 0xbb, 0xbf, 0xc3, 0xa9, 0xf0, 0x9f, 0x80];
    const words = ["data", "event", "id", "retry", ":", "\n", "\r\n", "\r", " ", "123", "[DONE]"].map((w) => Buffer.from(w));
    for (let round = 0; round < 300; round++) {
      const parts: Buffer[] = [];
      const n = Math.floor(rand() * 60);
      for (let i = 0; i < n; i++) {
        const k = rand();
        if (k < 0.4) parts.push(words[Math.floor(rand() * words.length)]);
        else if (k < 0.7) parts.push(Buffer.from([alphabet[Math.floor(rand() * alphabet.length)]]));
        else parts.push(Buffer.from([Math.floor(rand() * 256)]));
      }
      const stream = Buffer.concat(parts);
      const cuts = Array.from({ length: Math.floor(rand() * 8) }, () => Math.floor(rand() * stream.length));
      const sizes = stream.length ? sizesFromSplits(stream.length, cuts) : [];
      const r = kitParse(kit, stream, sizes, { keepRaw: true, finish: true });
      expect(r.status).toBe(0);
      expect(Buffer.concat(r.events.map((e) => hexBytes(e.raw!))).equals(stream)).toBe(true);
      const model = modelParse(stream, true).events;
      expect(r.events.length).toBe(model.length);
      r.events.forEach((e, i) => {
        const m = model[i];
        expect({ data: e.data, hasData: e.hasData, retry: e.retry, comments: e.comments, complete: e.complete }).toEqual({
          data: m.data.toString("hex"),
          hasData: m.hasData,
          retry: m.retry,
          comments: m.comments,
          complete: m.complete,
        });
        if (isUtf8(m.event)) expect(hexText(e.event)).toBe(m.event.toString("utf8"));
        if (m.id === null) expect(e.id).toBeNull();
        else if (isUtf8(m.id)) expect(hexText(e.id!)).toBe(m.id.toString("utf8"));
      });
    }
  });

  it("never traps with a small bound either", () => {
    const rand = rng(42);
    for (let round = 0; round < 200; round++) {
      const stream = Buffer.from(Array.from({ length: Math.floor(rand() * 400) }, () => (rand() < 0.1 ? 0x0a : Math.floor(rand() * 256))));
      const r = kitParse(kit, stream, fixedSizes(stream.length, 1 + Math.floor(rand() * 40)), { max: 1 + Math.floor(rand() * 64), finish: true });
      expect([0, 1]).toContain(r.status);
    }
  });

  it("does not grow memory when parsing the same stream again and again", () => {
    const stream = Buffer.from(STREAMS.openai.repeat(20));
    const input = fixedSizes(stream.length, 97);
    for (let i = 0; i < 20; i++) kitParse(kit, stream, input, { keepRaw: true, finish: true });
    const before = kit.memoryBytes();
    for (let i = 0; i < 200; i++) kitParse(kit, stream, input, { keepRaw: true, finish: true });
    expect(kit.memoryBytes()).toBe(before);
  });
});

describe("SSE writer", () => {
  interface WEvent {
    event: string;
    id: string | null;
    data: string;
    hasData: boolean;
    retry: number;
  }
  const encodeEvents = (events: WEvent[], done = false) => {
    const parts: Buffer[] = [Buffer.from([done ? 1 : 0])];
    for (const e of events) {
      const name = Buffer.from(e.event);
      const id = e.id === null ? null : Buffer.from(e.id);
      const data = Buffer.from(e.data);
      const head = Buffer.alloc(4);
      head.writeUInt32LE(name.length);
      const idLen = Buffer.alloc(4);
      idLen.writeInt32LE(id === null ? -1 : id.length);
      const dataLen = Buffer.alloc(5);
      dataLen.writeUInt8(e.hasData ? 1 : 0, 0);
      dataLen.writeUInt32LE(data.length, 1);
      const retry = Buffer.alloc(8);
      retry.writeBigInt64LE(BigInt(e.retry));
      parts.push(head, name, idLen, id ?? Buffer.alloc(0), dataLen, data, retry);
    }
    return Buffer.concat(parts);
  };
  const write = (events: WEvent[], done = false) => kit.callText("sse_write", encodeEvents(events, done));

  it("writes event, id, retry and one data line per line of data", () => {
    expect(write([{ event: "delta", id: "7", data: "a\nb", hasData: true, retry: 1500 }])).toBe("event: delta\nid: 7\nretry: 1500\ndata: a\ndata: b\n\n");
    expect(write([{ event: "", id: null, data: "", hasData: true, retry: -1 }])).toBe("data:\n\n");
    expect(write([{ event: "ping", id: null, data: "", hasData: false, retry: -1 }])).toBe("event: ping\n\n");
    expect(write([{ event: "", id: "", data: "x\r\ny\rz\n", hasData: true, retry: -1 }])).toBe("id:\ndata: x\ndata: y\ndata: z\ndata:\n\n");
  });

  it("writes the [DONE] terminator", () => {
    expect(write([{ event: "", id: null, data: '{"a":1}', hasData: true, retry: -1 }], true)).toBe('data: {"a":1}\n\ndata: [DONE]\n\n');
    expect(kit.callText("sse_done_bytes", "")).toBe("data: [DONE]\n\n");
    expect(kit.callText("sse_done_flags", "data: [DONE] \n\ndata:[DONE]\n\n: c\n\ndata: [DONE]")).toBe("0101");
  });

  it("round-trips random events through the parser", () => {
    const rand = rng(7);
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
    const pieces = ["hello", " ", "\n", "世界", "🎉", ":", "data: fake", "{\"x\":1}", "", "  lead", "trail  ", "[DONE]"];
    for (let round = 0; round < 100; round++) {
      const events: WEvent[] = Array.from({ length: 1 + Math.floor(rand() * 5) }, () => {
        const hasData = rand() < 0.9;
        // An event with no field at all is just a blank line: nothing to read back.
        if (!hasData) return { event: "ping", id: pick([null, "9"]), data: "", hasData, retry: -1 };
        return {
          event: pick(["", "message_delta", "response.output_text.delta", "ünïcode"]),
          id: pick([null, "", "42", "abc-é"]),
          data: hasData ? Array.from({ length: Math.floor(rand() * 6) }, () => pick(pieces)).join("") : "",
          hasData,
          retry: pick([-1, 0, 2500]),
        };
      });
      const bytes = Buffer.from(write(events), "utf8");
      const r = kitParse(kit, bytes, fixedSizes(bytes.length, 1 + Math.floor(rand() * 9)));
      expect(r.pending).toBe(0);
      expect(r.events.map((e) => ({ event: hexText(e.event), id: e.id === null ? null : hexText(e.id), data: hexText(e.data), hasData: e.hasData, retry: e.retry }))).toEqual(events);
    }
  });

  it("splits raw data bytes, including invalid UTF-8, into data lines", () => {
    const data = Buffer.from([0x61, 0xff, 0x0a, 0xc3, 0x0d, 0x0a, 0x00]);
    const out = kit.call("sse_write_data", data);
    expect(Buffer.from(out)).toEqual(Buffer.from([...Buffer.from("data: a"), 0xff, 0x0a, ...Buffer.from("data: "), 0xc3, 0x0a, ...Buffer.from("data: "), 0x00, 0x0a, 0x0a]));
    const back = kitParse(kit, out, [out.length]);
    expect(hexBytes(back.events[0].data)).toEqual(Buffer.from([0x61, 0xff, 0x0a, 0xc3, 0x0a, 0x00]));
  });

  it("keeps line breaks in names, ids and comments from breaking the framing", () => {
    const out = kit.callText("sse_write_hostile", "x\r\ndata: injected\n\ny");
    expect(out).toBe(": x\n: data: injected\n:\n: y\nevent: xdata: injectedy\nid: xdata: injectedy\ndata: x\ndata: data: injected\ndata:\ndata: y\n\n");
    const r = kitParse(kit, Buffer.from(out), [out.length]);
    expect(r.events).toHaveLength(1);
    expect(hexText(r.events[0].event)).toBe("xdata: injectedy");
  });
});

function isUtf8(b: Buffer): boolean {
  return Buffer.from(b.toString("utf8"), "utf8").equals(b);
}
