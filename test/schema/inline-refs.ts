// A JSON Schema with its local `$ref`s (#/$defs/...) replaced by the
// definitions they point at, and $defs/$schema dropped: the form Higress'
// spec.yaml openAPIV3Schema takes. Members next to a $ref override the
// definition's.
export function inlineRefs(schema: Record<string, unknown>): unknown {
  const defs = (schema.$defs ?? {}) as Record<string, unknown>;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== "object") return v;
    const o = v as Record<string, unknown>;
    const own = Object.fromEntries(Object.entries(o).filter(([k]) => k !== "$defs" && k !== "$schema" && k !== "$ref").map(([k, x]) => [k, walk(x)]));
    if (typeof o.$ref !== "string") return own;
    return { ...(walk(defs[o.$ref.split("/").pop()!]) as object), ...own };
  };
  return walk(schema);
}
