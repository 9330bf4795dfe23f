import assert from "node:assert/strict";
import {
  CORRELATION_ID,
  DEAD_LETTER_CONTEXT_HEADERS,
  deadLetterHeader,
  REPLAY_COUNT,
  REPLAY_GROUP,
  RETRY_HEADERS,
  retryHeader,
} from "./headers.ts";

Deno.test("each header name means one thing: no two keys of a vocabulary share a name", () => {
  for (const vocabulary of [deadLetterHeader, retryHeader]) {
    const names = Object.values(vocabulary);
    assert.equal(new Set(names).size, names.length);
  }
});

Deno.test("the correlation id, replay count and replay group are the original's own, never context headers", () => {
  for (const name of [CORRELATION_ID, REPLAY_COUNT, REPLAY_GROUP]) {
    assert.equal(DEAD_LETTER_CONTEXT_HEADERS.has(name), false, name);
    assert.equal(RETRY_HEADERS.has(name), false, name);
  }
});
