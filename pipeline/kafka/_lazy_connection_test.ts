import assert from "node:assert/strict";
import { lazyConnection } from "./_lazy_connection.ts";

/** A connection whose connects are settled by the test, counting connects and disconnects. */
function controlled() {
  const connects: Array<PromiseWithResolvers<string>> = [];
  const disconnected: string[] = [];
  const lazy = lazyConnection({
    what: "the producer",
    connect: () => {
      const pending = Promise.withResolvers<string>();
      connects.push(pending);
      return pending.promise;
    },
    disconnect: (connection: string) => {
      disconnected.push(connection);
      return Promise.resolve();
    },
  });
  return { lazy, connects, disconnected };
}

/** Lets queued promise callbacks run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("lazyConnection() connects nothing until the first open", async () => {
  const { connects } = controlled();
  await settle();
  assert.equal(connects.length, 0);
});

Deno.test("lazyConnection() connects once for opens made while it connects", async () => {
  const { lazy, connects } = controlled();
  const opens = [lazy.open(), lazy.open(), lazy.open()];
  await settle();
  assert.equal(connects.length, 1);
  connects[0].resolve("c1");
  assert.deepEqual(await Promise.all(opens), ["c1", "c1", "c1"]);
  assert.equal(await lazy.open(), "c1");
  assert.equal(connects.length, 1);
});

Deno.test("lazyConnection() rejects the opens of a failed connect, and the next open connects again", async () => {
  const { lazy, connects } = controlled();
  const first = [lazy.open(), lazy.open()];
  await settle();
  connects[0].reject(new Error("ECONNREFUSED"));
  for (const open of first) await assert.rejects(open, /ECONNREFUSED/);
  const again = lazy.open();
  await settle();
  assert.equal(connects.length, 2);
  connects[1].resolve("c2");
  assert.equal(await again, "c2");
});

Deno.test("lazyConnection() closes without a connect as a no-op, and refuses opens after", async () => {
  const { lazy, connects, disconnected } = controlled();
  await lazy.close();
  await assert.rejects(lazy.open(), { message: "the producer is disconnected" });
  await settle();
  assert.equal(connects.length, 0);
  assert.deepEqual(disconnected, []);
});

Deno.test("lazyConnection() disconnects once, however often it is closed", async () => {
  const { lazy, connects, disconnected } = controlled();
  const open = lazy.open();
  await settle();
  connects[0].resolve("c1");
  await open;
  const closes = [lazy.close(), lazy.close()];
  assert.equal(closes[0], closes[1]);
  await Promise.all(closes);
  await lazy.close();
  assert.deepEqual(disconnected, ["c1"]);
  await assert.rejects(lazy.open(), /disconnected/);
});

Deno.test("lazyConnection() closed while connecting waits and disconnects what it opened", async () => {
  const { lazy, connects, disconnected } = controlled();
  const open = lazy.open();
  await settle();
  let closed = false;
  const close = lazy.close().then(() => closed = true);
  await settle();
  assert.equal(closed, false);
  assert.deepEqual(disconnected, []);
  connects[0].resolve("c1");
  await close;
  assert.equal(await open, "c1");
  assert.deepEqual(disconnected, ["c1"]);
});

Deno.test("lazyConnection() closed after a failed connect has nothing to disconnect", async () => {
  const { lazy, connects, disconnected } = controlled();
  const open = lazy.open();
  await settle();
  connects[0].reject(new Error("ECONNREFUSED"));
  await assert.rejects(open);
  await lazy.close();
  assert.deepEqual(disconnected, []);
});

Deno.test("lazyConnection() passes on a failed disconnect to every close", async () => {
  const lazy = lazyConnection({
    what: "the producer",
    connect: () => Promise.resolve("c1"),
    disconnect: () => Promise.reject(new Error("socket gone")),
  });
  await lazy.open();
  await assert.rejects(lazy.close(), /socket gone/);
  await assert.rejects(lazy.close(), /socket gone/);
});

Deno.test("lazyConnection() takes a connect that throws at once for a failed connect", async () => {
  let calls = 0;
  const lazy = lazyConnection({
    what: "the producer",
    connect: () => {
      if (++calls === 1) throw new TypeError("bad options");
      return Promise.resolve("c2");
    },
    disconnect: () => Promise.resolve(),
  });
  await assert.rejects(lazy.open(), TypeError);
  assert.equal(await lazy.open(), "c2");
});
