import assert from "node:assert/strict";
import { InFlightGate } from "./in_flight_gate.ts";

Deno.test("InFlightGate bounds each partition on its own", () => {
  const gate = new InFlightGate({ perPartition: 3, total: 100 });
  for (let i = 0; i < 3; i++) gate.take("t/0");
  assert.equal(gate.hasRoom("t/0"), false);
  assert.ok(gate.hasRoom("t/1"));
  assert.equal(gate.inFlight, 3);
});

Deno.test("InFlightGate bounds the whole process", () => {
  const gate = new InFlightGate({ perPartition: 10, total: 4 });
  gate.take("t/0");
  gate.take("t/0");
  gate.take("t/1");
  gate.take("t/2");
  for (const partition of ["t/0", "t/1", "t/2", "t/3"]) {
    assert.equal(gate.hasRoom(partition), false);
  }
});

Deno.test("InFlightGate resumes a paused partition at half its bound, once", () => {
  const gate = new InFlightGate({ perPartition: 4, total: 100 });
  for (let i = 0; i < 4; i++) gate.take("t/0");
  let resumed = 0;
  gate.waitForRoom("t/0", () => resumed++);
  gate.release("t/0");
  assert.equal(resumed, 0, "3 of 4 in flight: not yet");
  assert.ok(gate.isWaiting("t/0"));
  gate.release("t/0");
  assert.equal(resumed, 1, "2 of 4 in flight");
  gate.release("t/0");
  assert.equal(resumed, 1);
  assert.equal(gate.isWaiting("t/0"), false);
});

Deno.test("InFlightGate resumes partitions paused by the process bound when the process has room", () => {
  const gate = new InFlightGate({ perPartition: 10, total: 4 });
  for (const partition of ["t/0", "t/0", "t/1", "t/1"]) gate.take(partition);
  const resumed: string[] = [];
  gate.waitForRoom("t/2", () => resumed.push("t/2"));
  gate.release("t/0");
  assert.deepEqual(resumed, [], "3 of 4 in the process");
  gate.release("t/1");
  assert.deepEqual(resumed, ["t/2"]);
});

Deno.test("InFlightGate.clear() forgets waiting partitions", () => {
  const gate = new InFlightGate({ perPartition: 1, total: 10 });
  gate.take("t/0");
  let resumed = 0;
  gate.waitForRoom("t/0", () => resumed++);
  gate.clear();
  gate.release("t/0");
  assert.equal(resumed, 0);
});

Deno.test("InFlightGate refuses bounds below 1", () => {
  assert.throws(
    () => new InFlightGate({ perPartition: 0 }),
    /'perPartition' must be a whole number >= 1, got 0/,
  );
  assert.throws(
    () => new InFlightGate({ total: 1.5 }),
    /'total' must be a whole number >= 1, got 1.5/,
  );
});
