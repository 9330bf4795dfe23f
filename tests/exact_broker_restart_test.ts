// Issue 10's "exact in both modes" with the broker's JVM stopped and started
// again on the same data while the consumer drains: the merged snapshots
// count every order once, with the exact sum. The broker is this test's own
// (the approach of dashboard_cold_broker_test.ts).
import { ok } from "node:assert/strict";
import { startOwnBroker } from "./_own_broker.ts";
import { waitForBroker } from "../pipeline/kafka/wait_for_broker.ts";
import { assertExact, prepareBacklog, waitUntil } from "./_crash_loop.ts";
import { type ConsumerProcess, outcomes, startConsumer } from "./_consumer_process.ts";
import { jvmCommand, startJvm } from "./_broker_jvm.ts";

const ORDERS = 6_000;
const GARBAGE = 9;

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

for (
  const mode of [{ name: "at least once", args: [] as string[] }, {
    name: "exactly once",
    args: ["--exactly-once"],
  }]
) {
  Deno.test(`${mode.name}: the broker restarted mid-stream: the aggregate is exact`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "exact-broker-restart-" });
    const port = freePort();
    const brokers = [`127.0.0.1:${port}`];
    let broker: Awaited<ReturnType<typeof startOwnBroker>> | undefined;
    let restarted: Deno.ChildProcess | undefined;
    const consumers: ConsumerProcess[] = [];
    try {
      broker = await startOwnBroker({ port, dir });
      const backlog = await prepareBacklog({
        brokers,
        label: "exact-broker",
        orders: ORDERS,
        garbage: GARBAGE,
        args: ["--max-in-flight=5", ...mode.args],
      });
      const consumer = startConsumer(backlog.args);
      consumers.push(consumer);
      await consumer.waitFor((lines) => outcomes(lines).length >= 300, 120_000);

      const jvm = await jvmCommand(broker.pid);
      await broker.stop();
      broker = undefined;
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      restarted = startJvm(jvm);
      await waitForBroker(brokers, { timeoutMs: 120_000 });
      const committed = await backlog.committedTotal();
      ok(committed < backlog.total, `restarted mid-stream (${committed} of ${backlog.total})`);

      // The consumer goes on by itself; had it given up, a restart finishes.
      let last = consumer;
      let ended = false;
      const watch = (c: ConsumerProcess) => void c.finished().then(() => ended = true);
      watch(last);
      await waitUntil(
        async () => {
          if (await backlog.committedTotal() >= backlog.total) return true;
          if (ended) {
            ended = false;
            last = startConsumer(backlog.args);
            consumers.push(last);
            watch(last);
          }
          return false;
        },
        consumer,
        600_000,
      );
      last.kill("SIGINT");
      await last.finished();

      await assertExact(brokers, backlog, {
        orders: ORDERS,
        garbage: GARBAGE,
        exactlyOnce: mode.args.length > 0,
      });
    } finally {
      for (const c of consumers) {
        try {
          c.kill("SIGKILL");
        } catch {
          // already ended
        }
        await c.finished().catch(() => {});
      }
      await broker?.stop();
      if (restarted) {
        restarted.kill("SIGKILL");
        await restarted.status;
      }
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  });
}
