// Issue 10's "exact in both modes": after a clean stop and a restart, and
// after one of two consumers is killed, the merged snapshots count every
// order once, with the exact sum; exactly once, the DLQ holds each garbage
// record once.
import { equal, ok } from "node:assert/strict";
import {
  assertExact,
  type Backlog,
  finalCounts,
  prepareBacklog,
  waitUntil,
} from "./_crash_loop.ts";
import { type ConsumeLine, outcomes, startConsumer } from "./_consumer_process.ts";
import { testBrokers } from "./_shared_broker.ts";

const ORDERS = 6_000;
const GARBAGE = 9;
// A small in-flight window stretches the drain, so each disruption lands mid-stream.
const SLOW = ["--max-in-flight=5"];
const MODES = [{ name: "at least once", args: [] }, {
  name: "exactly once",
  args: ["--exactly-once"],
}];

const exact = (brokers: string[], backlog: Backlog, args: string[]) =>
  assertExact(brokers, backlog, {
    orders: ORDERS,
    garbage: GARBAGE,
    exactlyOnce: args.includes("--exactly-once"),
  });

/** Starts a consumer that drains what is left, then stops it with SIGINT; its summary. */
async function finish(backlog: Backlog): Promise<ConsumeLine> {
  const last = startConsumer(backlog.args);
  await waitUntil(async () => await backlog.committedTotal() >= backlog.total, last, 600_000);
  last.kill("SIGINT");
  equal(await last.finished(), 0);
  return summaryOf(last.lines);
}

function summaryOf(lines: ConsumeLine[]): ConsumeLine {
  const summary = lines.findLast((line) => line.type === "summary");
  ok(summary, "the consumer printed its summary");
  return summary;
}

for (const mode of MODES) {
  Deno.test(`${mode.name}: SIGINT mid-stream, then a restart: the aggregate is exact`, async () => {
    const brokers = await testBrokers();
    const backlog = await prepareBacklog({
      brokers,
      label: "exact-sigint",
      orders: ORDERS,
      garbage: GARBAGE,
      args: [...SLOW, ...mode.args],
    });
    const first = startConsumer(backlog.args);
    await first.waitFor((lines) => outcomes(lines).length >= 300, 120_000);
    first.kill("SIGINT");
    equal(await first.finished(), 0);
    const committed = await backlog.committedTotal();
    ok(committed < backlog.total, `stopped mid-stream (${committed} of ${backlog.total})`);
    const summaries = [summaryOf(first.lines), await finish(backlog)];
    await exact(brokers, backlog, mode.args);
    // Agreement: the two runs' summaries (whence the metrics) count what the snapshots count.
    const { merged } = await finalCounts(brokers, backlog.topics, backlog.groupId);
    equal(summaries.reduce((n, s) => n + Number(s.processed), 0), merged.count);
    equal(summaries.reduce((n, s) => n + Math.round(Number(s.sum) * 100), 0), merged.sumCents);
  });

  Deno.test(`${mode.name}: two consumers, one killed mid-stream: the aggregate is exact`, async () => {
    const brokers = await testBrokers();
    const backlog = await prepareBacklog({
      brokers,
      label: "exact-two",
      orders: ORDERS,
      garbage: GARBAGE,
      args: [...SLOW, ...mode.args],
    });
    const one = startConsumer(backlog.args);
    await one.waitFor((lines) => outcomes(lines).length > 0, 120_000);
    const two = startConsumer(backlog.args);
    // Both hold partitions once the second has settled something.
    await two.waitFor((lines) => outcomes(lines).length > 0, 120_000);
    await one.waitFor((lines) => outcomes(lines).length >= 200, 120_000);
    one.kill("SIGKILL");
    await one.finished();
    const committed = await backlog.committedTotal();
    ok(committed < backlog.total, `killed mid-stream (${committed} of ${backlog.total})`);
    // The survivor takes over the killed one's partitions after the session timeout.
    await waitUntil(async () => await backlog.committedTotal() >= backlog.total, two, 600_000);
    two.kill("SIGINT");
    equal(await two.finished(), 0);
    await exact(brokers, backlog, mode.args);
  });
}
