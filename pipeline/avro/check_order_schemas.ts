/**
 * The compatibility check of the order schema versions, by Avro's schema
 * resolution rules as avsc's `createResolver` applies them.
 *
 * @module
 */
import avro from "avsc";
import { loadOrderSchemas, type OrderSchema } from "./order_schemas.ts";

/** What the check found for one pair of neighbouring versions. */
export interface PairReport {
  /** `v1 ↔ v2`. */
  readonly pair: string;
  /** One line per direction that resolves, such as `v2 reads v1`. */
  readonly passed: readonly string[];
  /** One line per field that breaks a direction, naming it. */
  readonly problems: readonly string[];
}

/**
 * Checks every version of the order schema against the one before it, both
 * ways: the newer reads the older's records (backward: a consumer upgraded
 * first reads the backlog) and the older reads the newer's (forward: a
 * consumer not yet upgraded reads what upgraded producers write).
 *
 * One exception, declared in the schema and checked: a field of the newer
 * version marked `"promotedFrom": T` where T is the older version's type of
 * that field and an Avro promotion to the new one (float to double). Avro
 * cannot narrow it back, so the forward direction is checked with that field
 * read as T, and the report says the older reader needs the upgrade first.
 *
 * @param dir The folder holding the schema files. @default the repository's `schemas/`
 * @returns One report per pair; the versions are compatible when no report has problems.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkOrderSchemas } from "./check_order_schemas.ts";
 *
 * const [pair] = checkOrderSchemas();
 * assert.equal(pair.pair, "v1 ↔ v2");
 * assert.deepEqual(pair.problems, []);
 * ```
 */
export function checkOrderSchemas(dir?: string): PairReport[] {
  const schemas = loadOrderSchemas(dir);
  const reports: PairReport[] = [];
  for (let i = 1; i < schemas.length; i++) {
    const older = schemas[i - 1];
    const newer = schemas[i];
    const passed: string[] = [];
    const problems: string[] = [];
    const backward = resolve(newer, older.type, older);
    if (backward.length === 0) passed.push(`v${newer.version} reads v${older.version}`);
    problems.push(...backward);
    const promoted = promotions(older, newer, problems);
    const writer = promoted.size === 0 ? newer.type : avro.Type.forSchema(
      {
        ...newer.json,
        fields: fieldsOf(newer.json).map((f) =>
          promoted.has(f.name) ? { ...f, type: f.promotedFrom } : f
        ),
      } as avro.Schema,
    );
    const forward = resolve(older, writer, newer);
    if (forward.length === 0) {
      const except = [...promoted].map((name) =>
        `${name}, promoted from ${
          JSON.stringify(promotedFromOf(newer, name))
        }: a v${older.version} reader cannot read v${newer.version}'s ${name}`
      );
      passed.push(
        `v${older.version} reads v${newer.version}` +
          (except.length ? ` except ${except.join("; ")}` : ""),
      );
    }
    problems.push(...forward);
    reports.push({ pair: `v${older.version} ↔ v${newer.version}`, passed, problems });
  }
  return reports;
}

interface FieldJson {
  name: string;
  type: unknown;
  promotedFrom?: unknown;
  [attribute: string]: unknown;
}

function fieldsOf(json: Record<string, unknown>): FieldJson[] {
  return Array.isArray(json.fields) ? json.fields as FieldJson[] : [];
}

function promotedFromOf(schema: OrderSchema, name: string): unknown {
  return fieldsOf(schema.json).find((f) => f.name === name)?.promotedFrom;
}

/** The fields of `newer` whose `promotedFrom` is honest; a dishonest one is a problem. */
function promotions(older: OrderSchema, newer: OrderSchema, problems: string[]): Set<string> {
  const names = new Set<string>();
  for (const field of fieldsOf(newer.json)) {
    if (field.promotedFrom === undefined) continue;
    const before = fieldsOf(older.json).find((f) => f.name === field.name);
    if (!before || JSON.stringify(before.type) !== JSON.stringify(field.promotedFrom)) {
      problems.push(
        `field '${field.name}' of v${newer.version} says it is promoted from ${
          JSON.stringify(field.promotedFrom)
        }, but v${older.version}'s ${field.name} is ${
          before ? JSON.stringify(before.type) : "missing"
        }`,
      );
      continue;
    }
    names.add(field.name);
  }
  return names;
}

/** Why `reader` cannot read `writerType` (the type of `writer`), one line per field; none if it can. */
function resolve(reader: OrderSchema, writerType: avro.Type, writer: OrderSchema): string[] {
  const direction = `v${reader.version} cannot read v${writer.version}`;
  try {
    reader.type.createResolver(writerType);
    return [];
  } catch (err) {
    const found = fieldProblems(reader.type, writerType).map((p) => `${direction}: ${p}`);
    return found.length > 0 ? found : [`${direction}: ${(err as Error).message}`];
  }
}

function fieldProblems(reader: avro.Type, writer: avro.Type): string[] {
  const readerFields = (reader as avro.types.RecordType).fields ?? [];
  const writerFields = (writer as avro.types.RecordType).fields ?? [];
  const problems: string[] = [];
  for (const field of readerFields) {
    const names = [field.name, ...(field.aliases ?? [])];
    const match = writerFields.find((w) => names.includes(w.name));
    if (!match) {
      if (field.defaultValue() === undefined) {
        problems.push(`field '${field.name}' is missing from the writer and has no default`);
      }
      continue;
    }
    try {
      field.type.createResolver(match.type);
    } catch (err) {
      problems.push(`field '${field.name}': ${(err as Error).message}`);
    }
  }
  return problems;
}
