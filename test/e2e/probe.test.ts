// The probe case table (test/cases/probe-cases.ts) against a real Envoy,
// native process. Each case is also run through the host emulator and both
// observations must match.
import { defineProbeSuite } from "../cases/probe-suite.ts";

defineProbeSuite();
