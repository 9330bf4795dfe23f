import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { parsePrometheusText, sampleValue } from "../../tests/_prometheus_text.ts";
import { createDashboardApp, type DashboardActions, TOKEN_HEADER } from "./dashboard_app.ts";
import { createDashboardMetrics } from "./dashboard_metrics.ts";
import { createDashboardState } from "./dashboard_state.ts";

const TOPICS = {
  orders: "orders",
  retry: "orders-retry",
  dlq: "orders-dlq",
  stats: "orders-stats",
  groupId: "g",
};

function setup(token: string | null = null) {
  const state = createDashboardState({ topics: TOPICS });
  const calls: string[] = [];
  const actions: DashboardActions = {
    produce: (count, badRate) => {
      calls.push(`produce ${count} ${badRate}`);
      return Promise.resolve({ sent: count });
    },
    replay: (partition, offset) => {
      calls.push(`replay ${partition}@${offset}`);
      return Promise.resolve(
        offset === "404" ? undefined : { topic: "orders", replayCount: 1 },
      );
    },
  };
  const listeners = new Set<() => void>();
  const closing = new AbortController();
  const metrics = createDashboardMetrics(() => state.view());
  const app = createDashboardApp({
    view: () => state.view(),
    onUpdate: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    actions,
    token,
    registry: metrics.registry,
    health: () => ({ ok: true, detail: "tailing topics" }),
    signal: closing.signal,
  });
  return { app, calls, listeners, closing };
}

function post(path: string, body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(`http://127.0.0.1:8080${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function error(response: Response): Promise<[number, string]> {
  return [response.status, (await response.json()).error];
}

Deno.test("the dashboard app serves the page, its script and style, with a strict CSP", async () => {
  const { app } = setup();
  for (
    const [path, type] of [["/", "text/html"], ["/app.js", "text/javascript"], [
      "/app.css",
      "text/css",
    ]]
  ) {
    const response = await app.fetch(new Request(`http://127.0.0.1:8080${path}`));
    assert.equal(response.status, 200, path);
    assert.ok(response.headers.get("content-type")?.startsWith(type), path);
    assert.match(response.headers.get("content-security-policy") ?? "", /script-src 'self'/);
    const text = await response.text();
    assert.ok(text.length > 100, path);
  }
});

