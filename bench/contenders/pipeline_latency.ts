// Latency contender: produces orders at a fixed rate and measures, per order,
// the time from the producer's send to the moment our consumer folds it into
// the aggregate (its `onOutcome` hook). Both ends run in this one process, so
// one clock times them.
import { lastValueFrom } from "rxjs";
import { createOrderEncoder } from "../../pipeline/avro/order_encoder.ts";
import { consumeOrders } from "../../pipeline/consumer/order_consumer.ts";
import { CORRELATION_ID } from "../../pipeline/headers.ts";
import { createProducer } from "../../pipeline/kafka/kafka_producer.ts";
import { makeOrder } from "../../pipeline/orders/order_generator.ts";
import { createRandom } from "../../pipeline/orders/random.ts";
import { quietNegativeTimeoutWarning } from "../../pipeline/kafka/quiet_negative_timeout_warning.ts";
import { arg, printResult } from "./_result.ts";
import { secureFromEnv } from "./_secure.ts";

quietNegativeTimeoutWarning();

const args = Deno.args;
const brokers = arg(args, "brokers").split(",");
secureFromEnv(brokers);
const topic = arg(args, "topic");
const rate = Number(arg(args, "rate"));
const durationMs = Number(arg(args, "duration-ms"));
const TICK_MS = 5;

const sentAt = new Map<string, number>();
const latencies: number[] = [];
let waiter: (() => void) | undefined;
const stop = new AbortController();
const consumed = lastValueFrom(
  consumeOrders({
    brokers,
    topic,
    groupId: arg(args, "group"),
    dlqTopic: arg(args, "dlq-topic"),
    failRate: 0,
    fromBeginning: true,
    signal: stop.signal,
    onOutcome: ({ correlationId }) => {
      const at = correlationId === null ? undefined : sentAt.get(correlationId);
      if (at === undefined) return;
      latencies.push(performance.now() - at);
      sentAt.delete(correlationId!);
      if (sentAt.size === 0) waiter?.();
    },
  }),
  { defaultValue: undefined },
);

const codec = createOrderEncoder();
const random = createRandom(1);
const producer = createProducer({ brokers, clientId: "bench-latency" });
await producer.connect();
let made = 0;
const send = async (count: number) => {
  const records = Array.from({ length: count }, () => {
    const order = makeOrder(++made, random);
    const id = crypto.randomUUID();
    sentAt.set(id, performance.now());
    const headers = { ...codec.headers, [CORRELATION_ID]: id };
    return { key: order.orderId, value: codec.encode(order), headers };
  });
  await producer.send(topic, records);
};
const allSettled = () =>
  new Promise<void>((resolve) => {
    if (sentAt.size === 0) return resolve();
    const timer = setTimeout(finish, 60_000);
    function finish() {
      clearTimeout(timer);
      waiter = undefined;
      resolve();
    }
    waiter = finish;
  });

// Warm up until the consumer has joined its group and folded one order.
await send(1);
await allSettled();
latencies.length = 0;

const firstMs = Date.now();
const started = performance.now();
let sent = 0;
let sending: Promise<void> | undefined;
while (performance.now() - started < durationMs) {
  const due = Math.floor((performance.now() - started) * rate / 1000) - sent;
  if (due > 0 && !sending) {
    sent += due;
    sending = send(due).finally(() => sending = undefined);
  }
  await new Promise((resolve) => setTimeout(resolve, TICK_MS));
}
await sending;
await allSettled();
const lastMs = Date.now();
stop.abort();
await consumed;
await producer.disconnect();

latencies.sort((a, b) => a - b);
const at = (q: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
printResult({
  messages: latencies.length,
  firstMs,
  lastMs,
  extra: {
    rate,
    sent,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: latencies.at(-1),
    lost: sentAt.size,
  },
});
