// Run by smoke.test.ts as a separate process: starts Envoy in a container,
// prints "ready <listener port>", then idles until the test kills it, so the
// test can check that the container does not outlive its owner.
import { startEnvoy } from "../../harness/envoy.ts";

const envoy = await startEnvoy({ config: "envoy/smoke.yaml", name: "orphan", runtime: "container" });
console.log(`ready ${envoy.port("LISTENER_PORT")}`);
setInterval(() => {}, 60_000);
