// semantic-router with the static embedding table (assembly/semantic-router/
// static/): the same filter, plus `classifier: "embeddings"`. The build
// writes the table into the reserved memory whose address this exports.
export * from "../semantic-router/index";
export { sr_static_table } from "../semantic-router/static/table";
