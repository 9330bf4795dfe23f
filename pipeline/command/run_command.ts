// The `import.meta.main` tail every command (and the bench) shares: drop
// kafkajs's negative-timeout warning, run `main`, turn usage and
// configuration mistakes into one line and exit code 2, and any failure into
// one line and exit code 1. `--verbose`, accepted by every command, also shows
// the Kafka client's own log lines and the stack of a failure.
import { ConfigError, PipelineError } from "../errors.ts";
import { showKafkaLogs } from "../kafka/client.ts";
import { quietNegativeTimeoutWarning } from "../kafka/quiet_negative_timeout_warning.ts";
import { explainConnectionError } from "../kafka/explain_connection_error.ts";
import { UsageError } from "./parse_flags.ts";

/** The flag every command accepts; its line for each command's `--help`. */
export const VERBOSE_HELP =
  "  --verbose             also show the Kafka client's log lines and stacks";

/** The process around a command; tests give their own. */
export interface CommandProcess {
  /** The command line. @default Deno.args */
  args?: readonly string[];
  /** Ends the process with a code. @default Deno.exit */
  exit?: (code: number) => never;
  /** Writes one line for the user. @default console.error */
  error?: (line: string) => void;
}

/**
 * Runs a command's `main` and exits the process with its code: the code
 * `main` gives; 2 with one line per mistake for a {@link UsageError} or a
 * `ConfigError`; 1 with one line for any other failure.
 */
export async function runCommand(
  command: string,
  main: (args: string[]) => Promise<number>,
  process: CommandProcess = {},
): Promise<never> {
  const { args = Deno.args, exit = Deno.exit, error = console.error } = process;
  quietNegativeTimeoutWarning();
  const verbose = args.includes("--verbose");
  if (verbose) showKafkaLogs("info");
  let code: number;
  try {
    code = await main(args.filter((arg) => arg !== "--verbose"));
  } catch (caught) {
    const err = explainConnectionError(caught) ?? caught;
    if (err instanceof UsageError) {
      error(err.message);
      return exit(2);
    }
    if (err instanceof ConfigError) {
      for (const problem of err.problems) error(problem);
      return exit(2);
    }
    error(failureLine(command, err, verbose));
    return exit(1);
  }
  return exit(code);
}

/** The one line a failure prints; with `verbose`, followed by its stack. */
function failureLine(command: string, err: unknown, verbose: boolean): string {
  if (!(err instanceof Error)) return `${command}: ${String(err)}`;
  const line = err instanceof PipelineError
    ? `${command}: ${err.message}`
    : `${command}: ${err.name}: ${err.message.split("\n")[0]}`;
  if (verbose) return `${line}\n${err.stack ?? ""}`;
  return err instanceof PipelineError ? line : `${line} (--verbose shows more)`;
}
