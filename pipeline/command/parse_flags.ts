// Flag parsing shared by every command: strict `parseArgs`, and errors that
// name the flag in one line.
import { parseArgs, type ParseArgsConfig } from "node:util";

/** A mistake in how a command was called; the CLI prints it and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** What {@link parseFlags} returns: the flag values and the positional arguments. */
export type ParsedFlags<T extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: true }>
>;

/** Parses `args` strictly; unknown flags and missing values become a {@link UsageError}. */
export function parseFlags<T extends Options>(
  command: string,
  args: string[],
  options: T,
  allowPositionals = false,
): ParsedFlags<T> {
  try {
    return parseArgs({
      args: joinDashedValues(args, options),
      options,
      strict: true,
      allowPositionals,
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const flag = message.match(/'(-[^' ]+)/)?.[1];
    const code = (err as { code?: string }).code;
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && flag) {
      throw new UsageError(`${command}: unknown flag ${flag} (see --help)`);
    }
    if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
      throw new UsageError(`${command}: unexpected argument ${message.match(/'([^']*)'/)?.[1]}`);
    }
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && flag) {
      const name = flag.split(" ")[0];
      if (options[name.replace(/^--/, "")]?.type === "boolean") {
        const given = args.find((arg) => arg.startsWith(`${name}=`))?.slice(name.length + 1);
        throw new UsageError(
          `${command}: flag ${name} takes no value (it is on when given, off when left out), got ${
            JSON.stringify(given ?? "")
          }`,
        );
      }
      throw new UsageError(`${command}: flag ${name} needs a value`);
    }
    throw new UsageError(`${command}: ${message}`);
  }
}

/**
 * `parseArgs` reads the `-1` of `--count -1` as a flag and reports the value
 * missing; a value that looks like a negative number is joined to its flag
 * (`--count=-1`), so the flag's own check names what is wrong with it.
 */
function joinDashedValues(args: string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].startsWith("--") ? args[i].slice(2) : "";
    const next = args[i + 1];
    if (options[name]?.type === "string" && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`--${name}=${next}`);
      i += 1;
    } else {
      out.push(args[i]);
    }
  }
  return out;
}
