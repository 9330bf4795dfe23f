// Runs one contender as its own process and samples what it costs from
// /proc (Linux): CPU time of all its threads and its peak resident memory.

/** One sample of a running process. */
export interface ProcessSample {
  /** Epoch milliseconds when it was taken. */
  atMs: number;
  /** User plus system CPU time so far, in milliseconds. */
  cpuMs: number;
}

/** What a measured run gives back. */
export interface MeasuredRun {
  code: number;
  stdout: string;
  /** The last lines of stderr, for error messages. */
  stderrTail: string;
  wallMs: number;
  /** The highest VmHWM seen, in kilobytes. */
  peakRssKb: number;
  /** CPU time at the last sample, in milliseconds. */
  cpuMs: number;
  samples: ProcessSample[];
}

/** Options for {@link runMeasured}. */
export interface RunMeasuredOptions {
  env?: Record<string, string>;
  /** How often /proc is read, in milliseconds. @default 50 */
  sampleEveryMs?: number;
  /** Ends the process (SIGKILL) after this long, in milliseconds. @default 1800000 */
  timeoutMs?: number;
}

// /proc/<pid>/stat counts CPU in clock ticks; Linux uses 100 per second.
const TICK_MS = 10;

/**
 * Runs `command args…`, sampling its CPU time and memory until it exits.
 *
 * @example
 * ```ts ignore
 * import { runMeasured } from "./_measure.ts";
 * const run = await runMeasured("sleep", ["1"]);
 * console.log(run.wallMs, run.peakRssKb);
 * ```
 */
export async function runMeasured(
  command: string,
  args: string[],
  options: RunMeasuredOptions = {},
): Promise<MeasuredRun> {
  const { env, sampleEveryMs = 50, timeoutMs = 1_800_000 } = options;
  const started = Date.now();
  const child = new Deno.Command(command, {
    args,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const samples: ProcessSample[] = [];
  let peakRssKb = 0;
  const sample = () => {
    const stat = readOrNull(`/proc/${child.pid}/stat`);
    const status = readOrNull(`/proc/${child.pid}/status`);
    if (stat === null || status === null) return;
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields after the command name start at field 3 (state); utime is 14, stime 15.
    const ticks = Number(fields[11]) + Number(fields[12]);
    if (Number.isFinite(ticks)) samples.push({ atMs: Date.now(), cpuMs: ticks * TICK_MS });
    const hwm = status.match(/^VmHWM:\s+(\d+) kB/m);
    if (hwm) peakRssKb = Math.max(peakRssKb, Number(hwm[1]));
  };
  sample();
  const sampler = setInterval(sample, sampleEveryMs);
  const killer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const [status, stdout, stderr] = await Promise.all([
    child.status,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  clearInterval(sampler);
  clearTimeout(killer);
  return {
    code: status.code,
    stdout,
    stderrTail: stderr.trimEnd().split("\n").slice(-20).join("\n"),
    wallMs: Date.now() - started,
    peakRssKb,
    cpuMs: samples.at(-1)?.cpuMs ?? 0,
    samples,
  };
}

/** CPU milliseconds the process spent between two epoch times, interpolated between samples. */
export function cpuBetween(
  samples: readonly ProcessSample[],
  fromMs: number,
  toMs: number,
): number {
  return Math.max(0, cpuAt(samples, toMs) - cpuAt(samples, fromMs));
}

function cpuAt(samples: readonly ProcessSample[], atMs: number): number {
  if (samples.length === 0) return 0;
  if (atMs <= samples[0].atMs) return samples[0].cpuMs;
  for (let i = 1; i < samples.length; i++) {
    const b = samples[i];
    if (atMs <= b.atMs) {
      const a = samples[i - 1];
      const share = b.atMs === a.atMs ? 1 : (atMs - a.atMs) / (b.atMs - a.atMs);
      return a.cpuMs + share * (b.cpuMs - a.cpuMs);
    }
  }
  return samples[samples.length - 1].cpuMs;
}

function readOrNull(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return null;
  }
}
