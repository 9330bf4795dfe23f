/**
 * `deno task bench`: measures the pipeline side by side with Kafka's own perf
 * tools and the usual kafkajs consumer and producer, on one broker, in one
 * run, each contender in its own process. Prints a table and writes
 * `bench/results/<timestamp>.json`. It measures; it asserts no speed.
 *
 * @module
 */
import { lastValueFrom } from "rxjs";
import { parseFlags, UsageError } from "../pipeline/command/parse_flags.ts";
import { runCommand } from "../pipeline/command/run_command.ts";
import { CORRELATION_ID } from "../pipeline/headers.ts";
import { startEmbeddedBroker } from "../pipeline/broker/embedded_broker.ts";
import { ensureKafkaJars } from "../pipeline/broker/kafka_jars.ts";
import { createOrderEncoder } from "../pipeline/avro/order_encoder.ts";
import { DEFAULTS } from "../pipeline/config.ts";
import { ensureTopics } from "../pipeline/kafka/topics.ts";
import { applySecurity, securityFromEnv } from "../pipeline/kafka/security_flags.ts";
import { makeOrder } from "../pipeline/orders/order_generator.ts";
import { createRandom } from "../pipeline/orders/random.ts";
import { produceOrders } from "../pipeline/producer/order_producer.ts";
import {
  consumeTaskV8Flags,
  type Contender,
  denoContender,
  kafkaConsumerPerformance,
  kafkaProducerPerformance,
  type Measurement,
  produceCommand,
  type SecuredListener,
} from "./_contenders.ts";
import { javaClientProperties } from "./_java_client_config.ts";
import { machineInfo } from "./_machine.ts";
import {
  formatSummary,
  type LatencyRow,
  median,
  type Ratio,
  rows,
  type Summary,
  throughputRatio,
} from "./_summary.ts";

const EOS_INTERVAL_MS = DEFAULTS.consumer.transactionIntervalMs;

/** Every row `--only` can name; ds and pcs are the SASL_SSL rows. */
const ROW_IDS = [
  "a",
  "b",
  "c",
  "d",
  "d10",
  "dk",
  "dks",
  "eosk",
  "dp",
  "e",
  "eos",
  "ds",
  "m-small",
  "pa",
  "pb",
  "pc",
  "pcs",
  "latency",
] as const;

const HELP =
  `Usage: deno task bench [--messages N] [--quick] [--repeat N] [--only IDS] [--out-dir DIR]

Consumer, producer, memory and latency benchmarks against Kafka's own perf
tools and the usual kafkajs code, on the broker in KAFKA_BROKERS or an
embedded one. Prints a table and writes <out-dir>/<timestamp>.json.

Flags:
  --messages N    messages in the consumer and producer runs (1000000; 20000 with --quick)
  --quick         small and once: checks that every row is measured (CI)
  --repeat N      runs of each contender, alternating (3; 1 with --quick)
  --only IDS      run only these rows, comma-separated (all): ${ROW_IDS.slice(0, 10).join(" ")}
                  ${ROW_IDS.slice(10).join(" ")}
  --out-dir DIR   where the results file goes (bench/results)
  -h, --help      show this help`;

const LATENCY_RATES = [1_000, 10_000];

