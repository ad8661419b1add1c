// What the demo upstream servers share: listening on loopback with keep-alive
// longer than Envoy's idle timeouts, closing, and their standalone CLI.
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";

/**
 * Listens and resolves with the port. Keep-alive is longer than Envoy's idle
 * timeouts, so Envoy never reuses a connection this side is closing (that race
 * shows up as sporadic 503s).
 */
export function listen(server: Server, port: number, host: string): Promise<number> {
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** http://host:port as a client on this machine reaches it. */
export function baseUrl(host: string, port: number): string {
  const shown = host === "0.0.0.0" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Common standalone options: --port/PORT, --host/HOST, --name/UPSTREAM_NAME. */
export function standaloneOptions(args: string[]): { port: number; host?: string; name?: string } {
  return {
    port: Number(argValue(args, "--port") ?? process.env.PORT ?? 0),
    host: argValue(args, "--host") ?? process.env.HOST,
    name: argValue(args, "--name") ?? process.env.UPSTREAM_NAME,
  };
}

/** Keeps a standalone upstream running until SIGINT/SIGTERM. */
export function stopOnSignal(close: () => Promise<void>): void {
  const stop = () => close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
