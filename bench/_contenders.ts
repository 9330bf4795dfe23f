// The contenders: how each one is started as its own process, and how its
// output and /proc samples turn into one measurement.
import { cpuBetween, type MeasuredRun, runMeasured } from "./_measure.ts";
import { parseResult } from "./contenders/_result.ts";

/** One run of one contender. */
export interface Measurement {
  contender: string;
  repetition: number;
  messages: number;
  messagesPerSec: number;
  /** CPU per message inside the measured window; null where the tool gives no window. */
  cpuUsPerMsg: number | null;
  peakRssMb: number;
  wallMs: number;
  processCpuMs: number;
  extra?: Record<string, unknown>;
}

/** What every contender gets to know. */
export interface RunContext {
  brokers: string;
  /** The folder of the Kafka jars (kafka-tools among them). */
  libs: string;
  repetition: number;
  /** Client properties for the Java tools on a secured cluster (see _java_client_config.ts). */
  clientConfig?: string;
}

/** A contender: a name, a label for the table, and how to run it once. */
export interface Contender {
  id: string;
  label: string;
  run(ctx: RunContext): Promise<Measurement>;
}

const DENO_PERMISSIONS = ["--allow-net", "--allow-env", "--allow-read", "--allow-sys"];

/** A secured listener of the bench's broker and the environment that reaches it. */
export interface SecuredListener {
  brokers: string;
  /** `KAFKA_TLS`, `KAFKA_SASL_*` and the like, as `broker start --secure` prints them. */
  env: Record<string, string>;
}

/**
 * The V8 heap settings `deno task consume` runs with, read from deno.json, so
 * the pipeline contenders are measured as users run the consumer.
 */
export async function consumeTaskV8Flags(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const command: string = config.tasks.consume.command ?? config.tasks.consume;
  return command.match(/--v8-flags=\S+/g) ?? [];
}
const JAVA_HEAP = "-Xmx256m";
const contenderPath = (name: string) => new URL(`./contenders/${name}`, import.meta.url).pathname;

/** Fails with the contender's own words when it did not finish. */
function checked(id: string, run: MeasuredRun): MeasuredRun {
  if (run.code !== 0) {
    throw new Error(`bench: contender ${id} exited with ${run.code}:\n${run.stderrTail}`);
  }
  return run;
}

function windowed(
  id: string,
  ctx: RunContext,
  run: MeasuredRun,
  messages: number,
  firstMs: number,
  lastMs: number,
  extra?: Record<string, unknown>,
): Measurement {
  const seconds = Math.max(lastMs - firstMs, 1) / 1000;
  return {
    contender: id,
    repetition: ctx.repetition,
    messages,
    messagesPerSec: messages / seconds,
    cpuUsPerMsg: cpuBetween(run.samples, firstMs, lastMs) * 1000 / messages,
    peakRssMb: run.peakRssKb / 1024,
    wallMs: run.wallMs,
    processCpuMs: run.cpuMs,
    extra,
  };
}

/** A Deno contender script that prints a result line. */
export function denoContender(
  id: string,
  label: string,
  script: string,
  args: (ctx: RunContext) => string[],
  runtimeFlags: readonly string[] = [],
  env?: Record<string, string>,
): Contender {
  return {
    id,
    label,
    async run(ctx) {
      const run = checked(
        id,
        await runMeasured(Deno.execPath(), [
          "run",
          ...runtimeFlags,
          ...DENO_PERMISSIONS,
          contenderPath(script),
          ...args(ctx),
        ], { env }),
      );
      const result = parseResult(run.stdout);
      if (!result || result.messages <= 0) {
        throw new Error(`bench: contender ${id} reported no result:\n${run.stderrTail}`);
      }
      return windowed(id, ctx, run, result.messages, result.firstMs, result.lastMs, result.extra);
    },
  };
}

