// Typed-array element access as plain loads and stores, inlined by the
// compiler. The hot loops (feature counting, postings) use these: the
// optimizer leaves typed-array index operators as calls, which cost more
// than the work. Callers keep indices in range.

// @ts-ignore: decorator
@inline
export function i32At(a: Int32Array, i: i32): i32 {
  return load<i32>(a.dataStart + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline
export function setI32(a: Int32Array, i: i32, v: i32): void {
  store<i32>(a.dataStart + (<usize>i << 2), v);
}

// @ts-ignore: decorator
@inline
export function u32At(a: Uint32Array, i: i32): u32 {
  return load<u32>(a.dataStart + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline
export function setU32(a: Uint32Array, i: i32, v: u32): void {
  store<u32>(a.dataStart + (<usize>i << 2), v);
}

// @ts-ignore: decorator
@inline
export function f32At(a: Float32Array, i: i32): f32 {
  return load<f32>(a.dataStart + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline
export function f64At(a: Float64Array, i: i32): f64 {
  return load<f64>(a.dataStart + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline
export function setF64(a: Float64Array, i: i32, v: f64): void {
  store<f64>(a.dataStart + (<usize>i << 3), v);
}

// @ts-ignore: decorator
@inline
export function u16At(a: Uint16Array, i: i32): u32 {
  return <u32>load<u16>(a.dataStart + (<usize>i << 1));
}

// @ts-ignore: decorator
@inline
export function setU16(a: Uint16Array, i: i32, v: u32): void {
  store<u16>(a.dataStart + (<usize>i << 1), <u16>v);
}

/** UTF-16 unit i of a string. */
// @ts-ignore: decorator
@inline
export function unitAt(s: string, i: i32): u32 {
  return <u32>load<u16>(changetype<usize>(s) + (<usize>i << 1));
}
