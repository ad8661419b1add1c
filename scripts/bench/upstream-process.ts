// Child process that serves the demo LLM upstream for the bench, so its CPU
// is its own (measured apart from Envoy) and it does not share an event loop
// with the bench's own timing. Prints one line {"port":N} once listening;
// SIGTERM closes it.
import { startLlmUpstream } from "../../test/upstreams/llm.ts";

// Recording nothing: the bench never reads the requests back, and keeping them costs per request.
const upstream = await startLlmUpstream({ name: "bench-llm", maxRecorded: 0 });
process.stdout.write(JSON.stringify({ port: upstream.port }) + "\n");
const close = async () => {
  await upstream.close();
  process.exit(0);
};
process.on("SIGTERM", close);
process.on("SIGINT", close);