/** Kafka's own `ConsumerPerformance`, timed over its fetch window (group join excluded). */
export function kafkaConsumerPerformance(
  id: string,
  label: string,
  topic: string,
  messages: number,
  group: (ctx: RunContext) => string,
): Contender {
  return {
    id,
    label,
    async run(ctx) {
      const run = checked(
        id,
        await runMeasured("java", [
          JAVA_HEAP,
          "-cp",
          `${ctx.libs}/*`,
          "org.apache.kafka.tools.ConsumerPerformance",
          "--bootstrap-server",
          ctx.brokers,
          "--topic",
          topic,
          "--messages",
          String(messages),
          "--group",
          group(ctx),
          "--timeout",
          "60000",
          ...(ctx.clientConfig ? ["--consumer.config", ctx.clientConfig] : []),
        ]),
      );
      // start.time, end.time, MB, MB.sec, nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, …
      const line = run.stdout.trim().split("\n").findLast((l) => /^\d{4}-\d\d-\d\d /.test(l));
      const fields = line?.split(",").map((f) => f.trim());
      if (!fields || fields.length < 10) {
        throw new Error(`bench: ConsumerPerformance printed no result:\n${run.stdout}`);
      }
      const lastMs = parseJavaTime(fields[1]);
      const fetchMs = Number(fields[7]);
      return windowed(id, ctx, run, Number(fields[4]), lastMs - fetchMs, lastMs, {
        rebalanceMs: Number(fields[6]),
        fetchMs,
      });
    },
  };
}

/** Kafka's own `ProducerPerformance`, as fast as it goes, with acks from all replicas. */
export function kafkaProducerPerformance(
  id: string,
  label: string,
  topic: string,
  messages: number,
  recordSize: number,
): Contender {
  return {
    id,
    label,
    async run(ctx) {
      const run = checked(
        id,
        await runMeasured("java", [
          JAVA_HEAP,
          "-cp",
          `${ctx.libs}/*`,
          "org.apache.kafka.tools.ProducerPerformance",
          "--topic",
          topic,
          "--num-records",
          String(messages),
          "--throughput",
          "-1",
          "--record-size",
          String(recordSize),
          ...(ctx.clientConfig ? ["--producer.config", ctx.clientConfig] : []),
          "--producer-props",
          `bootstrap.servers=${ctx.brokers}`,
          "acks=all",
        ]),
      );
      const summary = run.stdout.match(/(\d+) records sent, ([\d.]+) records\/sec/g)?.at(-1)
        ?.match(/(\d+) records sent, ([\d.]+) records\/sec/);
      if (!summary) throw new Error(`bench: ProducerPerformance printed no result:\n${run.stdout}`);
      return {
        contender: id,
        repetition: ctx.repetition,
        messages: Number(summary[1]),
        messagesPerSec: Number(summary[2]),
        cpuUsPerMsg: null,
        peakRssMb: run.peakRssKb / 1024,
        wallMs: run.wallMs,
        processCpuMs: run.cpuMs,
      };
    },
  };
}

/** Our `produce` command, reading the time it reports in its JSON summary. */
export function produceCommand(
  id: string,
  label: string,
  topic: string,
  messages: number,
  over?: SecuredListener,
): Contender {
  return {
    id,
    label,
    async run(ctx) {
      const cli = new URL("../pipeline/cli/produce.ts", import.meta.url).pathname;
      const run = checked(
        id,
        await runMeasured(Deno.execPath(), [
          "run",
          ...DENO_PERMISSIONS,
          cli,
          "--count",
          String(messages),
          "--interval",
          "0",
          "--json",
          "--brokers",
          over?.brokers ?? ctx.brokers,
          "--topic",
          topic,
        ], { env: over?.env }),
      );
      const line = run.stdout.split("\n").findLast((l) => l.includes('"type":"summary"'));
      const summary = line ? JSON.parse(line) as { sent: number; seconds: number } : undefined;
      if (!summary || summary.sent !== messages) {
        throw new Error(`bench: produce printed no full summary:\n${run.stdout.slice(-500)}`);
      }
      return {
        contender: id,
        repetition: ctx.repetition,
        messages: summary.sent,
        messagesPerSec: summary.sent / summary.seconds,
        cpuUsPerMsg: null,
        peakRssMb: run.peakRssKb / 1024,
        wallMs: run.wallMs,
        processCpuMs: run.cpuMs,
      };
    },
  };
}

/** `2025-01-31 12:34:56:789`, ConsumerPerformance's default date format, in local time. */
function parseJavaTime(text: string): number {
  const m = text.match(/^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d):(\d{3})$/);
  if (!m) throw new Error(`bench: cannot read ConsumerPerformance time ${JSON.stringify(text)}`);
  const [y, mo, d, h, mi, s, ms] = m.slice(1).map(Number);
  return new Date(y, mo - 1, d, h, mi, s, ms).getTime();
}
