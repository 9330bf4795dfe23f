/**
 * The dashboard's HTTP app: the page, server-sent events with the view,
 * the produce and replay actions, `/metrics` and `/healthz`. A value you call
 * as `app.fetch(request)`; serving it on a port is `startDashboard`'s job.
 *
 * @module
 */
import type { Registry } from "prom-client";
import { healthResponse } from "../metrics/metrics_app.ts";
import type { DashboardView } from "./dashboard_state.ts";

/** What the dashboard's buttons do: a narrow interface, so tests and other tiers can supply it. */
export interface DashboardActions {
  /** Produces `count` random orders, a share `badRate` of them bad; resolves once acknowledged. */
  produce(count: number, badRate: number): Promise<{ sent: number }>;
  /**
   * Replays the dead letter at `partition`/`offset` of the dead-letter topic
   * to its original topic; resolves to where it went, or `undefined` when the
   * dashboard does not hold that dead letter.
   */
  replay(
    partition: number,
    offset: string,
  ): Promise<{ topic: string; replayCount: number } | undefined>;
}

/** What {@link createDashboardApp} needs. */
export interface DashboardAppDeps {
  /** The current view. */
  view(): DashboardView;
  /** Calls `listener` whenever the view changed; returns the call that stops it. */
  onUpdate(listener: () => void): () => void;
  actions: DashboardActions;
  /** The token produce and replay need, or null where none is needed (loopback). */
  token: string | null;
  registry: Registry;
  health(): { ok: boolean; detail: string };
  /** Largest `count` one produce request may ask for. @default 10000 */
  maxProduce?: number;
  /** Aborting it ends every open event stream (a server waits for them before it stops). */
  signal?: AbortSignal;
  /** SSE keep-alive comment interval in ms. @default 15000 */
  keepAliveMs?: number;
}

const STATIC: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/app.css": { file: "app.css", type: "text/css; charset=utf-8" },
};

/** The header carrying the token. */
export const TOKEN_HEADER = "x-dashboard-token";

/**
 * Creates the app. Reads `static/` beside this file once (`--allow-read`).
 *
 * @example
 * ```ts ignore
 * import { createDashboardApp } from "./dashboard_app.ts";
 * const app = createDashboardApp(deps);
 * const response = await app.fetch(new Request("http://127.0.0.1/healthz"));
 * ```
 */