/** Runs the benchmark; resolves to the exit code. */
export async function main(args: string[]): Promise<number> {
  const { values: flags } = parseFlags("bench", args, {
    messages: { type: "string" },
    quick: { type: "boolean" },
    repeat: { type: "string" },
    "out-dir": { type: "string" },
    only: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (flags.help) {
    console.log(HELP);
    return 0;
  }
  const quick = flags.quick ?? false;
  const messages = wholeFlag("messages", flags.messages, quick ? 20_000 : 1_000_000, 1000);
  const repetitions = wholeFlag("repeat", flags.repeat, quick ? 1 : 3, 1);
  const outDir = flags["out-dir"] ?? new URL("./results", import.meta.url).pathname;
  const latencyMs = quick ? 2_000 : 10_000;
  const log = (line: string) => console.error(`[bench] ${line}`);
  const only = flags.only === undefined ? undefined : rowIds(flags.only);
  const chosen = (id: string) => only === undefined || only.has(id);
  // Partition order under failures settles tens of records a second: a few
  // thousand of them show its rate without an hour-long run.
  const partitionFailures = Math.min(messages, quick ? 300 : 3000);

  const machine = await machineInfo();
  const libs = await ensureKafkaJars({ onProgress: log });
  const listed = Deno.env.get("KAFKA_BROKERS");
  // The embedded broker also listens with SASL_SSL, for the secured rows.
  const broker = listed ? undefined : await startEmbeddedBroker({ onProgress: log, secure: true });
  const brokers = listed ?? broker!.brokers;
  const secured: SecuredListener | undefined = broker?.secure && {
    brokers: broker.secure.brokers,
    env: {
      KAFKA_TLS: "true",
      KAFKA_TLS_CA: broker.secure.caFile,
      KAFKA_SASL_MECHANISM: "SCRAM-SHA-256",
      KAFKA_SASL_USERNAME: broker.secure.username,
      KAFKA_SASL_PASSWORD: broker.secure.password,
    },
  };
  log(`broker ${brokers}${broker ? " (embedded)" : ""}`);
  // A listed cluster may be secured: every contender reads the same variables.
  const listedSecurity = listed
    ? applySecurity({
      brokers: listed.split(","),
      ...securityFromEnv("bench", (n) => Deno.env.get(n)),
    })
    : undefined;
  const clientConfig = listedSecurity && await Deno.makeTempFile({ suffix: ".properties" });
  if (clientConfig) await Deno.writeTextFile(clientConfig, javaClientProperties(listedSecurity!));
  try {
    const nonce = crypto.randomUUID().slice(0, 8);
    const topic = `bench-orders-${nonce}`;
    const backlogTopic = `bench-backlog-${nonce}`;
    const dlqTopic = `bench-dlq-${nonce}`;
    const statsTopic = `bench-stats-${nonce}`;
    const produceTopic = `bench-produce-${nonce}`;
    const backlog = Math.max(1000, Math.round(messages / 10));
    const tutorialProduced = Math.min(messages, Math.max(500, Math.round(messages / 200)));
    const brokerList = brokers.split(",");
    await ensureTopics(brokerList, [
      { name: topic, partitions: 3 },
      { name: backlogTopic, partitions: 3 },
      { name: dlqTopic, partitions: 1 },
      { name: statsTopic, partitions: 1, config: { "cleanup.policy": "compact" } },
      { name: produceTopic, partitions: 3 },
    ]);
    await preload(brokerList, topic, messages, log);
    await preload(brokerList, backlogTopic, backlog, log);

    const group = (id: string) => (ctx: { repetition: number }) =>
      `bench-${id}-${ctx.repetition}-${nonce}`;
    const consumerArgs = (id: string, extra: string[] = []) => (ctx: { repetition: number }) => [
      "--brokers",
      brokers,
      "--topic",
      topic,
      "--messages",
      String(messages),
      "--group",
      group(id)(ctx),
      ...extra,
    ];
    const pipelineArgs = (
      id: string,
      on: string,
      count: number,
      fail: string,
      // Short waits by default, so (d') measures the cost of retrying rather than of sleeping.
      { ordering = "key", backoffMs = 1, via = brokers }: {
        ordering?: string;
        backoffMs?: number;
        via?: string;
      } = {},
    ) =>
    (
      ctx: { repetition: number },
    ) => [
      "--ordering",
      ordering,
      "--backoff-ms",
      String(backoffMs),
      "--brokers",
      via,
      "--topic",
      on,
      "--messages",
      String(count),
      "--group",
      group(id)(ctx),
      "--dlq-topic",
      dlqTopic,
      "--fail-rate",
      fail,
    ];
    const consumeFlags = await consumeTaskV8Flags();
    // Exactly-once mode, with the snapshots it needs and the default transaction interval.
    const exactlyOnceArgs = [
      "--stats-topic",
      statsTopic,
      "--exactly-once",
      "--transaction-interval",
      String(EOS_INTERVAL_MS),
    ];
    const consumers: Contender[] = [
      kafkaConsumerPerformance("a", "(a) Kafka ConsumerPerformance", topic, messages, group("a")),
      denoContender(
        "b",
        "(b) kafkajs eachBatch, no work",
        "kafkajs_batch_consumer.ts",
        consumerArgs("b"),
      ),
      denoContender(
        "c",
        "(c) kafkajs tutorial eachMessage + avsc",
        "tutorial_consumer.ts",
        consumerArgs("c"),
      ),
      denoContender(
        "d",
        "(d) our pipeline, at-least-once",
        "pipeline_consumer.ts",
        pipelineArgs("d", topic, messages, "0"),
        consumeFlags,
      ),
      denoContender(
        "d10",
        "(d') our pipeline, 10% transient failures",
        "pipeline_consumer.ts",
        pipelineArgs("d10", topic, messages, "0.1"),
        consumeFlags,
      ),
      // Exactly once against at least once, both with snapshots (which exactly once needs).
      denoContender(
        "e",
        "(e) our pipeline, at-least-once, snapshots",
        "pipeline_consumer.ts",
        (ctx) => [...pipelineArgs("e", topic, messages, "0")(ctx), "--stats-topic", statsTopic],
        consumeFlags,
      ),
      denoContender(
        "eos",
        `(e') our pipeline, exactly-once, ${EOS_INTERVAL_MS} ms transactions`,
        "pipeline_consumer.ts",
        (ctx) => [...pipelineArgs("eos", topic, messages, "0")(ctx), ...exactlyOnceArgs],
        consumeFlags,
      ),
      ...(secured
        ? [denoContender(
          "ds",
          "(d) our pipeline, over SASL_SSL",
          "pipeline_consumer.ts",
          pipelineArgs("ds", topic, messages, "0", { via: secured.brokers }),
          consumeFlags,
          secured.env,
        )]
        : []),
      denoContender(
        "dk",
        "(d'k) key order, 10% transient failures, 1 s backoff",
        "pipeline_consumer.ts",
        pipelineArgs("dk", topic, messages, "0.1", { backoffMs: 1000 }),
        consumeFlags,
      ),
      // What `deno task consume` runs by default: key order under failures, with snapshots.
      denoContender(
        "dks",
        "(d'k+s) key order, 10% transient failures, 1 s backoff, snapshots",
        "pipeline_consumer.ts",
        (ctx) => [
          ...pipelineArgs("dks", topic, messages, "0.1", { backoffMs: 1000 })(ctx),
          "--stats-topic",
          statsTopic,
        ],
        consumeFlags,
      ),
      // What `deno task consume --exactly-once` runs under the same failures.
      denoContender(
        "eosk",
        `(e'k) exactly-once, key order, 10% transient failures, 1 s backoff, ${EOS_INTERVAL_MS} ms transactions`,
        "pipeline_consumer.ts",
        (ctx) => [
          ...pipelineArgs("eosk", topic, messages, "0.1", { backoffMs: 1000 })(ctx),
          ...exactlyOnceArgs,
        ],
        consumeFlags,
      ),
      denoContender(
        "dp",
        "(d'p) partition order, 10% transient failures, 1 s backoff",
        "pipeline_consumer.ts",
        pipelineArgs("dp", topic, partitionFailures, "0.1", {
          ordering: "partition",
          backoffMs: 1000,
        }),
        consumeFlags,
      ),
    ].filter((c) => chosen(c.id));
    const producers: Contender[] = [
      kafkaProducerPerformance(
        "pa",
        "(a) Kafka ProducerPerformance",
        produceTopic,
        messages,
        recordSize(messages),
      ),
      denoContender(
        "pb",
        "(b) kafkajs tutorial, await each send",
        "tutorial_producer.ts",
        () => [
          "--brokers",
          brokers,
          "--topic",
          produceTopic,
          "--messages",
          String(tutorialProduced),
        ],
      ),
      produceCommand("pc", "(c) produce --interval 0", produceTopic, messages),
      ...(secured
        ? [produceCommand(
          "pcs",
          "(c) produce --interval 0, over SASL_SSL",
          produceTopic,
          messages,
          secured,
        )]
        : []),
    ].filter((c) => chosen(c.id));
    const memory: Contender[] = [
      denoContender(
        "m-small",
        `backlog ${backlog}`,
        "pipeline_consumer.ts",
        pipelineArgs("m", backlogTopic, backlog, "0"),
        consumeFlags,
      ),
    ].filter((c) => chosen(c.id));

    const measurements: Measurement[] = [];
    const latencies: Array<{ rate: number; p50Ms: number; p99Ms: number }> = [];
    for (let repetition = 1; repetition <= repetitions; repetition++) {
      const ctx = { brokers, libs, repetition, clientConfig };
      // Rotating the order keeps any one contender from always going first.
      for (
        const contender of [...rotate(consumers, repetition), ...rotate(producers, repetition)]
      ) {
        log(`run ${repetition}/${repetitions}: ${contender.label} …`);
        const m = await contender.run(ctx);
        log(`  ${Math.round(m.messagesPerSec)} messages/s, peak RSS ${m.peakRssMb.toFixed(0)} MB`);
        measurements.push(m);
      }
      for (const contender of memory) {
        log(`run ${repetition}/${repetitions}: memory, ${contender.label} …`);
        measurements.push(await contender.run(ctx));
      }
      for (const rate of chosen("latency") ? LATENCY_RATES : []) {
        log(`run ${repetition}/${repetitions}: latency at ${rate} orders/s …`);
        const latencyTopic = `bench-latency-${rate}-${repetition}-${nonce}`;
        await ensureTopics(brokerList, [{ name: latencyTopic, partitions: 3 }]);
        const m = await denoContender("latency", "latency", "pipeline_latency.ts", () => [
          "--brokers",
          brokers,
          "--topic",
          latencyTopic,
          "--group",
          `bench-latency-${rate}-${repetition}-${nonce}`,
          "--dlq-topic",
          dlqTopic,
          "--rate",
          String(rate),
          "--duration-ms",
          String(latencyMs),
        ]).run(ctx);
        const { p50Ms, p99Ms, lost } = m.extra as { p50Ms: number; p99Ms: number; lost: number };
        if (lost > 0) throw new Error(`bench: ${lost} orders of the latency run never arrived`);
        log(`  p50 ${p50Ms.toFixed(1)} ms, p99 ${p99Ms.toFixed(1)} ms`);
        latencies.push({ rate, p50Ms, p99Ms });
        measurements.push({ ...m, contender: `latency-${rate}` });
      }
    }

    const summary = summarize(
      measurements,
      latencies,
      consumers,
      producers,
      messages,
      backlog,
    );
    const table = formatSummary(summary, machine, { messages, repetitions });
    console.log(table);
    await Deno.mkdir(outDir, { recursive: true });
    const file = `${outDir}/${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
    await Deno.writeTextFile(
      file,
      JSON.stringify(
        {
          startedAt: new Date().toISOString(),
          options: { messages, repetitions, quick, backlog, tutorialProduced, latencyMs },
          recordSizeBytes: recordSize(messages),
          machine,
          summary,
          table,
          measurements,
        },
        null,
        2,
      ) + "\n",
    );
    log(`results in ${file}`);
    return 0;
  } finally {
    await broker?.stop();
    if (clientConfig) await Deno.remove(clientConfig);
  }
}

function summarize(
  measurements: Measurement[],
  latencies: Array<{ rate: number; p50Ms: number; p99Ms: number }>,
  consumers: Contender[],
  producers: Contender[],
  messages: number,
  backlog: number,
): Summary {
  const labels = (list: Contender[]) => Object.fromEntries(list.map((c) => [c.id, c.label]));
  const consumerRows = rows(measurements, labels(consumers));
  const producerRows = rows(measurements, labels(producers));
  const memoryRows = rows(measurements, {
    "m-small": `backlog ${backlog}`,
    d: `backlog ${messages}`,
  });
  const latency: LatencyRow[] = LATENCY_RATES.flatMap((rate) => {
    const mine = latencies.filter((l) => l.rate === rate);
    if (mine.length === 0) return [];
    return [{
      rate,
      runs: mine.length,
      p50Ms: median(mine.map((l) => l.p50Ms)),
      p99Ms: median(mine.map((l) => l.p99Ms)),
    }];
  });
  const small = memoryRows.find((r) => r.id === "m-small")?.peakRssMb ?? NaN;
  const large = memoryRows.find((r) => r.id === "d")?.peakRssMb ?? NaN;
  const p99At1k = latency.find((l) => l.rate === 1_000)?.p99Ms ?? NaN;
  const ratios: Ratio[] = [
    throughputRatio("consume d/b", consumerRows, "d", "b", 0.85),
    throughputRatio("consume d/c", consumerRows, "d", "c", 2),
    throughputRatio("consume d/a", consumerRows, "d", "a", 0.5),
    throughputRatio("key order with failures d'k/d", consumerRows, "dk", "d", 0.8),
    throughputRatio(
      "key order with failures d'k/d, steady (10–90%)",
      consumerRows,
      "dk",
      "d",
      0.8,
      {
        steady: true,
      },
    ),
    throughputRatio("exactly-once e'/e", consumerRows, "eos", "e", 0.5),
    throughputRatio("produce c/a", producerRows, "pc", "pa", 0.5),
    throughputRatio("produce c/b", producerRows, "pc", "pb", 20),
    // Only when the bench's own broker ran the SASL_SSL rows.
    ...(consumerRows.some((r) => r.id === "ds")
      ? [
        throughputRatio("consume SASL_SSL/plaintext (d)", consumerRows, "ds", "d", 0.8),
        throughputRatio("produce SASL_SSL/plaintext (c)", producerRows, "pcs", "pc", 0.8),
      ]
      : []),
    {
      name: `memory RSS ${messages} / ${backlog}`,
      value: large / small,
      target: "<= 1.2",
      met: large / small <= 1.2,
    },
    { name: `memory RSS MB at ${messages}`, value: large, target: "< 200", met: large < 200 },
    { name: "latency p99 ms at 1000/s", value: p99At1k, target: "< 50", met: p99At1k < 50 },
  ];
  return {
    consumers: consumerRows,
    producers: producerRows,
    memory: memoryRows,
    latency,
    // A ratio whose rows did not run (--only) is left out, not shown as NaN.
    ratios: ratios.filter((r) => Number.isFinite(r.value)),
  };
}

async function preload(
  brokers: string[],
  topic: string,
  count: number,
  log: (line: string) => void,
): Promise<void> {
  const started = performance.now();
  await lastValueFrom(
    produceOrders({ brokers, topic, count, intervalMs: 0, seed: 1, batchSize: 5000 }),
  );
  log(
    `preloaded ${count} orders into ${topic} in ${
      ((performance.now() - started) / 1000).toFixed(1)
    } s`,
  );
}

/** Bytes of one of our order records: key, Avro value, encoding and correlation headers, as sent. */
function recordSize(messages: number): number {
  const codec = createOrderEncoder();
  const headers = Object.entries(codec.headers).reduce((n, [k, v]) => n + k.length + v.length, 0);
  const random = createRandom(1);
  const sample = 1000;
  let bytes = 0;
  for (let i = 0; i < sample; i++) {
    const order = makeOrder(Math.max(1, messages - i), random);
    bytes += order.orderId.length + codec.encode(order).byteLength;
  }
  return Math.round(bytes / sample) + headers + CORRELATION_ID.length + 36;
}

function rotate<T>(list: readonly T[], by: number): T[] {
  const shift = (by - 1) % list.length;
  return [...list.slice(shift), ...list.slice(0, shift)];
}

function rowIds(value: string): Set<string> {
  const ids = value.split(",").map((id) => id.trim()).filter((id) => id !== "");
  const unknown = ids.filter((id) => !(ROW_IDS as readonly string[]).includes(id));
  if (ids.length === 0 || unknown.length > 0) {
    throw new UsageError(
      `bench: --only takes row ids from ${ROW_IDS.join(" ")}, got ${JSON.stringify(value)}`,
    );
  }
  return new Set(ids);
}

function wholeFlag(name: string, value: string | undefined, fallback: number, least: number) {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < least) {
    throw new UsageError(`bench: --${name} must be a whole number >= ${least}, got ${value}`);
  }
  return n;
}

if (import.meta.main) await runCommand("bench", main);
