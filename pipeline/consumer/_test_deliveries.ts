// Deliveries for the consumer's unit tests: real records and real ledgers,
// no Kafka. Each partition's ledger admits records in offset order and is
// settled by the delivery's settle(), as the Kafka source does.
import { createCodec } from "../avro/avro_codec.ts";
import { loadSchema } from "../avro/load_schema.ts";
import type { Delivery } from "../kafka/kafka_record.ts";
import { OffsetLedger } from "../kafka/offset_ledger.ts";
import type { Order } from "../orders/order.ts";

export const orderCodec = createCodec<Order>(loadSchema("order"));

/** One record to make: its partition, key, and the order in it (or raw bytes). */
export interface TestRecord {
  partition: number;
  key: string | null;
  order?: Order;
  bytes?: Uint8Array;
}

/** What {@link testDeliveries} makes. */
export interface TestDeliveries {
  deliveries: Delivery[];
  /** Each partition's ledger. */
  ledgers: Map<number, OffsetLedger>;
  /** How often each record (`partition/offset`) was settled. */
  settles: Map<string, number>;
}

/** Deliveries of `records`, offsets counted per partition from 0. */
export function testDeliveries(records: TestRecord[], topic = "orders"): TestDeliveries {
  const ledgers = new Map<number, OffsetLedger>();
  const settles = new Map<string, number>();
  const counts = new Map<number, number>();
  const deliveries: Delivery[] = records.map(({ partition, key, order, bytes }) => {
    let ledger = ledgers.get(partition);
    if (ledger === undefined) ledgers.set(partition, ledger = new OffsetLedger(0));
    const offset = counts.get(partition) ?? 0;
    counts.set(partition, offset + 1);
    ledger.admit(offset);
    const id = `${partition}/${offset}`;
    settles.set(id, 0);
    const partitionLedger = ledger;
    return {
      record: {
        topic,
        partition,
        offset: String(offset),
        key: key === null ? null : new TextEncoder().encode(key),
        value: bytes ?? orderCodec.encode(order!),
        headers: {},
        timestamp: "0",
      },
      ledger: partitionLedger,
      settle: () => {
        settles.set(id, settles.get(id)! + 1);
        partitionLedger.settle(offset);
      },
    };
  });
  return { deliveries, ledgers, settles };
}

/** A delivery of an empty record at `offset` of `partition`, admitted to and settled on `ledger`. */
export function ledgerDelivery(
  ledger: OffsetLedger,
  partition: number,
  offset: number,
  topic = "orders",
): Delivery {
  ledger.admit(offset);
  return {
    record: {
      topic,
      partition,
      offset: String(offset),
      key: null,
      value: null,
      headers: {},
      timestamp: "0",
    },
    ledger,
    settle: () => ledger.settle(offset),
  };
}
