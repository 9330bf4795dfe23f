import assert from "node:assert/strict";
import { matchesDeadLetter, parseDeadLetterFilter } from "./dead_letter_filter.ts";

const letter = {
  time: 1000,
  errorClass: "transient",
  errorCode: "DOWNSTREAM_FAILED",
  stage: "process",
  searchable: ["ORD-0042", "corr-abc", null, "Processing order ORD-0042 failed"],
};

Deno.test("matchesDeadLetter() applies class, code, stage, a half-open time range and free text together", () => {
  const cases: Array<[Parameters<typeof matchesDeadLetter>[0], boolean]> = [
    [{}, true],
    [{ errorClass: "transient", errorCode: "DOWNSTREAM_FAILED", stage: "process" }, true],
    [{ errorClass: "poison" }, false],
    [{ errorCode: "DECODE_FAILED" }, false],
    [{ stage: "decode" }, false],
    [{ since: 1000, until: 1001 }, true],
    [{ since: 1001 }, false],
    [{ until: 1000 }, false],
    [{ text: "CORR-ABC" }, true],
    [{ text: "  0042 " }, true],
    [{ text: "ORD-9999" }, false],
  ];
  for (const [filter, expected] of cases) {
    assert.equal(matchesDeadLetter(filter, letter), expected, JSON.stringify(filter));
  }
});

Deno.test("parseDeadLetterFilter() drops empty fields and names the one that is wrong", () => {
  assert.deepEqual(parseDeadLetterFilter(undefined), {});
  assert.deepEqual(parseDeadLetterFilter({ errorClass: "", text: "x", until: 5 }), {
    text: "x",
    until: 5,
  });
  assert.throws(() => parseDeadLetterFilter([]), /'filter' must be a JSON object/);
  assert.throws(
    () => parseDeadLetterFilter({ stage: "x".repeat(201) }),
    /'filter.stage' must be text/,
  );
  assert.throws(() => parseDeadLetterFilter({ until: Infinity }), /'filter.until' must be a time/);
});
