// The probe case table (test/cases/probe-cases.ts) against Envoy in a
// container: the same cases and the same emulator comparison as the native
// run in test/e2e/probe.test.ts.
import { defineProbeSuite } from "../../cases/probe-suite.ts";

process.env.ENVOY_RUNTIME = "container";
defineProbeSuite({ runtime: "container" });
