/**
 * The dashboard's HTTP app: the page, server-sent events with the view,
 * the produce and replay actions, `/metrics` and `/healthz`. A value you call
 * as `app.fetch(request)`; serving it on a port is the command's job.
 *
 * @module
 */
import { createRequire } from "node:module";
import { pathToFileURL as toFileUrl } from "node:url";
import type { Registry } from "prom-client";
import { errorMessage } from "../errors.ts";
import { healthResponse, metricsResponse } from "../metrics/metrics_app.ts";
import type { ReplayEvent, ReplaySummary } from "../replay/replay_dead_letters.ts";
import type { DashboardView } from "./dashboard_state.ts";
import { type DeadLetterFilter, parseDeadLetterFilter } from "./dead_letter_filter.ts";
import type { RecordDetail } from "./describe_record.ts";

/** A replay the page asks for: hand-picked letters, or every letter that matches a filter. */
export interface ReplayRequest {
  /** `partition:offset` of each letter on the DLQ; when given, the filter is not used. */
  positions?: string[];
  filter: DeadLetterFilter;
  /** Send here instead of each letter's original topic. */
  to?: string;
}

/** A page of one partition for the topic browser. */
export interface BrowsePage {
  topic: string;
  partition: number;
  /** The partition's earliest and end offsets. */
  low: string;
  high: string;
  start: string;
  records: RecordDetail[];
}

/** What the dashboard's buttons do: a narrow interface, so tests and other tiers can supply it. */
export interface DashboardActions {
  /** Produces `count` random orders, a share `badRate` of them bad; resolves once acknowledged. */
  produce(count: number, badRate: number): Promise<{ sent: number }>;
  /** The dry run of a replay: what would be sent, parked or skipped, sending nothing. */
  previewReplay(
    request: ReplayRequest,
  ): Promise<{ summary: ReplaySummary; letters: ReplayEvent[] }>;
  /** Starts the replay of confirmed letters; progress shows in the view's `replay`. */
  startReplay(request: { positions: string[]; to?: string }): Promise<{ id: string }>;
  /** One message, described, or undefined when the topic has no record there. */
  message(topic: string, partition: number, offset: string): Promise<RecordDetail | undefined>;
  /** A page of a partition from an offset or a time. */
  browse(
    topic: string,
    partition: number,
    from: bigint | { time: number },
    count: number,
  ): Promise<BrowsePage>;
}

/** What {@link createDashboardApp} needs. */
export interface DashboardAppDeps {
  /** The current view. */
  view(): DashboardView;
  /** Calls `listener` whenever the view changed; returns the call that stops it. */
  onUpdate(listener: () => void): () => void;
  actions: DashboardActions;
  /** The token every request but the page and `/healthz` needs, or null on loopback. */
  token: string | null;
  /**
   * Host names and addresses (without port) a request's `Host` may name;
   * anything else is refused, which stops DNS rebinding. Empty: any host.
   */
  allowedHosts: ReadonlySet<string>;
  registry: Registry;
  health(): { ok: boolean; detail: string };
  /** The topics the browser may read. */
  topics: readonly string[];
  /** Largest `count` one produce request may ask for. @default 10000 */
  maxProduce?: number;
  /** Aborting it ends every open event stream (a server waits for them before it stops). */
  signal?: AbortSignal;
  /** SSE keep-alive comment interval in ms. @default 15000 */
  keepAliveMs?: number;
}

/** A static file: read beside this module, or from an npm package (the chart library). */
const STATIC: Record<string, { file: URL; type: string }> = {
  "/": { file: new URL("./static/index.html", import.meta.url), type: "text/html; charset=utf-8" },
  "/app.js": {
    file: new URL("./static/app.js", import.meta.url),
    type: "text/javascript; charset=utf-8",
  },
  "/app.css": {
    file: new URL("./static/app.css", import.meta.url),
    type: "text/css; charset=utf-8",
  },
  "/favicon.svg": {
    file: new URL("./static/favicon.svg", import.meta.url),
    type: "image/svg+xml",
  },
};

/** Letters one replay request may name. */
export const MAX_REPLAY_POSITIONS = 10_000;

/** The header carrying the token. */
export const TOKEN_HEADER = "x-dashboard-token";

