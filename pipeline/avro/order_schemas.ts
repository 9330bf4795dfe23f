/**
 * The versions of the order schema, oldest first, each with its fingerprint.
 *
 * @module
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type avro from "avsc";
import { loadSchemaFile, SCHEMAS_DIR } from "./load_schema.ts";
import { type SchemaFingerprint, schemaFingerprint } from "./schema_fingerprint.ts";

/**
 * The order schema files, oldest first: version N is entry N - 1. Raw Avro
 * with no single-object marker is read as version 1. A new version is a new
 * file and one more entry here (README: "Adding a version").
 */
const ORDER_SCHEMA_FILES: readonly string[] = Object.freeze([
  "order.avsc",
  "order.v2.avsc",
]);

/** The newest order schema version: what producers write and the consumer reads into. */
export const LATEST_ORDER_VERSION: number = ORDER_SCHEMA_FILES.length;

/** One version of the order schema. */
export interface OrderSchema extends SchemaFingerprint {
  /** 1 for `order.avsc`, 2 for `order.v2.avsc`, … */
  readonly version: number;
  /** The file it was read from, such as `order.v2.avsc`. */
  readonly file: string;
  /** The parsed schema. */
  readonly type: avro.Type;
  /** The file's JSON as written, attributes avsc does not keep (such as `promotedFrom`) included. */
  readonly json: Record<string, unknown>;
}

/**
 * Loads every order schema version.
 *
 * @param dir The folder holding the files; the repository's `schemas/` when
 * left out (the schemas check passes another to test a copy).
 * @throws {Error} When a file cannot be read or parsed, naming it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LATEST_ORDER_VERSION, loadOrderSchemas } from "./order_schemas.ts";
 *
 * const schemas = loadOrderSchemas();
 * assert.equal(schemas.length, LATEST_ORDER_VERSION);
 * assert.equal(schemas[0].file, "order.avsc");
 * assert.match(schemas[1].hex, /^[0-9a-f]{16}$/);
 * ```
 */
export function loadOrderSchemas(dir?: string): readonly OrderSchema[] {
  // A folder named by a path, relative or not, as a URL ending in a slash.
  const folder = dir === undefined ? SCHEMAS_DIR : pathToFileURL(`${resolve(dir)}/`);
  return ORDER_SCHEMA_FILES.map((file, i) => {
    const url = new URL(file, folder);
    const { json, type } = loadSchemaFile(url);
    // An order schema is a record: its JSON is an object (avsc has just parsed it as one).
    const record = json as Record<string, unknown>;
    return Object.freeze({ version: i + 1, file, type, json: record, ...schemaFingerprint(type) });
  });
}

/**
 * The schema of `version` among `schemas`.
 *
 * @param what Opens the error message, naming the caller and its option.
 * @throws {RangeError} When there is no such version, listing the known ones.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadOrderSchemas, orderSchemaOf } from "./order_schemas.ts";
 *
 * const schemas = loadOrderSchemas();
 * assert.equal(orderSchemaOf(schemas, 2, "Cannot read: 'version'").file, "order.v2.avsc");
 * assert.throws(() => orderSchemaOf(schemas, 9, "Cannot read: 'version'"), /must be one of 1, 2, got 9/);
 * ```
 */
export function orderSchemaOf(
  schemas: readonly OrderSchema[],
  version: number,
  what: string,
): OrderSchema {
  const schema = schemas.find((s) => s.version === version);
  if (!schema) {
    throw new RangeError(
      `${what} must be one of ${schemas.map((s) => s.version).join(", ")}, got ${version}`,
    );
  }
  return schema;
}
