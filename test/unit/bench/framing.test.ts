import { describe, expect, it } from "vitest";
import { bodyComplete, parseHead } from "../../../scripts/bench/framing.ts";
import { rawRequest } from "../../../scripts/bench/ttfb.ts";

const b = (s: string) => Buffer.from(s, "latin1");

describe("HTTP/1.1 response framing for the TTFB sampler", () => {
  it("waits for the whole head, then finds status, body start and framing", () => {
    expect(parseHead(b("HTTP/1.1 200 OK\r\ncontent-length: 3\r\n"))).toBeNull();
    const text = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nok\n";
    expect(parseHead(b(text))).toEqual({ status: 200, bodyStart: text.indexOf("ok"), contentLength: 3, chunked: false, close: false });
    expect(parseHead(b("HTTP/1.1 503 x\r\ntransfer-encoding: gzip, Chunked\r\nconnection: close\r\n\r\n"))).toMatchObject({ status: 503, chunked: true, close: true });
    expect(parseHead(b("SSH-2.0-OpenSSH\r\n\r\n"))).toBeNull();
  });

  it("knows when a Content-Length body is complete", () => {
    const head = parseHead(b("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n"))!;
    expect(bodyComplete(b("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nabcd"), head)).toBe(false);
    expect(bodyComplete(b("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nabcde"), head)).toBe(true);
  });

  it("follows chunk sizes (hex, extensions) to the last chunk, with or without trailers", () => {
    const h = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n";
    const head = parseHead(b(h))!;
    const events = "data: {\"a\":1}\n\n"; // 15 bytes = 0xf
    expect(bodyComplete(b(h + "f\r\n" + events + "\r\n"), head)).toBe(false);
    expect(bodyComplete(b(h + "f;ext=1\r\n" + events + "\r\n0\r\n"), head)).toBe(false);
    expect(bodyComplete(b(h + "F\r\n" + events + "\r\n0\r\n\r\n"), head)).toBe(true);
    expect(bodyComplete(b(h + "f\r\n" + events + "\r\n0\r\nx-usage: 7\r\n"), head)).toBe(false);
    expect(bodyComplete(b(h + "f\r\n" + events + "\r\n0\r\nx-usage: 7\r\n\r\n"), head)).toBe(true);
    // A chunk whose data contains what looks like a last chunk is not the end.
    expect(bodyComplete(b(h + "5\r\n0\r\n\r\n\r\n"), head)).toBe(false);
    expect(bodyComplete(b(h + "zz\r\n"), head)).toBe(false);
  });

  it("treats bodiless statuses as complete and close-delimited bodies as never complete", () => {
    expect(bodyComplete(b("HTTP/1.1 204 No Content\r\n\r\n"), parseHead(b("HTTP/1.1 204 No Content\r\n\r\n"))!)).toBe(true);
    const h = "HTTP/1.1 200 OK\r\n\r\n";
    expect(bodyComplete(b(h + "anything"), parseHead(b(h))!)).toBe(false);
  });

  it("writes a keep-alive POST with the exact UTF-8 Content-Length", () => {
    const req = rawRequest(new URL("http://127.0.0.1:8080/v1/chat/completions?x=1"), '{"q":"München"}').toString("utf8");
    expect(req).toBe(
      "POST /v1/chat/completions?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n" +
        '{"q":"München"}',
    );
  });
});
