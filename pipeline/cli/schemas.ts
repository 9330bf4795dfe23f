/**
 * `deno task schemas check`: checks that every order schema version and the
 * one before it read each other by Avro's resolution rules; exits 1 naming
 * each field that breaks it. CI runs it.
 *
 * @module
 */
import { checkOrderSchemas } from "../avro/check_order_schemas.ts";
import { loadOrderSchemas } from "../avro/order_schemas.ts";
import { parseFlags, UsageError } from "../command/parse_flags.ts";
import { runCommand } from "../command/run_command.ts";
import { userPath } from "../command/user_path.ts";

const HELP = `Usage: deno task schemas check [--dir DIR]

Checks the order schema versions (schemas/order.avsc is v1, order.vN.avsc is
vN): each version reads the one before it, and the one before reads it, by
Avro's schema resolution rules. A field marked "promotedFrom" may be promoted
(float to double) and is then exempt from the second direction alone.
Exits 1, naming every field that breaks a direction.

Flags:
  --dir DIR    the folder holding the schema files (default: the repository's schemas/)
  -h, --help   show this help`;

/** Runs the command; resolves to the exit code. */
export function main(args: string[]): Promise<number> {
  const { values: flags, positionals } = parseFlags("schemas", args, {
    dir: { type: "string" },
    help: { type: "boolean", short: "h" },
  }, true);
  if (flags.help) {
    console.log(HELP);
    return Promise.resolve(0);
  }
  if (positionals.length !== 1 || positionals[0] !== "check") {
    throw new UsageError(
      `schemas: expected the subcommand 'check', got ${
        positionals.length ? positionals.join(" ") : "none"
      } (see --help)`,
    );
  }
  const dir = flags.dir === undefined ? undefined : userPath(flags.dir);
  if (flags.dir !== undefined && (flags.dir.trim() === "" || !isFolder(dir!))) {
    throw new UsageError(
      `schemas: flag --dir must name a folder that holds the schema files, got ${
        JSON.stringify(flags.dir)
      }`,
    );
  }
  let schemas;
  try {
    schemas = loadOrderSchemas(dir);
  } catch (err) {
    console.error(`schemas: ${err instanceof Error ? err.message : err}`);
    return Promise.resolve(1);
  }
  for (const s of schemas) console.log(`v${s.version}  ${s.file}  fingerprint ${s.hex}`);
  let problems = 0;
  for (const report of checkOrderSchemas(dir)) {
    console.log(`${report.pair}: ${report.problems.length === 0 ? "compatible" : "INCOMPATIBLE"}`);
    for (const line of report.passed) console.log(`  ok   ${line}`);
    for (const line of report.problems) console.log(`  FAIL ${line}`);
    problems += report.problems.length;
  }
  if (problems > 0) {
    console.error(`schemas check failed: ${problems} incompatible field(s)`);
    return Promise.resolve(1);
  }
  return Promise.resolve(0);
}

if (import.meta.main) await runCommand("schemas", main);

// Whether `path` (a file URL or a path) is a folder that exists.
function isFolder(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}
