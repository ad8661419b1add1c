// Re-running route selection after a filter changed request headers.
//
// ABI 0.2.x has no proxy_clear_route_cache: Envoy offers that import only to
// ABI 0.1.0 modules, and a 0.2.1 module importing it fails to load. Envoy
// (and Higress) clear the route cache through the foreign function
// "clear_route_cache" instead; a host without it answers NotFound.
import { callForeignFunctionBytes, Status } from "./runtime/host";

const CLEAR_ROUTE_CACHE = String.UTF8.encode("clear_route_cache");
const NO_ARGUMENT = new ArrayBuffer(0);

/** Clears the route cache of the current stream; false when the host has no such function. */
export function clearRouteCache(): bool {
  return callForeignFunctionBytes(CLEAR_ROUTE_CACHE, NO_ARGUMENT) == Status.Ok;
}
