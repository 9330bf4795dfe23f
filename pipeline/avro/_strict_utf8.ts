// avsc decodes strings leniently: bytes that are not UTF-8 become U+FFFD and
// the record decodes as if nothing happened. This makes such bytes poison.
import { Buffer } from "node:buffer";
import type avro from "avsc";
import { DecodeError } from "../errors.ts";

const REPLACEMENT = "\ufffd";

/**
 * Throws a `DecodeError` with code `INVALID_UTF8` when a string of `value`
 * (decoded from `bytes`, written with `writer`) came from bytes that are not
 * valid UTF-8. A lenient decode leaves U+FFFD where it replaced bytes, so
 * values without one are valid as they are; only a value holding one is
 * decoded again with the writer's schema (`value` may be resolved to another
 * one), encoded again and compared with the bytes it came from, as a U+FFFD
 * may also be sent on purpose.
 */
export function assertStrictUtf8(
  writer: avro.Type,
  label: string,
  bytes: Buffer,
  value: unknown,
): void {
  // Every record is checked: the common case allocates nothing.
  if (!holdsReplacement(value)) return;
  if (writer.toBuffer(writer.decode(bytes, 0).value).equals(bytes)) return;
  const suspects: string[] = [];
  collectReplaced(value, "", suspects);
  const fields = suspects.map((path) => path === "" ? "the value" : `field '${path}'`);
  throw new DecodeError(
    `Cannot decode ${label}: ${fields.join(", ")} ${
      fields.length === 1 ? "is" : "are"
    } not valid UTF-8`,
    "INVALID_UTF8",
  );
}

function holdsReplacement(value: unknown): boolean {
  if (typeof value === "string") return value.includes(REPLACEMENT);
  if (value === null || typeof value !== "object" || value instanceof Uint8Array) return false;
  for (const name in value) {
    if (holdsReplacement((value as Record<string, unknown>)[name])) return true;
  }
  return false;
}

function collectReplaced(value: unknown, path: string, out: string[]): void {
  if (typeof value === "string") {
    if (value.includes(REPLACEMENT)) out.push(path);
    return;
  }
  if (value === null || typeof value !== "object" || value instanceof Uint8Array) return;
  for (const [name, inner] of Object.entries(value)) {
    collectReplaced(inner, path === "" ? name : `${path}.${name}`, out);
  }
}
