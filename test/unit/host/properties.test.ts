// Properties: built-in attributes, values set by the test, filter state.
import { describe, expect, it } from "vitest";
import { WasmResult } from "../../host/abi.ts";
import { Host } from "../../host/host.ts";
import { header, hostCalls, probe, probeVm } from "./helpers.ts";

describe("properties", () => {
  it("reads values a test sets, per VM or per stream, strings and 8-byte integers", async () => {
    const vm = probeVm(new Host(), {}, { properties: { "custom.flag": "on" } });
    const res = await probe(vm, "", [["x-probe-prop", "custom.flag"]]);
    expect(header(res, "x-prop-custom-flag")).toBe("on");
    const int = await probe(vm, "", [["x-probe-prop", "custom.count"], ["x-probe-prop-int", "1"]], {}, { properties: { "custom.count": 1234 } });
    expect(header(int, "x-prop-custom-count")).toBe("1234");
  });

  it("answers root contexts for the plugin only", () => {
    const vm = probeVm(new Host(), {}, { name: "the-plugin" });
    const c = hostCalls(vm);
    const get = (path: string) => {
      const [p, pl] = c.str(path);
      return c.env.proxy_get_property(p, pl, c.out, c.out + 4);
    };
    expect(get("plugin_name")).toBe(WasmResult.Ok);
    expect(c.outText()).toBe("the-plugin");
    expect(get("xds\0route_name")).toBe(WasmResult.NotFound);
    const [p, pl] = c.str("state");
    expect(c.env.proxy_set_property(p, pl, p, pl)).toBe(WasmResult.NotFound);
  });

  it("takes the route, addresses and response code from the stream", async () => {
    const res = await probe(probeVm(new Host()), "props", [], { path: "/p?a=1" }, {
      routes: () => ({ name: "r1", virtualHost: "v1", cluster: "c1" }),
      sourceAddress: "10.0.0.1:5555",
    });
    expect(header(res, "x-prop-xds-route-name")).toBe("r1");
    expect(header(res, "x-prop-xds-cluster-name")).toBe("c1");
    expect(header(res, "x-prop-source-address")).toBe("10.0.0.1:5555");
    expect(header(res, "x-prop-request-url-path")).toBe("/p");
    expect(header(res, "x-prop-response-code")).toBe("200");
  });

  it("keeps set_property values as filter state wasm.<name>", async () => {
    const res = await probe(probeVm(new Host()), "state", [["x-probe-state", "color=blue"]]);
    expect(Buffer.from(res.filterState.get("wasm.color")!).toString()).toBe("blue");
  });

  it("records clear_route_cache and re-resolves the route when the filter changed request headers", async () => {
    const routes = (h: { get(n: string): string | undefined }) => (h.get("x-probe-route") === "b" ? { name: "b", directResponse: { status: 200, body: "b" } } : { name: "a", cluster: "c" });
    const vm = probeVm(new Host());
    const cleared = await probe(vm, "reroute", [["x-probe-route-to", "b"], ["x-probe-clear", "1"]], {}, { routes });
    expect(cleared.clearRouteCacheCalls).toBe(1);
    expect(cleared.route?.name).toBe("b");
    expect(cleared.body).toBe("b");
    const changed = await probe(vm, "reroute", [["x-probe-route-to", "b"]], {}, { routes });
    expect(changed.clearRouteCacheCalls).toBe(0);
    expect(changed.route?.name).toBe("b");
  });
});
