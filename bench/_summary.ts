// Turns the measurements of a run into rows of medians, ratios against the
// targets, and the table printed and kept in the results file.
import type { Measurement } from "./_contenders.ts";
import type { MachineInfo } from "./_machine.ts";

/** The median of one contender's runs. */
export interface Row {
  id: string;
  label: string;
  runs: number;
  messages: number;
  messagesPerSec: number;
  /**
   * Our consumer's rate while there is work: the middle 80% of the backlog
   * (from 10% to 90% settled) over the time it took. Null for other contenders.
   */
  steadyPerSec: number | null;
  cpuUsPerMsg: number | null;
  peakRssMb: number;
}

/** A ratio the issue sets a target for; `met` is reported, never asserted. */
export interface Ratio {
  name: string;
  value: number;
  target: string;
  met: boolean;
}

/** A latency at one rate. */
export interface LatencyRow {
  rate: number;
  runs: number;
  p50Ms: number;
  p99Ms: number;
}

/** Everything a run reports. */
export interface Summary {
  consumers: Row[];
  producers: Row[];
  memory: Row[];
  latency: LatencyRow[];
  ratios: Ratio[];
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Medians of every contender's runs, keeping the order of `labels`. */
export function rows(measurements: readonly Measurement[], labels: Record<string, string>): Row[] {
  return Object.entries(labels).flatMap(([id, label]) => {
    const mine = measurements.filter((m) => m.contender === id);
    if (mine.length === 0) return [];
    const cpu = mine.map((m) => m.cpuUsPerMsg).filter((c): c is number => c !== null);
    const steady = mine.map(steadyRate).filter((r): r is number => r !== null);
    return [{
      id,
      label,
      runs: mine.length,
      messages: median(mine.map((m) => m.messages)),
      messagesPerSec: median(mine.map((m) => m.messagesPerSec)),
      steadyPerSec: steady.length > 0 ? median(steady) : null,
      cpuUsPerMsg: cpu.length > 0 ? median(cpu) : null,
      peakRssMb: median(mine.map((m) => m.peakRssMb)),
    }];
  });
}

// From 10% to 90% settled, as our consumer contender reports it; null for others.
function steadyRate(m: Measurement): number | null {
  const { settled10Ms, settled90Ms } = (m.extra ?? {}) as Record<string, unknown>;
  if (typeof settled10Ms !== "number" || typeof settled90Ms !== "number") return null;
  if (!(settled90Ms > settled10Ms)) return null;
  return m.messages * 0.8 / ((settled90Ms - settled10Ms) / 1000);
}

/**
 * The ratio of two rows' throughput, with its target: over the whole window,
 * or (`steady`) over the middle of the backlog.
 */
export function throughputRatio(
  name: string,
  table: readonly Row[],
  over: string,
  under: string,
  least: number,
  { steady = false }: { steady?: boolean } = {},
): Ratio {
  const a = table.find((r) => r.id === over);
  const b = table.find((r) => r.id === under);
  const rate = (r: Row) => steady ? r.steadyPerSec ?? NaN : r.messagesPerSec;
  const value = a && b ? rate(a) / rate(b) : NaN;
  return { name, value, target: `>= ${least}`, met: value >= least };
}

/** The report as plain text: machine, versions, tables, ratios. */
export function formatSummary(
  summary: Summary,
  machine: MachineInfo,
  options: { messages: number; repetitions: number },
): string {
  const lines: string[] = [];
  lines.push(
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB memory, ${machine.os}`,
    `Versions: Deno ${machine.deno} (V8 ${machine.v8}), ${machine.java}, Kafka ${machine.kafka}, ` +
      `kafkajs ${machine.kafkajs}, RxJS ${machine.rxjs}, avsc ${machine.avsc}`,
    `Messages: ${options.messages}; each contender ran ${options.repetitions} time(s), ` +
      `alternating; medians shown. Broker, contenders and anything else running share the machine: ` +
      `ratios hold within this one run only.`,
    "",
  );
  // A table whose rows did not run (--only) is left out.
  const rowTable = (title: string, table: readonly Row[], withCpu: boolean) => {
    if (table.length === 0) return;
    lines.push(
      `| ${title} | messages | messages/s |${
        withCpu ? " steady messages/s (10–90%) | CPU µs/message |" : ""
      } peak RSS MB |`,
    );
    lines.push(`| --- | ---: | ---: |${withCpu ? " ---: | ---: |" : ""} ---: |`);
    for (const r of table) {
      const steady = r.steadyPerSec === null ? "-" : Math.round(r.steadyPerSec);
      const cpu = withCpu
        ? ` ${steady} | ${r.cpuUsPerMsg === null ? "-" : r.cpuUsPerMsg.toFixed(1)} |`
        : "";
      lines.push(
        `| ${r.label} | ${r.messages} | ${Math.round(r.messagesPerSec)} |${cpu} ${
          r.peakRssMb.toFixed(0)
        } |`,
      );
    }
    lines.push("");
  };
  rowTable("consumer", summary.consumers, true);
  rowTable("producer", summary.producers, false);
  rowTable("memory (our consumer)", summary.memory, false);
  if (summary.latency.length > 0) {
    lines.push("| latency, produce to aggregate | p50 ms | p99 ms |", "| --- | ---: | ---: |");
    for (const l of summary.latency) {
      lines.push(`| ${l.rate} orders/s | ${l.p50Ms.toFixed(1)} | ${l.p99Ms.toFixed(1)} |`);
    }
    lines.push("");
  }
  lines.push("| ratio | value | target | met |", "| --- | ---: | --- | --- |");
  for (const r of summary.ratios) {
    lines.push(`| ${r.name} | ${r.value.toFixed(2)} | ${r.target} | ${r.met ? "yes" : "no"} |`);
  }
  return lines.join("\n");
}