export function createDashboardApp(
  deps: DashboardAppDeps,
): { fetch(request: Request): Promise<Response> } {
  const { view, onUpdate, actions, token, registry, health } = deps;
  const { maxProduce = 10_000, keepAliveMs = 15_000, signal } = deps;
  const files = new Map(
    Object.entries(STATIC).map(([path, { file, type }]) => [
      path,
      { body: Deno.readTextFileSync(new URL(`./static/${file}`, import.meta.url)), type },
    ]),
  );

  const routes: Record<string, Record<string, (request: Request) => Promise<Response>>> = {
    "/events": { GET: () => Promise.resolve(events(view, onUpdate, keepAliveMs, signal)) },
    "/api/state": { GET: () => Promise.resolve(Response.json(view())) },
    "/api/produce": {
      POST: (request) =>
        mutation(request, token, async (body) => {
          const count = body.count;
          if (
            typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > maxProduce
          ) {
            return problem(
              400,
              `'count' must be a whole number from 1 to ${maxProduce}, got ${
                JSON.stringify(count)
              }`,
            );
          }
          const badRate = body.badRate ?? 0;
          if (typeof badRate !== "number" || !(badRate >= 0 && badRate <= 1)) {
            return problem(
              400,
              `'badRate' must be a number from 0 to 1, got ${JSON.stringify(badRate)}`,
            );
          }
          const { sent } = await actions.produce(count, badRate);
          return Response.json({ sent }, { status: 200 });
        }),
    },
    "/api/replay": {
      POST: (request) =>
        mutation(request, token, async (body) => {
          const { partition, offset } = body;
          if (typeof partition !== "number" || !Number.isInteger(partition) || partition < 0) {
            return problem(
              400,
              `'partition' must be a whole number >= 0, got ${JSON.stringify(partition)}`,
            );
          }
          if (typeof offset !== "string" || !/^\d{1,19}$/.test(offset)) {
            return problem(400, `'offset' must be a decimal string, got ${JSON.stringify(offset)}`);
          }
          const replayed = await actions.replay(partition, offset);
          if (!replayed) {
            return problem(
              404,
              `No dead letter at partition ${partition} offset ${offset} among the latest shown`,
            );
          }
          return Response.json(replayed);
        }),
    },
    "/metrics": {
      GET: async () =>
        new Response(await registry.metrics(), {
          headers: { "content-type": registry.contentType },
        }),
    },
    "/healthz": { GET: () => Promise.resolve(healthResponse(health())) },
  };

  return {
    async fetch(request) {
      const { pathname } = new URL(request.url);
      const page = files.get(pathname);
      if (page) {
        if (request.method !== "GET" && request.method !== "HEAD") return notAllowed(["GET"]);
        return new Response(page.body, {
          headers: { "content-type": page.type, ...SECURITY_HEADERS },
        });
      }
      const route = routes[pathname];
      if (!route) return problem(404, `Not found: ${pathname}`);
      const handler = route[request.method];
      if (!handler) return notAllowed(Object.keys(route));
      try {
        return await handler(request);
      } catch (err) {
        return problem(502, `Failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
  };
}

// The page runs only its own script, and never in a frame.
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
};

function problem(status: number, message: string): Response {
  return Response.json({ error: message }, { status });
}

function notAllowed(methods: string[]): Response {
  return new Response(
    JSON.stringify({ error: `Method not allowed: use ${methods.join(" or ")}` }),
    {
      status: 405,
      headers: { allow: methods.join(", "), "content-type": "application/json" },
    },
  );
}

/**
 * The checks every mutating request passes: same origin, the token where one
 * is needed, and a JSON body (which a cross-site form cannot send).
 */
async function mutation(
  request: Request,
  token: string | null,
  handle: (body: Record<string, unknown>) => Promise<Response>,
): Promise<Response> {
  const origin = request.headers.get("origin");
  const host = request.headers.get("host") ?? new URL(request.url).host;
  if (origin !== null && origin !== "null" && new URL(origin).host !== host) {
    return problem(403, `Cross-origin request refused: origin ${origin} is not ${host}`);
  }
  if (token !== null) {
    const given = request.headers.get(TOKEN_HEADER);
    if (given === null || given === "") {
      return problem(
        401,
        `Missing token: this dashboard is not on loopback, so produce and replay need the token printed at start-up (header ${TOKEN_HEADER}, or open the page with ?token=...)`,
      );
    }
    if (!sameText(given, token)) {
      return problem(403, "Wrong token: use the one printed at start-up");
    }
  }
  const type = request.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/json")) {
    return problem(
      415,
      `The body must be JSON (content-type application/json), got ${type || "none"}`,
    );
  }
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return problem(400, "The body is not valid JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return problem(400, "The body must be a JSON object");
  }
  return handle(body as Record<string, unknown>);
}

/** Compares in time independent of where the strings differ. */
function sameText(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

function events(
  view: () => DashboardView,
  onUpdate: (listener: () => void) => () => void,
  keepAliveMs: number,
  signal: AbortSignal | undefined,
): Response {
  const encoder = new TextEncoder();
  let stop = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = () => {
        try {
          controller.enqueue(encoder.encode(`event: state\ndata: ${JSON.stringify(view())}\n\n`));
        } catch {
          stop();
        }
      };
      const keepAlive = setInterval(() => {
        try {
          controller.enqueue(encoder.encode(": keep-alive\n\n"));
        } catch {
          stop();
        }
      }, keepAliveMs);
      const unsubscribe = onUpdate(send);
      const end = () => {
        stop();
        controller.close();
      };
      stop = () => {
        clearInterval(keepAlive);
        unsubscribe();
        signal?.removeEventListener("abort", end);
      };
      if (signal?.aborted) return end();
      signal?.addEventListener("abort", end, { once: true });
      send();
    },
    cancel() {
      stop();
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream",
      "cache-control": "no-store",
      "x-accel-buffering": "no",
    },
  });
}
