// Plugin configuration: typed reads with field-path errors, Higress-style
// `_rules_` selection, and the on_configure entry point.
export * from "./errors";
export * from "./reader";
export * from "./match";
export * from "./rules";
export * from "./load";
export * from "./service";
