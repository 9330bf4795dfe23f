/**
 * Drops the one Node warning kafkajs causes on every request, installed by
 * the entry points (the CLIs' `runCommand`, the bench contenders, the test
 * broker provider), never as a side effect of an import.
 *
 * @module
 */
import process from "node:process";

let installed = false;

/**
 * kafkajs's request queue arms a timer with a negative delay when the broker
 * has not throttled it; Node's timers treat that as 1 ms, which is what kafkajs
 * means, but warn on every request. This drops only that warning
 * (`TimeoutNegativeWarning`); every other warning is emitted as before.
 * Installing it twice changes nothing.
 *
 * @example
 * ```ts
 * import { quietNegativeTimeoutWarning } from "./quiet_negative_timeout_warning.ts";
 *
 * quietNegativeTimeoutWarning();
 * ```
 */
export function quietNegativeTimeoutWarning(): void {
  if (installed) return;
  installed = true;
  const emitWarning = process.emitWarning;
  process.emitWarning = function (warning: string | Error, ...rest: unknown[]) {
    const kind = typeof warning === "string"
      ? (typeof rest[0] === "string" ? rest[0] : (rest[0] as { type?: string } | undefined)?.type)
      : warning.name;
    if (kind === "TimeoutNegativeWarning") return;
    return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
}
