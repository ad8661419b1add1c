// Just enough HTTP/1.1 response framing for the TTFB sampler to reuse one
// keep-alive connection: where the body starts, and whether the whole
// response (Content-Length or chunked) has arrived.

export interface ResponseHead {
  status: number;
  /** Offset of the first body byte in the received bytes. */
  bodyStart: number;
  contentLength: number | null;
  chunked: boolean;
  /** The server will close the connection after this response. */
  close: boolean;
}

const CRLF = Buffer.from("\r\n");
const HEADER_END = Buffer.from("\r\n\r\n");

/** The response head once it is complete; null while more bytes are needed or when it is not HTTP/1.x. */
export function parseHead(received: Buffer): ResponseHead | null {
  const end = received.indexOf(HEADER_END);
  if (end < 0) return null;
  const lines = received.subarray(0, end).toString("latin1").split("\r\n");
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
  if (!m) return null;
  let contentLength: number | null = null;
  let chunked = false;
  let close = false;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim().toLowerCase();
    if (name === "content-length" && /^\d+$/.test(value)) contentLength = Number(value);
    const tokens = value.split(",").map((s) => s.trim());
    if (name === "transfer-encoding" && tokens.includes("chunked")) chunked = true;
    if (name === "connection" && tokens.includes("close")) close = true;
  }
  return { status: Number(m[1]), bodyStart: end + HEADER_END.length, contentLength, chunked, close };
}

/** True once the body described by `head` is complete in `received`; a malformed chunk size counts as never. */
export function bodyComplete(received: Buffer, head: ResponseHead): boolean {
  if (head.status === 204 || head.status === 304 || (head.status >= 100 && head.status < 200)) return true;
  if (head.chunked) return chunkedComplete(received, head.bodyStart);
  if (head.contentLength !== null) return received.length - head.bodyStart >= head.contentLength;
  return false; // delimited by close: the caller waits for the end of the socket
}

function chunkedComplete(received: Buffer, from: number): boolean {
  let pos = from;
  for (;;) {
    const lineEnd = received.indexOf(CRLF, pos);
    if (lineEnd < 0) return false;
    const sizeText = received.subarray(pos, lineEnd).toString("latin1").split(";")[0].trim();
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) return false;
    const size = parseInt(sizeText, 16);
    if (size === 0) {
      // Last chunk: an empty line, or trailer lines then an empty line.
      if (received.subarray(lineEnd + 2, lineEnd + 4).equals(CRLF)) return true;
      return received.indexOf(HEADER_END, lineEnd) >= 0;
    }
    pos = lineEnd + 2 + size + 2;
    if (pos > received.length) return false;
  }
}
