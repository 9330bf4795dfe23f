// The `import.meta.main` tail every command shares: run `main`, turn usage and
// configuration mistakes into one line and exit code 2.
import { ConfigError, PipelineError } from "../errors.ts";
import { explainConnectionError } from "../kafka/explain_connection_error.ts";
import { UsageError } from "./_flags.ts";

/** Runs a command's `main` and exits the process with its code. */
export async function runCommand(
  command: string,
  main: (args: string[]) => Promise<number>,
): Promise<never> {
  try {
    Deno.exit(await main(Deno.args));
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
    if (err instanceof PipelineError) {
      console.error(`${command}: ${err.message}`);
      Deno.exit(1);
    }
    console.error(`${command}: ${err instanceof Error ? err.stack ?? err.message : err}`);
    Deno.exit(1);
  }
}