Deno.test("the page's script never writes markup from data", async () => {
  const { app } = setup();
  const script = await (await app.fetch(new Request("http://127.0.0.1:8080/app.js"))).text();
  assert.doesNotMatch(script, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  assert.match(script, /textContent/);
});

Deno.test("/api/state and /events give the view, and /events pushes each update", async () => {
  const { app, listeners, closing } = setup();
  const state = await (await app.fetch(new Request("http://127.0.0.1:8080/api/state"))).json();
  assert.equal(state.topics.orders, "orders");
  assert.equal(state.aggregate.average, null);
  const response = await app.fetch(new Request("http://127.0.0.1:8080/events"));
  assert.equal(response.headers.get("content-type"), "text/event-stream");
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const first = (await reader.read()).value ?? "";
  assert.match(first, /^event: state\ndata: \{.*"topics"/);
  assert.equal(listeners.size, 1);
  for (const listener of listeners) listener();
  assert.match((await reader.read()).value ?? "", /^event: state\n/);
  closing.abort();
  assert.equal((await reader.read()).done, true);
  assert.equal(listeners.size, 0);
});

Deno.test("/api/produce produces a valid count and bad rate", async () => {
  const { app, calls } = setup();
  const response = await app.fetch(post("/api/produce", { count: 12, badRate: 0.25 }));
  assert.deepEqual([response.status, await response.json()], [200, { sent: 12 }]);
  const defaulted = await app.fetch(post("/api/produce", { count: 1 }));
  assert.equal(defaulted.status, 200);
  await defaulted.body?.cancel();
  assert.deepEqual(calls, ["produce 12 0.25", "produce 1 0"]);
});

Deno.test("/api/produce refuses bad input with a 4xx that says what is wrong", async () => {
  const { app, calls } = setup();
  const cases: Array<[unknown, number, RegExp]> = [
    [{ count: "ten" }, 400, /'count' must be a whole number from 1 to 10000, got "ten"/],
    [{ count: 1e9 }, 400, /'count' must be a whole number from 1 to 10000, got 1000000000/],
    [{ count: 0 }, 400, /'count'/],
    [{ count: 2.5 }, 400, /'count'/],
    [{}, 400, /'count' must be .* got undefined/],
    [{ count: 3, badRate: 2 }, 400, /'badRate' must be a number from 0 to 1, got 2/],
    [{ count: 3, badRate: "x" }, 400, /'badRate'/],
    ["{not json", 400, /not valid JSON/],
    [[1, 2], 400, /must be a JSON object/],
  ];
  for (const [body, status, message] of cases) {
    const [got, text] = await error(await app.fetch(post("/api/produce", body)));
    assert.equal(got, status, JSON.stringify(body));
    assert.match(text, message);
  }
  const form = new Request("http://127.0.0.1:8080/api/produce", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "count=3",
  });
  const [status, text] = await error(await app.fetch(form));
  assert.equal(status, 415);
  assert.match(text, /must be JSON/);
  assert.deepEqual(calls, []);
});

Deno.test("mutations from another origin are refused", async () => {
  const { app, calls } = setup();
  const [status, text] = await error(
    await app.fetch(post("/api/produce", { count: 1 }, { origin: "https://evil.example" })),
  );
  assert.equal(status, 403);
  assert.match(text, /Cross-origin request refused/);
  assert.deepEqual(calls, []);
});

Deno.test("off loopback, produce and replay need the token", async () => {
  const { app, calls } = setup("s3cret");
  const [missing, missingText] = await error(await app.fetch(post("/api/produce", { count: 1 })));
  assert.equal(missing, 401);
  assert.match(missingText, /Missing token/);
  const [wrong, wrongText] = await error(
    await app.fetch(post("/api/replay", { partition: 0, offset: "1" }, { [TOKEN_HEADER]: "nope" })),
  );
  assert.equal(wrong, 403);
  assert.match(wrongText, /Wrong token/);
  const ok = await app.fetch(post("/api/produce", { count: 2 }, { [TOKEN_HEADER]: "s3cret" }));
  assert.equal(ok.status, 200);
  await ok.body?.cancel();
  // Reading needs no token.
  const state = await app.fetch(new Request("http://127.0.0.1:8080/api/state"));
  assert.equal(state.status, 200);
  await state.body?.cancel();
  assert.deepEqual(calls, ["produce 2 0"]);
});

Deno.test("/api/replay replays a dead letter, and says when it has none there", async () => {
  const { app, calls } = setup();
  const done = await app.fetch(post("/api/replay", { partition: 0, offset: "7" }));
  assert.deepEqual([done.status, await done.json()], [200, { topic: "orders", replayCount: 1 }]);
  const [status, text] = await error(
    await app.fetch(post("/api/replay", { partition: 0, offset: "404" })),
  );
  assert.equal(status, 404);
  assert.match(text, /No dead letter at partition 0 offset 404/);
  const [bad, badText] = await error(
    await app.fetch(post("/api/replay", { partition: -1, offset: "7" })),
  );
  assert.equal(bad, 400);
  assert.match(badText, /'partition' must be a whole number >= 0/);
  const [badOffset, offsetText] = await error(
    await app.fetch(post("/api/replay", { partition: 0, offset: 7 })),
  );
  assert.equal(badOffset, 400);
  assert.match(offsetText, /'offset' must be a decimal string/);
  assert.deepEqual(calls, ["replay 0@7", "replay 0@404"]);
});

Deno.test("a failing action answers 502 with its reason", async () => {
  const app = createDashboardApp({
    view: () => createDashboardState({ topics: TOPICS }).view(),
    onUpdate: () => () => {},
    actions: {
      produce: () => Promise.reject(new Error("broker unreachable")),
      replay: () => Promise.resolve(undefined),
    },
    token: null,
    registry: new Registry(),
    health: () => ({ ok: false, detail: "starting" }),
  });
  const [status, text] = await error(await app.fetch(post("/api/produce", { count: 1 })));
  assert.equal(status, 502);
  assert.match(text, /broker unreachable/);
  const health = await app.fetch(new Request("http://127.0.0.1:8080/healthz"));
  assert.equal(health.status, 503);
  await health.body?.cancel();
});

Deno.test("/metrics and /healthz answer; unknown paths 404 and wrong methods 405", async () => {
  const { app } = setup();
  const metrics = await app.fetch(new Request("http://127.0.0.1:8080/metrics"));
  const samples = parsePrometheusText(await metrics.text());
  assert.equal(sampleValue(samples, "order_pipeline_snapshot_orders"), 0);
  const health = await app.fetch(new Request("http://127.0.0.1:8080/healthz"));
  assert.deepEqual(await health.json(), { status: "ok", detail: "tailing topics" });
  const [missing, missingText] = await error(
    await app.fetch(new Request("http://127.0.0.1:8080/nope")),
  );
  assert.equal(missing, 404);
  assert.match(missingText, /Not found: \/nope/);
  const wrong = await app.fetch(new Request("http://127.0.0.1:8080/api/produce"));
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get("allow"), "POST");
  await wrong.body?.cancel();
  const page = await app.fetch(post("/", {}));
  assert.equal(page.status, 405);
  await page.body?.cancel();
});
