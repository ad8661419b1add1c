// Writes the static embedding table into a compiled module: a new active
// data segment at the address the module exports as a global (the static
// memory it reserved for the table, see assembly/semantic-router/static/table.ts).
// Only the data section (and the data count section, when there is one)
// changes; code, memory size and every other section stay as compiled.

function readU32(b: Uint8Array, at: number): [number, number] {
  let v = 0;
  let shift = 0;
  for (;;) {
    const x = b[at++];
    v += (x & 0x7f) * 2 ** shift;
    if (x < 0x80) return [v, at];
    shift += 7;
  }
}

function writeU32(v: number): number[] {
  const out: number[] = [];
  do {
    let x = v & 0x7f;
    v = Math.floor(v / 128);
    if (v > 0) x |= 0x80;
    out.push(x);
  } while (v > 0);
  return out;
}

function writeI32(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const x = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (x & 0x40) === 0) || (v === -1 && (x & 0x40) !== 0)) {
      out.push(x);
      return out;
    }
    out.push(x | 0x80);
  }
}

interface Section {
  id: number;
  body: Uint8Array;
}

function sections(wasm: Uint8Array): Section[] {
  const out: Section[] = [];
  let at = 8;
  while (at < wasm.length) {
    const id = wasm[at];
    const [size, bodyAt] = readU32(wasm, at + 1);
    out.push({ id, body: wasm.subarray(bodyAt, bodyAt + size) });
    at = bodyAt + size;
  }
  return out;
}

/** The i32.const initial value of the exported global `name`. */
function exportedAddress(all: Section[], name: string): number {
  const exp = all.find((s) => s.id === 7);
  const glob = all.find((s) => s.id === 6);
  if (!exp || !glob) throw new Error("module has no exports or globals");
  const importedGlobals = countImportedGlobals(all);
  let [n, at] = readU32(exp.body, 0);
  let index = -1;
  for (; n > 0; n--) {
    const [len, nameAt] = readU32(exp.body, at);
    const exportName = Buffer.from(exp.body.subarray(nameAt, nameAt + len)).toString();
    const kind = exp.body[nameAt + len];
    const [idx, next] = readU32(exp.body, nameAt + len + 1);
    at = next;
    if (exportName === name && kind === 3) index = idx - importedGlobals;
  }
  if (index < 0) throw new Error(`module exports no global ${name}`);
  [n, at] = readU32(glob.body, 0);
  for (let i = 0; i < n; i++) {
    // valtype, mutability, then a constant expression ending in 0x0b.
    const op = glob.body[at + 2];
    let p = at + 3;
    let value = -1;
    if (op === 0x41 || op === 0x42) {
      let v = 0;
      let shift = 0;
      let x: number;
      do {
        x = glob.body[p++];
        if (shift < 32) v |= (x & 0x7f) << shift;
        shift += 7;
      } while (x & 0x80);
      value = v >>> 0;
    } else if (op === 0x43) p += 4;
    else if (op === 0x44) p += 8;
    else if (op === 0x23) p = readU32(glob.body, p)[1];
    else if (op === 0xfd) p += 1 + 16;
    else throw new Error(`global ${i}: unexpected initializer 0x${op.toString(16)}`);
    if (glob.body[p] !== 0x0b) throw new Error(`global ${i}: initializer is not a single constant`);
    if (i === index) {
      if (op !== 0x41) throw new Error(`global ${name} is not an i32 constant`);
      return value;
    }
    at = p + 1;
  }
  throw new Error(`global ${name} not found`);
}

function countImportedGlobals(all: Section[]): number {
  const imp = all.find((s) => s.id === 2);
  if (!imp) return 0;
  let [n, at] = readU32(imp.body, 0);
  let globals = 0;
  for (; n > 0; n--) {
    for (let k = 0; k < 2; k++) {
      const [len, p] = readU32(imp.body, at);
      at = p + len;
    }
    const kind = imp.body[at++];
    if (kind === 0) at = readU32(imp.body, at)[1];
    else if (kind === 1) {
      at++;
      const flags = imp.body[at++];
      at = readU32(imp.body, at)[1];
      if (flags & 1) at = readU32(imp.body, at)[1];
    } else if (kind === 2) {
      const flags = imp.body[at++];
      at = readU32(imp.body, at)[1];
      if (flags & 1) at = readU32(imp.body, at)[1];
    } else if (kind === 3) {
      at += 2;
      globals++;
    } else throw new Error(`unknown import kind ${kind}`);
  }
  return globals;
}

function encodeSection(id: number, body: Uint8Array): Uint8Array {
  return Buffer.concat([Buffer.from([id, ...writeU32(body.length)]), body]);
}

/** `wasm` with `data` as an active segment at the address exported as global `exportName`. */
export function addDataSegment(wasm: Uint8Array, exportName: string, data: Uint8Array): Uint8Array {
  const all = sections(wasm);
  const address = exportedAddress(all, exportName);
  const segment = Buffer.concat([Buffer.from([0x00, 0x41, ...writeI32(address | 0), 0x0b, ...writeU32(data.length)]), data]);
  const out: Uint8Array[] = [wasm.subarray(0, 8)];
  let added = false;
  for (const s of all) {
    if (s.id === 12) {
      const [count] = readU32(s.body, 0);
      out.push(encodeSection(12, Buffer.from(writeU32(count + 1))));
      continue;
    }
    if (s.id === 11) {
      const [count, at] = readU32(s.body, 0);
      out.push(encodeSection(11, Buffer.concat([Buffer.from(writeU32(count + 1)), s.body.subarray(at), segment])));
      added = true;
      continue;
    }
    if (!added && s.id === 0 && all.indexOf(s) > all.findIndex((x) => x.id === 10)) {
      out.push(encodeSection(11, Buffer.concat([Buffer.from([1]), segment])));
      added = true;
    }
    out.push(encodeSection(s.id, s.body));
  }
  if (!added) out.push(encodeSection(11, Buffer.concat([Buffer.from([1]), segment])));
  return Buffer.concat(out);
}
