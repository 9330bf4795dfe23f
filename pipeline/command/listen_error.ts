/**
 * A server that cannot listen where its flags say, as one line that names
 * the flag and the address, instead of the runtime's `AddrInUse: Address
 * already in use (os error 98)`.
 *
 * @module
 */
import { PipelineError } from "../errors.ts";

/**
 * `err` from `Deno.serve` on `hostname:port`, explained for `flag` when it is
 * an address in use or not available; any other error as it is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listenError } from "./listen_error.ts";
 *
 * const taken = new Deno.errors.AddrInUse("Address already in use (os error 98)");
 * assert.equal(
 *   listenError(taken, "--metrics-port", "127.0.0.1", 9464).message,
 *   "cannot listen on 127.0.0.1:9464 (flag --metrics-port): another process listens there; choose another port, or 0 for any free one",
 * );
 * ```
 */
export function listenError(err: unknown, flag: string, hostname: string, port: number): Error {
  const where = `cannot listen on ${hostname}:${port} (flag ${flag})`;
  if (err instanceof Deno.errors.AddrInUse) {
    return new PipelineError(
      "CONFIG_INVALID",
      "fatal",
      `${where}: another process listens there; choose another port, or 0 for any free one`,
      { cause: err },
    );
  }
  if (err instanceof Deno.errors.AddrNotAvailable || err instanceof Deno.errors.PermissionDenied) {
    return new PipelineError("CONFIG_INVALID", "fatal", `${where}: ${err.message}`, {
      cause: err,
    });
  }
  return err instanceof Error ? err : new Error(String(err));
}
