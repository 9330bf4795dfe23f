// The dashboard's HTTP guards on a real socket: a foreign Host is refused
// (DNS rebinding), Origin null cannot mutate, and off loopback the token
// guards reads as well as writes.
import assert from "node:assert/strict";
import { serveDashboard } from "../pipeline/cli/_serve_dashboard.ts";

/** One raw HTTP/1.1 request, so the Host and Origin headers are exactly what a browser could send. */
async function raw(
  port: number,
  lines: string[],
  body = "",
): Promise<{ status: number; text: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const head = [
      ...lines,
      `content-length: ${new TextEncoder().encode(body).length}`,
      "connection: close",
    ];
    await conn.write(new TextEncoder().encode(`${head.join("\r\n")}\r\n\r\n${body}`));
    const chunks: Uint8Array[] = [];
    const buffer = new Uint8Array(16_384);
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) break;
      chunks.push(buffer.slice(0, n));
    }
    const text = new TextDecoder().decode(
      new Uint8Array(chunks.flatMap((chunk) => [...chunk])),
    );
    return { status: Number(text.split(" ")[1]), text };
  } finally {
    try {
      conn.close();
    } catch {
      // closed by the server
    }
  }
}

Deno.test({
  name:
    "the dashboard refuses foreign hosts, Origin null mutations and token-less reads off loopback",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    // No broker is needed to check the guards: the readers just wait.
    const dashboard = serveDashboard({
      brokers: ["127.0.0.1:1"],
      host: "0.0.0.0",
      port: 0,
      allowedHosts: ["dashboard.example"],
    });
    try {
      assert.ok(dashboard.token, "off loopback, a token is made up");
      const port = Number(new URL(dashboard.url).port);
      const get = (path: string, host: string) =>
        raw(port, [`GET ${path} HTTP/1.1`, `host: ${host}`]);

      const rebinding = await get("/api/state", `evil.example:${port}`);
      assert.equal(rebinding.status, 421);
      assert.match(rebinding.text, /Host \\"evil.example\\" is not served here/);
      assert.equal((await get("/", "evil.example")).status, 421, "not even the page");

      for (
        const path of ["/api/state", "/events", "/metrics", "/api/browse?topic=orders&partition=0"]
      ) {
        const refused = await get(path, `127.0.0.1:${port}`);
        assert.equal(refused.status, 401, path);
        assert.match(refused.text, /Missing token/);
      }
      const named = await get(`/api/state?token=${dashboard.token}`, `dashboard.example:${port}`);
      assert.equal(named.status, 200, "an --allowed-host name with the token reads");
      assert.match(named.text, /"readers"/);
      assert.equal(
        (await get("/healthz", `localhost:${port}`)).status,
        503,
        "probes need no token",
      );

      const produceFrom = (origin: string) =>
        raw(port, [
          "POST /api/produce HTTP/1.1",
          `host: 127.0.0.1:${port}`,
          `origin: ${origin}`,
          "content-type: application/json",
          `x-dashboard-token: ${dashboard.token}`,
        ], JSON.stringify({ count: 1 }));
      const opaque = await produceFrom("null");
      assert.equal(opaque.status, 403);
      assert.match(opaque.text, /opaque origin/);
      const foreign = await produceFrom("http://evil.example");
      assert.equal(foreign.status, 403);
      assert.match(foreign.text, /Cross-origin request refused/);
      const page = await get("/", `127.0.0.1:${port}`);
      assert.match(page.text, /content-security-policy: default-src 'none'; script-src 'self'/i);
    } finally {
      await dashboard.stop();
    }
  },
});
