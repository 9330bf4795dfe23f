/**
 * `headerName()`: a header that names something (a consumer group, a topic)
 * read as that name. A header that is empty or not UTF-8 names nothing, and
 * reads as absent: a record is never passed over for every group because of
 * a name no group can have.
 *
 * @module
 */

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The name a header's bytes spell; null when the header is absent, empty,
 * blank, or not UTF-8.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { headerName } from "./header_name.ts";
 *
 * assert.equal(headerName(new TextEncoder().encode("billing")), "billing");
 * assert.equal(headerName(new Uint8Array()), null);
 * assert.equal(headerName(new Uint8Array([0xff, 0xfe])), null);
 * assert.equal(headerName(undefined), null);
 * ```
 */
export function headerName(bytes: Uint8Array | undefined): string | null {
  if (bytes === undefined || bytes.byteLength === 0) return null;
  let name: string;
  try {
    name = utf8.decode(bytes);
  } catch {
    return null;
  }
  return name.trim() === "" ? null : name;
}
