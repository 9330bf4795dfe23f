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

/** Runs a command's `main` and exits the process with its code. */
export async function runCommand(
  command: string,
  main: (args: string[]) => Promise<number>,
): Promise<never> {
  quietNegativeTimeoutWarning();
  const verbose = Deno.args.includes("--verbose");
  if (verbose) showKafkaLogs("info");
  try {
    Deno.exit(await main(Deno.args.filter((arg) => arg !== "--verbose")));
  } catch (caught) {
    const err = explainConnectionError(caught) ?? caught;
    if (err instanceof UsageError) {
      console.error(err.message);
      Deno.exit(2);
    }
    if (err instanceof ConfigError) {
      for (const problem of err.problems) console.error(problem);
      Deno.exit(2);
    }
    console.error(failureLine(command, err, verbose));
    Deno.exit(1);
  }
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
