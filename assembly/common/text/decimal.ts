// Integers as decimal text. The standard toString() of an integer links the
// printers of every radix and their digit tables (about 2 KiB) into a module;
// messages and headers only ever need base 10.

/** Room for the longest i64 (19 digits and a sign) in UTF-16, written from the end: static, so usable while globals are set up. */
const DIGIT_UNITS: usize = memory.data(40);

/** `v` in decimal, with a leading "-" when negative. */
export function decimal(v: i64): string {
  let magnitude: u64 = v < 0 ? <u64>0 - <u64>v : <u64>v;
  const base = DIGIT_UNITS;
  let at = 20;
  // 64-bit division only while the value needs it; the rest in 32 bits.
  while (magnitude > <u64>u32.MAX_VALUE) {
    at--;
    store<u16>(base + (<usize>at << 1), <u16>(0x30 + magnitude % 10));
    magnitude /= 10;
  }
  let low = <u32>magnitude;
  do {
    at--;
    store<u16>(base + (<usize>at << 1), <u16>(0x30 + low % 10));
    low /= 10;
  } while (low != 0);
  if (v < 0) {
    at--;
    store<u16>(base + (<usize>at << 1), 0x2d);
  }
  return String.UTF16.decodeUnsafe(base + (<usize>at << 1), <usize>(20 - at) << 1);
}
