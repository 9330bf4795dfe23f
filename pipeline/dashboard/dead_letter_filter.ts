/**
 * The dashboard's dead-letter filter: by class, code, stage, time range and
 * free text (order id, correlation id, key, product, error message). The page
 * applies the same rules to the rows it holds; the server applies them to the
 * whole DLQ for "all matching".
 *
 * @module
 */

/** A filter; a field left out matches everything. */
export interface DeadLetterFilter {
  errorClass?: string;
  errorCode?: string;
  stage?: string;
  /** Dead-lettered at or after, ms since the epoch. */
  since?: number;
  /** Dead-lettered before, ms since the epoch. */
  until?: number;
  /** Case-insensitive text found in the order id, correlation id, key, product or error. */
  text?: string;
}

/** The fields of a dead letter a filter looks at. */
export interface FilterableLetter {
  time: number;
  errorClass: string | null;
  errorCode: string | null;
  stage: string | null;
  searchable: ReadonlyArray<string | null>;
}

/**
 * Whether `letter` passes `filter`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matchesDeadLetter } from "./dead_letter_filter.ts";
 * const letter = { time: 5, errorClass: "poison", errorCode: "DECODE_FAILED", stage: "decode", searchable: ["ORD-7"] };
 * assert.equal(matchesDeadLetter({ errorClass: "poison", text: "ord-7" }, letter), true);
 * assert.equal(matchesDeadLetter({ until: 5 }, letter), false);
 * ```
 */
export function matchesDeadLetter(filter: DeadLetterFilter, letter: FilterableLetter): boolean {
  if (filter.errorClass && letter.errorClass !== filter.errorClass) return false;
  if (filter.errorCode && letter.errorCode !== filter.errorCode) return false;
  if (filter.stage && letter.stage !== filter.stage) return false;
  if (filter.since !== undefined && letter.time < filter.since) return false;
  if (filter.until !== undefined && letter.time >= filter.until) return false;
  const text = filter.text?.trim().toLowerCase();
  if (text && !letter.searchable.some((field) => field?.toLowerCase().includes(text))) return false;
  return true;
}

/**
 * Reads a filter from a JSON body, naming the field that is wrong.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDeadLetterFilter } from "./dead_letter_filter.ts";
 * assert.deepEqual(parseDeadLetterFilter({ errorClass: "poison", since: 10 }), { errorClass: "poison", since: 10 });
 * assert.throws(() => parseDeadLetterFilter({ since: "soon" }), /'filter.since'/);
 * ```
 */
export function parseDeadLetterFilter(body: unknown): DeadLetterFilter {
  if (body === undefined || body === null) return {};
  if (typeof body !== "object" || Array.isArray(body)) {
    throw new TypeError("'filter' must be a JSON object");
  }
  const given = body as Record<string, unknown>;
  const filter: DeadLetterFilter = {};
  for (const name of ["errorClass", "errorCode", "stage", "text"] as const) {
    const value = given[name];
    if (value === undefined || value === null || value === "") continue;
    if (typeof value !== "string" || value.length > 200) {
      throw new TypeError(
        `'filter.${name}' must be text of at most 200 characters, got ${JSON.stringify(value)}`,
      );
    }
    filter[name] = value;
  }
  for (const name of ["since", "until"] as const) {
    const value = given[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new TypeError(
        `'filter.${name}' must be a time in ms since the epoch, got ${JSON.stringify(value)}`,
      );
    }
    filter[name] = value;
  }
  return filter;
}
