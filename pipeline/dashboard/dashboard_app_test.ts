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

const ALLOWED = new Set(["127.0.0.1", "localhost", "::1"]);

function fakeActions(calls: string[], overrides: Partial<DashboardActions> = {}): DashboardActions {
  return {
    produce: (count, badRate) => {
      calls.push(`produce ${count} ${badRate}`);
      return Promise.resolve({ sent: count });
    },
    previewReplay: (request) => {
      calls.push(`preview ${JSON.stringify(request)}`);
      return Promise.resolve({
        summary: {
          type: "summary",
          dryRun: true,
          sent: 1,
          parked: 0,
          skipped: 0,
          unreadable: 0,
          complete: true,
        },
        letters: [{
          type: "would-send",
          dlq: "0:7",
          to: "orders",
          group: "orders-pipeline",
          orderId: "ORD-7",
          correlationId: null,
          replays: 0,
        }],
      });
    },
    startReplay: (request) => {
      calls.push(`replay ${request.positions.join(",")}`);
      return Promise.resolve({ id: "replay-1" });
    },
    message: (topic, partition, offset) => {
      calls.push(`message ${topic} ${partition}@${offset}`);
      return Promise.resolve(undefined);
    },
    browse: (topic, partition, from, count) => {
      calls.push(
        `browse ${topic} ${partition} ${
          JSON.stringify(String(typeof from === "bigint" ? from : from.time))
        } ${count}`,
      );
      return Promise.resolve({ topic, partition, low: "0", high: "0", start: "0", records: [] });
    },
    ...overrides,
  };
}