/**
 * Creates the app. Reads `static/` beside this file and the chart library's
 * files once (`--allow-read`).
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
  const { view, onUpdate, actions, token, registry, health, allowedHosts, topics } = deps;
  const { maxProduce = 10_000, keepAliveMs = 15_000, signal } = deps;
  const files = new Map(
    Object.entries({ ...STATIC, ...chartFiles() }).map(([path, { file, type }]) => [
      path,
      { body: Deno.readTextFileSync(file), type },
    ]),
  );

  const reads: Record<string, (url: URL) => Promise<Response>> = {
    "/events": () => Promise.resolve(events(view, onUpdate, keepAliveMs, signal)),
    "/api/state": () => Promise.resolve(Response.json(view())),
    "/api/message": async (url) => {
      const where = position(url, topics);
      if (where instanceof Response) return where;
      const offset = url.searchParams.get("offset") ?? "";
      if (!/^\d{1,19}$/.test(offset)) {
        return problem(400, `'offset' must be a decimal string, got ${JSON.stringify(offset)}`);
      }
      const detail = await actions.message(where.topic, where.partition, offset);
      if (!detail) {
        return problem(
          404,
          `No record at ${where.topic} partition ${where.partition} offset ${offset}`,
        );
      }
      return Response.json(detail);
    },
    "/api/browse": async (url) => {
      const where = position(url, topics);
      if (where instanceof Response) return where;
      const offset = url.searchParams.get("offset");
      const time = url.searchParams.get("time");
      const count = Number(url.searchParams.get("count") ?? 20);
      if (!Number.isInteger(count) || count < 1 || count > 100) {
        return problem(
          400,
          `'count' must be a whole number from 1 to 100, got ${
            JSON.stringify(url.searchParams.get("count"))
          }`,
        );
      }
      let from: bigint | { time: number };
      if (time !== null) {
        const ms = /^\d+$/.test(time) ? Number(time) : Date.parse(time);
        if (Number.isNaN(ms)) {
          return problem(
            400,
            `'time' must be ms since the epoch or an ISO date-time, got ${JSON.stringify(time)}`,
          );
        }
        from = { time: ms };
      } else if (offset === null || offset === "") from = 0n;
      else if (/^\d{1,19}$/.test(offset)) from = BigInt(offset);
      else return problem(400, `'offset' must be a decimal string, got ${JSON.stringify(offset)}`);
      return Response.json(await actions.browse(where.topic, where.partition, from, count));
    },
    "/metrics": () => metricsResponse(registry),
  };

  const writes: Record<string, (body: Record<string, unknown>) => Promise<Response>> = {
    "/api/produce": async (body) => {
      const count = body.count;
      if (
        typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > maxProduce
      ) {
        return problem(
          400,
          `'count' must be a whole number from 1 to ${maxProduce}, got ${JSON.stringify(count)}`,
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
    },
    "/api/replay": async (body) => {
      const request = replayRequest(body);
      if (request instanceof Response) return request;
      if (body.dryRun === true) return Response.json(await actions.previewReplay(request));
      if (body.dryRun !== false) {
        return problem(
          400,
          `'dryRun' must be true (preview) or false (replay), got ${JSON.stringify(body.dryRun)}`,
        );
      }
      if (!request.positions) {
        return problem(
          400,
          "A replay sends confirmed letters only: give 'positions' from the dry run",
        );
      }
      return Response.json(
        await actions.startReplay({ positions: request.positions, to: request.to }),
        {
          status: 202,
        },
      );
    },
  };

  return {
    async fetch(request) {
      const response = await respond(request);
      // No response is ever read as markup by a browser guessing its type.
      response.headers.set("x-content-type-options", "nosniff");
      return response;
    },
  };

  async function respond(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const refused = hostRefused(request, url, allowedHosts);
    if (refused) return refused;
    const page = files.get(url.pathname);
    if (page) {
      if (request.method !== "GET" && request.method !== "HEAD") return notAllowed(["GET"]);
      return new Response(page.body, {
        headers: { "content-type": page.type, ...SECURITY_HEADERS },
      });
    }
    if (url.pathname === "/healthz") {
      if (request.method !== "GET") return notAllowed(["GET"]);
      return healthResponse(health());
    }
    const read = Object.hasOwn(reads, url.pathname) ? reads[url.pathname] : undefined;
    const write = Object.hasOwn(writes, url.pathname) ? writes[url.pathname] : undefined;
    if (!read && !write) return problem(404, `Not found: ${url.pathname}`);
    if ((read && request.method !== "GET") || (write && request.method !== "POST")) {
      return notAllowed([read ? "GET" : "POST"]);
    }
    try {
      const unauthorized = tokenRefused(request, url, token, write !== undefined);
      if (unauthorized) return unauthorized;
      if (read) return await read(url);
      return await mutation(request, write!);
    } catch (err) {
      if (err instanceof RangeError || err instanceof TypeError) return problem(400, err.message);
      if (err instanceof ConflictError) return problem(409, err.message);
      return problem(502, `Failed: ${errorMessage(err)}`);
    }
  }
}

/** Thrown by an action that cannot run now (a replay is already running): 409. */
export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConflictError";
  }
}

