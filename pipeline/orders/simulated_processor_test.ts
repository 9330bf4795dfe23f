import assert from "node:assert/strict";
import { TransientError } from "../errors.ts";
import type { Order } from "./order.ts";
import { createSimulatedProcessor } from "./simulated_processor.ts";

function order(n: number): Order {
  return { orderId: `ORD-${String(n).padStart(4, "0")}`, product: "Laptop", price: 10 };
}

/** Runs `count` orders and lists the codes of the failures, `ok` for a pass. */
function outcomes(process: (order: Order) => Order, count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    try {
      process(order(i + 1));
      return "ok";
    } catch (err) {
      return err instanceof TransientError ? err.code : "other";
    }
  });
}

Deno.test("createSimulatedProcessor() returns the order it was given", () => {
  const process = createSimulatedProcessor({ failRate: 0, seed: 1 });
  const input = order(1);
  assert.equal(process(input), input);
});

Deno.test("createSimulatedProcessor() throws a transient timeout naming the order", () => {
  const process = createSimulatedProcessor({ failRate: 1, seed: 1 });
  assert.throws(() => process(order(7)), (err) => {
    assert.ok(err instanceof TransientError);
    assert.equal(err.code, "PROCESSING_TIMEOUT");
    assert.equal(err.retriable, true);
    assert.equal(err.message, "Processing order ORD-0007 timed out (simulated)");
    return true;
  });
});

Deno.test("createSimulatedProcessor() fails at about failRate", () => {
  const failures = outcomes(createSimulatedProcessor({ failRate: 0.1, seed: 3 }), 10_000)
    .filter((outcome) => outcome === "PROCESSING_TIMEOUT").length;
  assert.ok(failures > 900 && failures < 1100, `${failures} failures`);
});

Deno.test("createSimulatedProcessor() fails the same orders for the same seed", () => {
  const a = outcomes(createSimulatedProcessor({ failRate: 0.3, seed: 42 }), 200);
  const b = outcomes(createSimulatedProcessor({ failRate: 0.3, seed: 42 }), 200);
  assert.deepEqual(a, b);
  assert.ok(a.includes("ok") && a.includes("PROCESSING_TIMEOUT"));
});

Deno.test("createSimulatedProcessor() fails every order while isFaulty holds", () => {
  let faulty = true;
  const process = createSimulatedProcessor({ failRate: 0, seed: 1, isFaulty: () => faulty });
  assert.throws(() => process(order(1)), (err) => {
    assert.ok(err instanceof TransientError);
    assert.equal(err.code, "DOWNSTREAM_FAILED");
    assert.match(err.message, /ORD-0001/);
    return true;
  });
  faulty = false;
  assert.equal(process(order(2)).orderId, "ORD-0002");
});

Deno.test("createSimulatedProcessor() keeps its seeded timeouts whatever isFaulty says", () => {
  const plain = outcomes(createSimulatedProcessor({ failRate: 0.3, seed: 8 }), 100);
  const withFault = outcomes(
    createSimulatedProcessor({ failRate: 0.3, seed: 8, isFaulty: (o) => o.orderId === "ORD-0010" }),
    100,
  );
  assert.equal(withFault[9], "DOWNSTREAM_FAILED");
  assert.deepEqual(withFault.toSpliced(9, 1), plain.toSpliced(9, 1));
});

Deno.test("createSimulatedProcessor() rejects a failRate outside 0 to 1", () => {
  for (const failRate of [2, -0.1, Number.NaN]) {
    assert.throws(
      () => createSimulatedProcessor({ failRate }),
      new RangeError(
        `Cannot create processor: 'failRate' must be between 0 and 1, got ${failRate}`,
      ),
    );
  }
});

Deno.test("createSimulatedProcessor() rejects a seed that is not a whole number", () => {
  assert.throws(
    () => createSimulatedProcessor({ seed: 0.5 }),
    new RangeError("Cannot create processor: 'seed' must be a whole number, got 0.5"),
  );
});

Deno.test("createSimulatedProcessor() rejects an isFaulty that is not a function", () => {
  assert.throws(
    () => createSimulatedProcessor({ isFaulty: true as unknown as () => boolean }),
    new TypeError("Cannot create processor: 'isFaulty' must be a function, got boolean"),
  );
});

Deno.test("createSimulatedProcessor() fails without recording a call stack", () => {
  const process = createSimulatedProcessor({ failRate: 1, seed: 1 });
  assert.throws(() => process(order(3)), (err) => {
    assert.ok(err instanceof TransientError && err instanceof Error);
    assert.equal(err.stack, "TransientError: Processing order ORD-0003 timed out (simulated)");
    return true;
  });
});
