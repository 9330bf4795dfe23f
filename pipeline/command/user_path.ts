/**
 * `userPath()`: a path a user typed, made absolute against the folder they
 * ran the command in. `deno task` runs a task in the project's folder and
 * says where it was started in `INIT_CWD`; a relative path means the latter.
 *
 * @module
 */
import { resolve } from "node:path";

/**
 * The absolute path of `path`, relative to where the user ran the command.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { userPath } from "./user_path.ts";
 *
 * assert.equal(userPath("/etc/kafka/ca.pem"), "/etc/kafka/ca.pem");
 * assert.ok(userPath("schemas").endsWith("/schemas"));
 * ```
 */
export function userPath(path: string): string {
  return resolve(startedIn() ?? Deno.cwd(), path);
}

function startedIn(): string | undefined {
  try {
    return Deno.env.get("INIT_CWD") || undefined;
  } catch {
    // No permission to read the environment: the process's own folder.
    return undefined;
  }
}