/** The chart library's files, served from our own origin (no CDN, so the CSP stays 'self'). */
function chartFiles(): Record<string, { file: URL; type: string }> {
  const require = createRequire(import.meta.url);
  const file = (name: string) => toFileUrl(require.resolve(`uplot/dist/${name}`));
  return {
    "/uplot.js": { file: file("uPlot.iife.min.js"), type: "text/javascript; charset=utf-8" },
    "/uplot.css": { file: file("uPlot.min.css"), type: "text/css; charset=utf-8" },
  };
}

function position(
  url: URL,
  topics: readonly string[],
): { topic: string; partition: number } | Response {
  const topic = url.searchParams.get("topic") ?? "";
  if (!topics.includes(topic)) {
    return problem(
      400,
      `'topic' must be one of ${topics.join(", ")}, got ${JSON.stringify(topic)}`,
    );
  }
  const text = url.searchParams.get("partition") ?? "";
  if (!/^\d{1,5}$/.test(text)) {
    return problem(400, `'partition' must be a whole number >= 0, got ${JSON.stringify(text)}`);
  }
  return { topic, partition: Number(text) };
}

function replayRequest(body: Record<string, unknown>): ReplayRequest | Response {
  let filter: DeadLetterFilter;
  try {
    filter = parseDeadLetterFilter(body.filter);
  } catch (err) {
    return problem(400, errorMessage(err));
  }
  const { positions, to } = body;
  if (positions !== undefined) {
    if (
      !Array.isArray(positions) || positions.length === 0 ||
      positions.length > MAX_REPLAY_POSITIONS ||
      !positions.every((p) => typeof p === "string" && /^\d{1,5}:\d{1,19}$/.test(p))
    ) {
      return problem(
        400,
        `'positions' must be 1 to ${MAX_REPLAY_POSITIONS} 'partition:offset' strings, got ${
          JSON.stringify(positions).slice(0, 80)
        }`,
      );
    }
  }
  if (to !== undefined && (typeof to !== "string" || !/^[A-Za-z0-9._-]{1,249}$/.test(to))) {
    return problem(400, `'to' must be a topic name, got ${JSON.stringify(to)}`);
  }
  return { positions: positions as string[] | undefined, filter, to: to as string | undefined };
}

// The page runs only its own script, and never in a frame.
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
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
 * Refuses a request whose `Host` is not one the server was started for: a
 * page on another name that resolves to us (DNS rebinding) gets nothing.
 */
function hostRefused(
  request: Request,
  url: URL,
  allowed: ReadonlySet<string>,
): Response | undefined {
  if (allowed.size === 0) return undefined;
  const host = hostName(request.headers.get("host") ?? url.host);
  if (allowed.has(host)) return undefined;
  return problem(
    421,
    `Host ${
      JSON.stringify(host)
    } is not served here: start the dashboard with --allowed-host ${host} to allow it`,
  );
}

/** The name or address of a Host header, without its port, lower case. */
export function hostName(host: string): string {
  const bracketed = host.match(/^\[([^\]]+)\](?::\d+)?$/);
  if (bracketed) return bracketed[1].toLowerCase();
  return host.replace(/:\d+$/, "").toLowerCase();
}

/** Off loopback, every read and write of data needs the token. */
function tokenRefused(
  request: Request,
  url: URL,
  token: string | null,
  isWrite: boolean,
): Response | undefined {
  if (token === null) return undefined;
  const bearer = request.headers.get("authorization")?.match(/^Bearer (.+)$/)?.[1];
  // EventSource cannot send headers: reads may carry the token in the query.
  const given = request.headers.get(TOKEN_HEADER) ?? bearer ??
    (isWrite ? null : url.searchParams.get("token"));
  if (given === null || given === "") {
    return problem(
      401,
      `Missing token: this dashboard is not on loopback, so its data and actions need the token printed at start-up (header ${TOKEN_HEADER}, or open the page with ?token=...)`,
    );
  }
  if (!sameText(given, token)) return problem(403, "Wrong token: use the one printed at start-up");
  return undefined;
}

/**
 * The checks every mutating request passes: same origin (an opaque `null`
 * origin is refused), and a JSON body (which a cross-site form cannot send).
 */
async function mutation(
  request: Request,
  handle: (body: Record<string, unknown>) => Promise<Response>,
): Promise<Response> {
  const origin = request.headers.get("origin");
  const host = request.headers.get("host") ?? new URL(request.url).host;
  if (origin === "null") {
    return problem(
      403,
      "Request refused: an opaque origin (Origin: null, from a sandboxed page or a file) may not change anything",
    );
  }
  if (origin !== null && URL.canParse(origin) && new URL(origin).host !== host) {
    return problem(403, `Cross-origin request refused: origin ${origin} is not ${host}`);
  }
  if (origin !== null && !URL.canParse(origin)) {
    return problem(403, `Request refused: origin ${JSON.stringify(origin)} is not a URL`);
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
