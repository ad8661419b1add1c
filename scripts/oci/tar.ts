// A deterministic tar.gz of one file: fixed mtime, owner and mode, no
// timestamp in the gzip header, so the same bytes always give the same digest.
import { gzipSync } from "node:zlib";

const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, "0") + "\0";
}

/** One ustar header for a regular file, mtime 0, uid/gid 0, mode 0644. */
function header(name: string, size: number): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar entry name longer than 100 bytes: ${name}`);
  const h = Buffer.alloc(BLOCK, 0);
  h.write(name, 0, "utf8");
  h.write(octal(0o644, 8), 100, "ascii");
  h.write(octal(0, 8), 108, "ascii"); // uid
  h.write(octal(0, 8), 116, "ascii"); // gid
  h.write(octal(size, 12), 124, "ascii");
  h.write(octal(0, 12), 136, "ascii"); // mtime
  h.write("        ", 148, "ascii"); // checksum field counts as spaces
  h.write("0", 156, "ascii"); // regular file
  h.write("ustar\0", 257, "ascii");
  h.write("00", 263, "ascii");
  h.write("root", 265, "ascii"); // uname
  h.write("root", 297, "ascii"); // gname
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, "ascii");
  return h;
}

export function tarOneFile(name: string, data: Uint8Array): Buffer {
  const padding = (BLOCK - (data.length % BLOCK)) % BLOCK;
  return Buffer.concat([header(name, data.length), data, Buffer.alloc(padding), Buffer.alloc(2 * BLOCK)]);
}

/** gzip with level 9; Node writes mtime 0 and no file name, so output depends on the input only. */
export function tarGzOneFile(name: string, data: Uint8Array): Buffer {
  return gzipSync(tarOneFile(name, data), { level: 9 });
}
