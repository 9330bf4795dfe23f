/**
 * Loads an Avro schema from the repository's `schemas/` folder.
 *
 * @module
 */
import avro from "avsc";

/** Where the `.avsc` files live, found from this file so any working directory works. */
export const SCHEMAS_DIR = new URL("../../schemas/", import.meta.url);

/**
 * Reads a `.avsc` file and parses it into an avsc `Type`.
 *
 * A bare name (`"order"` or `"order.avsc"`) or a relative path is resolved in
 * the repository's `schemas/` folder; an absolute path or a `file:` URL is read
 * as given. Needs `--allow-read` on that file only. Parsed records carry no
 * helper methods (`omitRecordMethods`), so decoded values stay plain data.
 * Logical types such as `timestamp-millis` are left to their underlying type:
 * a timestamp decodes as a number of milliseconds.
 *
 * @param nameOrPath A schema name, a path, or a `file:` URL.
 * @returns The parsed type.
 * @throws {Error} When the file cannot be read or is not a valid Avro schema.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadSchema } from "./load_schema.ts";
 *
 * const type = loadSchema("order");
 * assert.equal(type.name, "com.orders.Order");
 * ```
 */
export function loadSchema(nameOrPath: string | URL): avro.Type {
  return loadSchemaFile(nameOrPath).type;
}

/** A schema file as written and as parsed: {@link loadSchemaFile} reads it once for both. */
export interface SchemaFile {
  /** The file's JSON, as written (with attributes avsc does not keep). */
  readonly json: unknown;
  /** The parsed type, as {@link loadSchema} gives it. */
  readonly type: avro.Type;
}

/**
 * Reads a `.avsc` file once into its JSON and its parsed type; names and
 * errors as {@link loadSchema}.
 *
 * @throws {Error} When the file cannot be read or is not a valid Avro schema.
 */
export function loadSchemaFile(nameOrPath: string | URL): SchemaFile {
  const url = schemaUrl(nameOrPath);
  let text: string;
  try {
    text = Deno.readTextFileSync(url);
  } catch (err) {
    throw new Error(`Cannot load schema '${nameOrPath}': cannot read ${url.href}`, {
      cause: err,
    });
  }
  try {
    const json: unknown = JSON.parse(text);
    // avsc is given a copy, so the JSON stays as written whatever it does with it.
    const type = avro.Type.forSchema(structuredClone(json) as avro.Schema, {
      omitRecordMethods: true,
    });
    return { json, type };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`Cannot load schema '${nameOrPath}': ${url.href} is not valid: ${reason}`, {
      cause: err,
    });
  }
}

function schemaUrl(nameOrPath: string | URL): URL {
  if (nameOrPath instanceof URL) return nameOrPath;
  if (nameOrPath.startsWith("/")) return new URL(`file://${nameOrPath}`);
  const file = nameOrPath.endsWith(".avsc") ? nameOrPath : `${nameOrPath}.avsc`;
  return new URL(file, SCHEMAS_DIR);
}
