// Runs `deno task consume` as a child process, so tests can kill it as an
// operator (or the OOM killer) would, and reads its JSON lines as they come.
import { collectJsonLines } from "./_json_lines.ts";

/** One line of `consume --json --print-outcomes`. */
export interface ConsumeLine {
  type: "outcome" | "status" | "summary";
  outcome?: "processed" | "dead-lettered" | "retry-scheduled";
  partition?: number;
  offset?: string;
  orderId?: string | null;
  [key: string]: unknown;
}

/** A running consumer process. */
export interface ConsumerProcess {
  /** Every line read so far. */
  readonly lines: ConsumeLine[];
  /** Resolves once `predicate` holds for the lines read so far. */
  waitFor(predicate: (lines: ConsumeLine[]) => boolean, timeoutMs?: number): Promise<void>;
  kill(signal: Deno.Signal): void;
  /** Resolves with the exit code once the process ended and its output was read. */
  finished(): Promise<number>;
  /** Everything the process wrote to stderr, once it ended. */
  stderr(): Promise<string>;
}

/**
 * Consume flags that stretch a drain over seconds without losing an order, so
 * a signal lands mid-stream: transient failures with a short backoff, and 15
 * retries, which make a dead letter (or a trip to the retry tier) all but
 * impossible; a short session so a killed member is replaced sooner (6 s is
 * the broker's lowest allowed value).
 */
export const SLOW_DRAIN_ARGS: readonly string[] = [
  "--fail-rate=0.3",
  "--backoff=5ms",
  "--max-backoff=40ms",
  "--max-retries=15",
  "--status-interval=200ms",
  "--session-timeout=6s",
];

const CLI = new URL("../pipeline/cli/consume.ts", import.meta.url).pathname;

/** Starts the consume CLI with `args`, and `denoFlags` for the runtime (`--v8-flags=…`). */
export function startConsumer(args: string[], denoFlags: readonly string[] = []): ConsumerProcess {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...denoFlags, "-A", CLI, "--json", "--print-outcomes", ...args],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const lines: ConsumeLine[] = [];
  const waiters = new Set<() => void>();
  const reading = collectJsonLines(child.stdout, lines, () => {
    for (const wake of waiters) wake();
  });
  const stderr = new Response(child.stderr).text();
  return {
    lines,
    waitFor(predicate, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (predicate(lines)) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(async () => {
          waiters.delete(check);
          // Its stderr is whole only once it ends: a consumer still running is killed for it.
          try {
            child.kill("SIGKILL");
          } catch {
            // it had ended already
          }
          reject(new Error(`consumer output never matched; stderr:\n${await stderr}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    kill: (signal) => child.kill(signal),
    stderr: () => stderr,
    async finished() {
      const status = await child.status;
      await reading;
      await stderr;
      for (const wake of waiters) wake();
      return status.code;
    },
  };
}

/** The outcome lines among `lines`. */
export function outcomes(lines: ConsumeLine[]): ConsumeLine[] {
  return lines.filter((l) => l.type === "outcome");
}
