// A command's flags follow from its settings: one table says what a command
// accepts, where each value comes from and what it defaults to.
import { boolean, flagName, loadConfig, type Settings, type Values } from "../config.ts";
import { parseFlags } from "./parse_flags.ts";

/** A `parseArgs` flag table. */
type FlagTable = Record<string, { type: "string" | "boolean"; short?: string }>;

/**
 * The flags that set `settings`, for `parseArgs`: each setting's kebab-case
 * name; a switch (parsed by `boolean`) takes no value; a setting with
 * `flag: false` has none. `-h`/`--help` is always there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { boolean, integer } from "../config.ts";
 * import { settingFlags } from "./read_config.ts";
 * assert.deepEqual(settingFlags({
 *   maxRetries: { default: 3, parse: integer(0) },
 *   json: { default: false, parse: boolean },
 * }), {
 *   "max-retries": { type: "string" },
 *   json: { type: "boolean" },
 *   help: { type: "boolean", short: "h" },
 * });
 * ```
 */
export function settingFlags(settings: Settings): FlagTable {
  const flags: FlagTable = {};
  for (const [key, setting] of Object.entries(settings)) {
    if (setting.flag === false) continue;
    flags[flagName(key)] = { type: setting.parse === boolean ? "boolean" : "string" };
  }
  flags.help = { type: "boolean", short: "h" };
  return flags;
}

/**
 * Reads a command's configuration from `args` and the environment: a flag
 * `settings` does not know, or one without its value, is a `UsageError`
 * naming it; `--help` prints `help` and gives `undefined`; otherwise every
 * setting is read by `loadConfig`, which names every wrong one at once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { integer } from "../config.ts";
 * import { readConfig } from "./read_config.ts";
 * const config = readConfig("produce", ["--count", "5"], "Usage: …", {
 *   count: { default: 50, parse: integer(1) },
 * });
 * assert.equal(config?.count, 5);
 * ```
 */
export function readConfig<S extends Settings>(
  command: string,
  args: string[],
  help: string,
  settings: S,
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): Values<S> | undefined {
  const { values: flags } = parseFlags(command, args, settingFlags(settings));
  if (flags.help) {
    console.log(help);
    return undefined;
  }
  return loadConfig(command, flags, env, settings);
}
