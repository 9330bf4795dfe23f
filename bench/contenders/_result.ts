// The one line every contender ends its stdout with, for the harness to read.

/** What a contender measured itself: how many messages, and the window they took. */
export interface ContenderResult {
  messages: number;
  /** Epoch ms of the first message handled (received, or sent). */
  firstMs: number;
  /** Epoch ms once the last message was handled. */
  lastMs: number;
  /** Anything else worth keeping in the results file. */
  extra?: Record<string, unknown>;
}

/** The prefix that marks the result line. */
export const RESULT_PREFIX = "BENCH_RESULT ";

/** Prints `result` as the contender's result line. */
export function printResult(result: ContenderResult): void {
  console.log(RESULT_PREFIX + JSON.stringify(result));
}

/** Reads a contender's result line from its stdout, or null when there is none. */
export function parseResult(stdout: string): ContenderResult | null {
  const line = stdout.split("\n").findLast((l) => l.startsWith(RESULT_PREFIX));
  return line ? JSON.parse(line.slice(RESULT_PREFIX.length)) as ContenderResult : null;
}

/** Reads `--name value` from the contender's arguments, failing clearly when it is missing. */
export function arg(args: string[], name: string): string {
  const at = args.indexOf(`--${name}`);
  const value = at >= 0 ? args[at + 1] : undefined;
  if (value === undefined) throw new Error(`contender: missing --${name}`);
  return value;
}
