/**
 * The consumer's small HTTP face: `/metrics` in Prometheus text format and
 * `/healthz`. A value called as `app.fetch(request)`; serving it is the CLI's job.
 *
 * @module
 */
import type { Registry } from "prom-client";

/** What {@link createMetricsApp} serves. */
export interface MetricsAppOptions {
  registry: Registry;
  /** Whether the process is healthy; `/healthz` answers 503 with the reason when it is not. */
  health: () => { ok: boolean; detail: string };
}

/**
 * Creates the app.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Registry } from "prom-client";
 * import { createMetricsApp } from "./metrics_app.ts";
 * const app = createMetricsApp({
 *   registry: new Registry(),
 *   health: () => ({ ok: true, detail: "consuming" }),
 * });
 * const response = await app.fetch(new Request("http://x/healthz"));
 * assert.equal(response.status, 200);
 * ```
 */
export function createMetricsApp(
  options: MetricsAppOptions,
): { fetch(request: Request): Promise<Response> } {
  const { registry, health } = options;
  return {
    async fetch(request) {
      const { pathname } = new URL(request.url);
      if (pathname !== "/metrics" && pathname !== "/healthz") {
        return new Response("Not found: this server has /metrics and /healthz\n", { status: 404 });
      }
      if (request.method !== "GET" && request.method !== "HEAD") {
        return new Response(`Method ${request.method} not allowed: use GET\n`, {
          status: 405,
          headers: { allow: "GET, HEAD" },
        });
      }
      if (pathname === "/metrics") return await metricsResponse(registry);
      return healthResponse(health());
    },
  };
}

/**
 * The registry's metrics in the Prometheus text format. prom-client writes a
 * NaN gauge as `Nan`, which the format spells `NaN`; strict parsers refuse
 * the first.
 */
export async function metricsResponse(registry: Registry): Promise<Response> {
  const text = (await registry.metrics()).replace(/ Nan$/gm, " NaN");
  return new Response(text, { headers: { "content-type": registry.contentType } });
}

/** The `/healthz` answer: 200 or 503, with a one-line JSON body. */
export function healthResponse(state: { ok: boolean; detail: string }): Response {
  return Response.json(
    { status: state.ok ? "ok" : "unavailable", detail: state.detail },
    { status: state.ok ? 200 : 503 },
  );
}
