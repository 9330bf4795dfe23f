import assert from "node:assert/strict";
import { replayEventText } from "./_dlq_replay.ts";

Deno.test("replayEventText() escapes and cuts what a producer wrote, as dlq inspect does", () => {
  const line = replayEventText({
    type: "would-send",
    dlq: "0:5",
    to: "orders",
    group: "g\u202eevil",
    orderId: "D3\u001b[31mRED\u202eevil\r\n" + "9".repeat(10_000),
    correlationId: "c\u0000d",
    replays: 0,
  }, 3);
  // deno-lint-ignore no-control-regex -- control characters are what must not be there
  assert.ok(!/[\u0000-\u001f\u202e]/.test(line), JSON.stringify(line));
  assert.match(
    line,
    /^would send {2}0:5 -> orders \(for group g\\u202eevil\) {2}order D3\\u001b\[31mRED\\u202eevil 9+… {2}correlation c\\u0000d {2}replay #1$/,
  );
  assert.ok(line.length < 250, `${line.length} characters`);
  assert.equal(
    replayEventText({ type: "unreadable", dlq: "0:7", problem: "bad\u001b[2J" }, 3),
    "unreadable 0:7: bad\\u001b[2J",
  );
});
