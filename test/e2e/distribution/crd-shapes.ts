// The fields of the two WasmPlugin CRDs, written from their documented APIs
// (extensions.higress.io/v1alpha1 and extensions.istio.io/v1alpha1), and a
// checker that names every unknown field, wrong type or unknown enum value.
export type Shape =
  | "string"
  | "int"
  | "bool"
  | "object" // free-form (plugin configuration)
  | { enum: string[] }
  | { list: Shape }
  | { map: Shape }
  | { fields: Record<string, Shape>; required?: string[] };

export const PHASES = ["UNSPECIFIED_PHASE", "AUTHN", "AUTHZ", "STATS"];
const PHASE: Shape = { enum: PHASES };
const PULL_POLICY: Shape = { enum: ["UNSPECIFIED_POLICY", "IfNotPresent", "Always"] };

/** Fields every WasmPlugin has (Higress's CRD extends Istio's). */
const COMMON: Record<string, Shape> = {
  url: "string",
  sha256: "string",
  imagePullPolicy: PULL_POLICY,
  imagePullSecret: "string",
  verificationKey: "string",
  pluginConfig: "object",
  pluginName: "string",
  phase: PHASE,
  priority: "int",
};

export const HIGRESS_SPEC: Shape = {
  fields: {
    ...COMMON,
    failStrategy: { enum: ["FAIL_CLOSE", "FAIL_OPEN"] },
    defaultConfig: "object",
    defaultConfigDisable: "bool",
    matchRules: {
      list: {
        fields: {
          ingress: { list: "string" },
          domain: { list: "string" },
          service: { list: "string" },
          config: "object",
          configDisable: "bool",
        },
      },
    },
  },
  required: ["url"],
};

const TARGET_REF: Shape = { fields: { group: "string", kind: "string", name: "string", namespace: "string" }, required: ["kind", "name"] };

export const ISTIO_SPEC: Shape = {
  fields: {
    ...COMMON,
    selector: { fields: { matchLabels: { map: "string" } } },
    targetRef: TARGET_REF,
    targetRefs: { list: TARGET_REF },
    failStrategy: { enum: ["FAIL_CLOSE", "FAIL_OPEN", "FAIL_RELOAD"] },
    vmConfig: {
      fields: {
        env: { list: { fields: { name: "string", value: "string", valueFrom: { enum: ["INLINE", "HOST"] } }, required: ["name"] } },
      },
    },
    match: {
      list: {
        fields: {
          mode: { enum: ["UNDEFINED", "CLIENT", "SERVER", "CLIENT_AND_SERVER"] },
          ports: { list: { fields: { number: "int" }, required: ["number"] } },
        },
      },
    },
    type: { enum: ["UNSPECIFIED_PLUGIN_TYPE", "HTTP", "NETWORK"] },
  },
  required: ["url"],
};

const METADATA: Shape = {
  fields: { name: "string", namespace: "string", labels: { map: "string" }, annotations: { map: "string" } },
  required: ["name"],
};

export const RESOURCES: Record<string, { kind: string; spec: Shape }> = {
  "extensions.higress.io/v1alpha1": { kind: "WasmPlugin", spec: HIGRESS_SPEC },
  "extensions.istio.io/v1alpha1": { kind: "WasmPlugin", spec: ISTIO_SPEC },
};

function typeOf(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "list" : typeof v;
}

export function checkShape(value: unknown, shape: Shape, path: string): string[] {
  if (shape === "string") return typeof value === "string" ? [] : [`${path}: expected a string, got ${typeOf(value)}`];
  if (shape === "int") return Number.isInteger(value) ? [] : [`${path}: expected an integer, got ${JSON.stringify(value)}`];
  if (shape === "bool") return typeof value === "boolean" ? [] : [`${path}: expected true or false, got ${typeOf(value)}`];
  if (shape === "object") return typeOf(value) === "object" ? [] : [`${path}: expected an object, got ${typeOf(value)}`];
  if ("enum" in shape) {
    return shape.enum.includes(value as string) ? [] : [`${path}: ${JSON.stringify(value)} is not one of ${shape.enum.join(", ")}`];
  }
  if ("list" in shape) {
    if (!Array.isArray(value)) return [`${path}: expected a list, got ${typeOf(value)}`];
    return value.flatMap((v, i) => checkShape(v, shape.list, `${path}[${i}]`));
  }
  if (typeOf(value) !== "object") return [`${path}: expected an object, got ${typeOf(value)}`];
  const obj = value as Record<string, unknown>;
  if ("map" in shape) return Object.entries(obj).flatMap(([k, v]) => checkShape(v, shape.map, `${path}.${k}`));
  const problems: string[] = [];
  for (const [k, v] of Object.entries(obj)) {
    const field = shape.fields[k];
    if (!field) problems.push(`${path}.${k}: unknown field (known: ${Object.keys(shape.fields).join(", ")})`);
    else problems.push(...checkShape(v, field, `${path}.${k}`));
  }
  for (const k of shape.required ?? []) if (!(k in obj)) problems.push(`${path}.${k}: required`);
  return problems;
}

/** Problems with one Kubernetes WasmPlugin document; empty when its shape is right. */
export function checkWasmPlugin(doc: unknown): string[] {
  if (typeOf(doc) !== "object") return [`document: expected an object, got ${typeOf(doc)}`];
  const d = doc as Record<string, unknown>;
  const resource = RESOURCES[d.apiVersion as string];
  if (!resource) return [`apiVersion: ${JSON.stringify(d.apiVersion)} is not one of ${Object.keys(RESOURCES).join(", ")}`];
  const problems: string[] = [];
  if (d.kind !== resource.kind) problems.push(`kind: expected ${resource.kind}, got ${JSON.stringify(d.kind)}`);
  for (const k of Object.keys(d)) if (!["apiVersion", "kind", "metadata", "spec"].includes(k)) problems.push(`${k}: unknown top-level field`);
  problems.push(...checkShape(d.metadata, METADATA, "metadata"));
  problems.push(...checkShape(d.spec, resource.spec, "spec"));
  return problems;
}

/** The plugin configuration the gateway hands the filter: Higress turns matchRules into `_rules_`. */
export function effectivePluginConfig(doc: { apiVersion: string; spec: Record<string, any> }): Record<string, unknown> {
  const spec = doc.spec;
  if (doc.apiVersion.startsWith("extensions.istio.io/")) return spec.pluginConfig ?? {};
  const rules = (spec.matchRules ?? [])
    .filter((r: any) => !r.configDisable)
    .map((r: any) => ({
      ...(r.ingress ? { _match_route_: r.ingress } : {}),
      ...(r.domain ? { _match_domain_: r.domain } : {}),
      ...(r.service ? { _match_service_: r.service } : {}),
      ...r.config,
    }));
  return { ...(spec.defaultConfig ?? {}), ...(rules.length ? { _rules_: rules } : {}) };
}