function setup(token: string | null = null) {
  const state = createDashboardState({ topics: TOPICS });
  const calls: string[] = [];
  const listeners = new Set<() => void>();
  const closing = new AbortController();
  const metrics = createDashboardMetrics(() => state.view());
  const app = createDashboardApp({
    view: () => state.view(),
    onUpdate: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    actions: fakeActions(calls),
    token,
    allowedHosts: ALLOWED,
    topics: Object.values(TOPICS).slice(0, 4),
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
    const [path, type] of [
      ["/", "text/html"],
      ["/app.js", "text/javascript"],
      ["/app.css", "text/css"],
      // The page names its icon, so no browser asks for a /favicon.ico that is not there.
      ["/favicon.svg", "image/svg+xml"],
    ]
  ) {
    const response = await app.fetch(new Request(`http://127.0.0.1:8080${path}`));
    assert.equal(response.status, 200, path);
    assert.ok(response.headers.get("content-type")?.startsWith(type), path);
    assert.match(response.headers.get("content-security-policy") ?? "", /script-src 'self'/);
    const text = await response.text();
    assert.ok(text.length > 100, path);
    if (path === "/") assert.match(text, /<link rel="icon" href="\/favicon\.svg"/);
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

Deno.test("off loopback, every read and write of data needs the token", async () => {
  const { app, calls } = setup("s3cret");
  const [missing, missingText] = await error(await app.fetch(post("/api/produce", { count: 1 })));
  assert.equal(missing, 401);
  assert.match(missingText, /Missing token/);
  const [wrong, wrongText] = await error(
    await app.fetch(
      post("/api/replay", { positions: ["0:1"], dryRun: false }, { [TOKEN_HEADER]: "nope" }),
    ),
  );
  assert.equal(wrong, 403);
  assert.match(wrongText, /Wrong token/);
  const ok = await app.fetch(post("/api/produce", { count: 2 }, { [TOKEN_HEADER]: "s3cret" }));
  assert.equal(ok.status, 200);
  await ok.body?.cancel();
  // A write never takes the token from the URL, where it could be forged into a link.
  const [queryWrite] = await error(
    await app.fetch(post("/api/produce?token=s3cret", { count: 1 })),
  );
  assert.equal(queryWrite, 401);
  // Reads need it too: the view, the event stream, messages, the browser, metrics.
  for (
    const path of [
      "/api/state",
      "/events",
      "/api/message?topic=orders&partition=0&offset=1",
      "/api/browse?topic=orders&partition=0",
      "/metrics",
    ]
  ) {
    const [status, text] = await error(
      await app.fetch(new Request(`http://127.0.0.1:8080${path}`)),
    );
    assert.equal(status, 401, path);
    assert.match(text, /Missing token/, path);
  }
  const byQuery = await app.fetch(new Request("http://127.0.0.1:8080/api/state?token=s3cret"));
  assert.equal(byQuery.status, 200);
  assert.equal(byQuery.headers.get("x-content-type-options"), "nosniff");
  assert.match(byQuery.headers.get("content-type") ?? "", /^application\/json/);
  await byQuery.body?.cancel();
  const byBearer = await app.fetch(
    new Request("http://127.0.0.1:8080/metrics", { headers: { authorization: "Bearer s3cret" } }),
  );
  assert.equal(byBearer.status, 200);
  await byBearer.body?.cancel();
  // The page itself and /healthz carry no data and stay open.
  for (const path of ["/", "/app.js", "/uplot.js", "/healthz"]) {
    const response = await app.fetch(new Request(`http://127.0.0.1:8080${path}`));
    assert.equal(response.status, 200, path);
    await response.body?.cancel();
  }
  assert.deepEqual(calls, ["produce 2 0"]);
});

Deno.test("a Host the server was not started for is refused, which stops DNS rebinding", async () => {
  const { app, calls } = setup();
  for (const host of ["evil.example", "evil.example:8080", "127.0.0.1.evil.example"]) {
    for (
      const request of [
        new Request("http://127.0.0.1:8080/api/state", { headers: { host } }),
        new Request("http://127.0.0.1:8080/", { headers: { host } }),
        post("/api/produce", { count: 1 }, { host, origin: `http://${host}` }),
      ]
    ) {
      const [status, text] = await error(await app.fetch(request));
      assert.equal(status, 421, `${host} ${request.url}`);
      assert.match(text, /is not served here: start the dashboard with --allowed-host/);
    }
  }
  for (const host of ["127.0.0.1:8080", "localhost:8080", "[::1]:8080", "LOCALHOST"]) {
    const response = await app.fetch(
      new Request("http://127.0.0.1:8080/api/state", { headers: { host } }),
    );
    assert.equal(response.status, 200, host);
    await response.body?.cancel();
  }
  assert.deepEqual(calls, []);
});

Deno.test("a mutation from an opaque origin (Origin: null) is refused", async () => {
  const { app, calls } = setup();
  for (const path of ["/api/produce", "/api/replay"]) {
    const [status, text] = await error(
      await app.fetch(
        post(path, { count: 1, positions: ["0:1"], dryRun: false }, { origin: "null" }),
      ),
    );
    assert.equal(status, 403, path);
    assert.match(text, /opaque origin/);
  }
  assert.deepEqual(calls, []);
});

Deno.test("/api/replay previews a filter or a selection, and replays only confirmed positions", async () => {
  const { app, calls } = setup();
  const preview = await app.fetch(
    post("/api/replay", { filter: { errorClass: "poison", text: "ORD" }, dryRun: true }),
  );
  assert.equal(preview.status, 200);
  assert.deepEqual((await preview.json()).letters.map((l: { dlq: string }) => l.dlq), ["0:7"]);
  const started = await app.fetch(
    post("/api/replay", { positions: ["0:7", "2:11"], dryRun: false }),
  );
  assert.deepEqual([started.status, await started.json()], [202, { id: "replay-1" }]);
  const cases: Array<[unknown, RegExp]> = [
    [{ filter: {}, dryRun: false }, /give 'positions' from the dry run/],
    [
      { positions: ["0-7"], dryRun: false },
      /'positions' must be 1 to 10000 'partition:offset' strings/,
    ],
    [{ positions: [], dryRun: true }, /'positions'/],
    [{ filter: { since: "soon" }, dryRun: true }, /'filter.since' must be a time/],
    [{ filter: { errorClass: 5 }, dryRun: true }, /'filter.errorClass' must be text/],
    [{ positions: ["0:7"], dryRun: "yes" }, /'dryRun' must be true \(preview\) or false/],
    [{ positions: ["0:7"], dryRun: false, to: "a b" }, /'to' must be a topic name/],
  ];
  for (const [body, message] of cases) {
    const [status, text] = await error(await app.fetch(post("/api/replay", body)));
    assert.equal(status, 400, JSON.stringify(body));
    assert.match(text, message);
  }
  assert.deepEqual(calls, [
    'preview {"filter":{"errorClass":"poison","text":"ORD"}}',
    "replay 0:7,2:11",
  ]);
});

Deno.test("/api/message and /api/browse check the topic, partition, offset and time", async () => {
  const { app, calls } = setup();
  const [missing, missingText] = await error(
    await app.fetch(
      new Request("http://127.0.0.1:8080/api/message?topic=orders&partition=1&offset=5"),
    ),
  );
  assert.equal(missing, 404);
  assert.match(missingText, /No record at orders partition 1 offset 5/);
  const page = await app.fetch(
    new Request(
      "http://127.0.0.1:8080/api/browse?topic=orders-dlq&partition=2&time=2026-01-01T00:00:00Z&count=5",
    ),
  );
  assert.equal(page.status, 200);
  await page.body?.cancel();
  const cases: Array<[string, RegExp]> = [
    [
      "/api/browse?topic=secrets&partition=0",
      /'topic' must be one of orders, orders-retry, orders-dlq, orders-stats/,
    ],
    ["/api/browse?topic=orders&partition=-1", /'partition' must be a whole number/],
    ["/api/browse?topic=orders&partition=0&offset=x", /'offset' must be a decimal string/],
    [
      "/api/browse?topic=orders&partition=0&time=soon",
      /'time' must be ms since the epoch or an ISO date-time/,
    ],
    [
      "/api/browse?topic=orders&partition=0&count=1000",
      /'count' must be a whole number from 1 to 100/,
    ],
    ["/api/message?topic=orders&partition=0&offset=-3", /'offset' must be a decimal string/],
  ];
  for (const [path, message] of cases) {
    const [status, text] = await error(
      await app.fetch(new Request(`http://127.0.0.1:8080${path}`)),
    );
    assert.equal(status, 400, path);
    assert.match(text, message);
  }
  assert.deepEqual(calls, ["message orders 1@5", 'browse orders-dlq 2 "1767225600000" 5']);
});

Deno.test("a failing action answers 502 with its reason", async () => {
  const app = createDashboardApp({
    view: () => createDashboardState({ topics: TOPICS }).view(),
    onUpdate: () => () => {},
    actions: fakeActions([], { produce: () => Promise.reject(new Error("broker unreachable")) }),
    token: null,
    allowedHosts: ALLOWED,
    topics: ["orders"],
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
