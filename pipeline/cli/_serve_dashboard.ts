// The dashboard on a port: the library gives the app, the command owns the
// server it runs in (the dashboard and demo commands serve it this way).
import { DEFAULTS } from "../config.ts";
import { createDashboard, type DashboardOptions } from "../dashboard/create_dashboard.ts";

/** A dashboard and the server that serves it. */
export interface ServedDashboard {
  /** The page's address, with `?token=` when one is needed. */
  url: string;
  /** The token data and actions need, or null on loopback. */
  token: string | null;
  /** Stops the dashboard, then its server. */
  stop(): Promise<void>;
}

/**
 * Creates the dashboard and serves it on `port` of `options.host` (0 picks a
 * free port); it listens once this returns.
 */
export function serveDashboard(options: DashboardOptions & { port: number }): ServedDashboard {
  const dashboard = createDashboard(options);
  const hostname = options.host ?? DEFAULTS.dashboard.host;
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({ hostname, port: options.port, onListen: () => {} }, dashboard.fetch);
  } catch (err) {
    void dashboard.stop();
    throw err;
  }
  return {
    url: dashboard.urlAt(server.addr),
    token: dashboard.token,
    async stop() {
      // First the dashboard: it ends the event streams the shutdown waits for.
      const stopped = dashboard.stop();
      await server.shutdown();
      await stopped;
    },
  };
}
