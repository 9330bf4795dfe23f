/**
 * `deno task produce`: sends random Avro orders, one per interval, or as fast
 * as batching allows with `--interval 0`.
 *
 * @module
 */
import { lastValueFrom, tap, throttleTime } from "rxjs";
import {
  decimal,
  DEFAULTS,
  formatDuration,
  integer,
  parseDuration,
  topicSpecs,
} from "../config.ts";
import { ensureTopics } from "../kafka/topics.ts";
import { LATEST_ORDER_VERSION } from "../avro/order_schemas.ts";
import { requireBroker } from "../kafka/require_broker.ts";
import { runPrefix } from "../orders/order_generator.ts";
import { produceOrders, type ProducerProgress } from "../producer/order_producer.ts";
import { readConfig } from "../command/read_config.ts";
import { runCommand, VERBOSE_HELP } from "../command/run_command.ts";
import { applySecurity, SECURITY_HELP, SECURITY_SETTINGS } from "../kafka/security_flags.ts";
import { SHARED_SETTINGS } from "./_shared_settings.ts";
import { stopOnSignals } from "./_signals.ts";
import { brokerWait } from "./_status.ts";
import { errorMessage } from "../errors.ts";

const { producer: PRODUCER } = DEFAULTS;

const HELP = `Usage: deno task produce [flags]

Sends random orders as Avro records, with ids such as ORD-MIDQ7D2S-0001: the
middle part names the run (the start time in base 36), so ids never repeat
across runs. Without --count it runs until Ctrl-C.

Flags (environment variable in brackets):
  --count N             orders to send (default: until stopped)
  --interval DURATION   pause between orders; 0 sends batches back to back [PRODUCE_INTERVAL] (${
  formatDuration(PRODUCER.intervalMs)
})
  --brokers LIST        Kafka bootstrap servers [KAFKA_BROKERS] (${DEFAULTS.brokers})
  --topic NAME          topic to write [ORDERS_TOPIC] (${DEFAULTS.topics.orders})
  --bad-rate R          share of poison bytes and invalid orders, 0 to 1 [BAD_RATE] (${PRODUCER.badRate})
  --seed N              seed orders and bad messages [SEED]
  --batch-size N        records per request at --interval 0 (${PRODUCER.batchSize})
  --schema-version V    order schema to write as Avro single-object messages: 1 or ${LATEST_ORDER_VERSION} (${LATEST_ORDER_VERSION})
  --write-timeout DURATION  how long a send waits for an unreachable broker
                        before produce stops [WRITE_TIMEOUT] (${
  formatDuration(DEFAULTS.writeTimeoutMs)
})
  --json                one JSON line per update even on a terminal
${VERBOSE_HELP}
  -h, --help            show this help
${SECURITY_HELP}`;

/** Runs the command; resolves to the exit code. */
export async function main(args: string[]): Promise<number> {
  const { brokers, topic, seed, json, writeTimeout } = SHARED_SETTINGS;
  const config = readConfig("produce", args, HELP, {
    count: { default: Infinity, parse: integer(1) },
    interval: { env: "PRODUCE_INTERVAL", default: PRODUCER.intervalMs, parse: parseDuration },
    brokers,
    topic,
    badRate: { env: "BAD_RATE", default: PRODUCER.badRate, parse: decimal(0, 1) },
    seed,
    batchSize: { default: PRODUCER.batchSize, parse: integer(1, 100_000) },
    schemaVersion: { default: LATEST_ORDER_VERSION, parse: integer(1, LATEST_ORDER_VERSION) },
    writeTimeout,
    json,
    ...SECURITY_SETTINGS,
  });
  if (config === undefined) return 0;
  applySecurity(config);
  await requireBroker(config.brokers);
  await ensureTopics(config.brokers, topicSpecs({ orders: config.topic }));

  const live = Deno.stdout.isTerminal() && !config.json;
  const stop = stopOnSignals("produce", { exit: Deno.exit });
  const started = performance.now();
  const encoder = new TextEncoder();
  const write = (text: string) => Deno.stdout.writeSync(encoder.encode(text));
  const of = config.count === Infinity ? "" : ` of ${config.count}`;
  let last: ProducerProgress | undefined;
  const show = (p: ProducerProgress) => {
    const rate = Math.round(p.sent / Math.max((performance.now() - started) / 1000, 0.001));
    if (live) {
      const order = p.lastOrder
        ? `  last ${p.lastOrder.orderId} ${p.lastOrder.product} ${p.lastOrder.price.toFixed(2)}`
        : "";
      write(`\r\x1b[2Ksent ${p.sent}${of}  bad ${p.bad}  ${rate}/s${order}`);
    } else {
      write(JSON.stringify({ type: "progress", sent: p.sent, valid: p.valid, bad: p.bad }) + "\n");
    }
  };
  const writeSummary = () => {
    const seconds = (performance.now() - started) / 1000;
    const mean = last && last.valid > 0 ? last.validSum / last.valid : null;
    if (live) {
      write(
        `\nSent ${last?.sent ?? 0} messages (${last?.bad ?? 0} bad) to ${config.topic} in ${
          seconds.toFixed(1)
        } s; mean price of valid orders ${mean === null ? "-" : mean.toFixed(2)}\n`,
      );
    } else {
      write(
        JSON.stringify({
          type: "summary",
          sent: last?.sent ?? 0,
          valid: last?.valid ?? 0,
          bad: last?.bad ?? 0,
          validSum: last?.validSum ?? 0,
          mean,
          seconds: Number(seconds.toFixed(3)),
        }) + "\n",
      );
    }
  };
  try {
    await lastValueFrom(
      produceOrders({
        brokers: config.brokers,
        topic: config.topic,
        count: config.count,
        intervalMs: config.interval,
        badRate: config.badRate,
        seed: config.seed,
        batchSize: config.batchSize,
        schemaVersion: config.schemaVersion,
        run: runPrefix(),
        signal: stop.signal,
        writeTimeoutMs: config.writeTimeout,
        onBrokerWait: (since, error) => {
          if (live) write("\n");
          console.error(
            since === undefined
              ? "produce: the broker answers again"
              : `produce: ${brokerWait(since)} (${errorMessage(error)}); trying for up to ${
                formatDuration(config.writeTimeout)
              }`,
          );
        },
      }).pipe(
        tap((p) => last = p),
        throttleTime(config.interval >= 500 ? 0 : 250, undefined, {
          leading: true,
          trailing: true,
        }),
        tap(show),
      ),
      { defaultValue: undefined },
    );
  } catch (err) {
    // What the broker acknowledged before the failure, then the failure's one line.
    writeSummary();
    throw err;
  } finally {
    stop.dispose();
  }
  writeSummary();
  return 0;
}

if (import.meta.main) await runCommand("produce", main);
