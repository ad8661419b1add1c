// Integers as decimal text. The standard toString() of an integer links the
// printers of every radix and their digit tables (about 2 KiB) into a module;
// messages and headers only ever need base 10.

/** `v` in decimal, with a leading "-" when negative. */
export function decimal(v: i64): string {
  let magnitude: u64 = v < 0 ? <u64>0 - <u64>v : <u64>v;
  let digits = 1;
  for (let m = magnitude; m >= 10; m /= 10) digits++;
  const sign = v < 0 ? 1 : 0;
  const out = new StaticArray<u16>(digits + sign);
  if (sign) out[0] = 0x2d;
  for (let i = digits + sign - 1; i >= sign; i--) {
    unchecked((out[i] = <u16>(0x30 + magnitude % 10)));
    magnitude /= 10;
  }
  return String.UTF16.decodeUnsafe(changetype<usize>(out), <usize>(digits + sign) << 1);
}
