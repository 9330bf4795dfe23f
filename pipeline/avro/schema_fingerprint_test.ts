import assert from "node:assert/strict";
import avro from "avsc";
import { loadSchema } from "./load_schema.ts";
import { schemaFingerprint } from "./schema_fingerprint.ts";

// Inputs, canonical forms and signed fingerprints from Avro's
// share/test/data/schema-tests.txt (the empty union, which avsc refuses to
// parse, is left out; crc64_avro_test.ts checks its fingerprint).
const SPEC_VECTORS: Array<[unknown, string, bigint]> = [
  ["null", '"null"', 7195948357588979594n],
  [{ type: "int" }, '"int"', 8247732601305521295n],
  [{ type: "string" }, '"string"', -8142146995180207161n],
  [["int", { type: "boolean" }], '["int","boolean"]', 5392556393470105090n],
  [
    { fields: [], type: "record", name: "foo", namespace: "x.y" },
    '{"name":"x.y.foo","type":"record","fields":[]}',
    5916914534497305771n,
  ],
  [
    { fields: [], type: "record", name: "a.b.foo", namespace: "x.y" },
    '{"name":"a.b.foo","type":"record","fields":[]}',
    -4616218487480524110n,
  ],
  [
    { fields: [], type: "record", name: "foo", doc: "foo", aliases: ["foo", "bar"] },
    '{"name":"foo","type":"record","fields":[]}',
    -4824392279771201922n,
  ],
  [
    {
      fields: [
        { type: "boolean", aliases: [], name: "f1", default: true },
        { order: "descending", name: "f2", doc: "Hello", type: "int" },
      ],
      type: "record",
      name: "foo",
    },
    '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"},{"name":"f2","type":"int"}]}',
    -4860222112080293046n,
  ],
  [
    { namespace: "x.y.z", type: "enum", name: "foo", doc: "foo bar", symbols: ["A1", "A2"] },
    '{"name":"x.y.z.foo","type":"enum","symbols":["A1","A2"]}',
    -4448647247586288245n,
  ],
  [
    { namespace: "x.y.z", type: "fixed", name: "foo", doc: "foo bar", size: 32 },
    '{"name":"x.y.z.foo","type":"fixed","size":32}',
    -3064184465700546786n,
  ],
  [
    { items: { type: "null" }, type: "array" },
    '{"type":"array","items":"null"}',
    -589620603366471059n,
  ],
  [{ values: "string", type: "map" }, '{"type":"map","values":"string"}', -8732877298790414990n],
  [
    {
      name: "PigValue",
      type: "record",
      fields: [{ name: "value", type: ["null", "int", "long", "PigValue"] }],
    },
    '{"name":"PigValue","type":"record","fields":[{"name":"value","type":["null","int","long","PigValue"]}]}',
    -1759257747318642341n,
  ],
];

Deno.test("schemaFingerprint() gives the spec's canonical form and fingerprint for its vectors", () => {
  for (const [input, canonical, signed] of SPEC_VECTORS) {
    const got = schemaFingerprint(avro.Type.forSchema(input as avro.Schema));
    assert.equal(got.canonical, canonical);
    assert.equal(BigInt.asIntN(64, got.fingerprint), signed, canonical);
  }
});

Deno.test("schemaFingerprint() drops logical types and defaults from the canonical form", () => {
  const { canonical } = schemaFingerprint(loadSchema("order.v2"));
  assert.equal(
    canonical,
    '{"name":"com.orders.Order","type":"record","fields":[{"name":"orderId","type":"string"},' +
      '{"name":"product","type":"string"},{"name":"price","type":"double"},' +
      '{"name":"customerId","type":["null","string"]},{"name":"quantity","type":"int"},' +
      '{"name":"createdAt","type":["null","long"]}]}',
  );
});

Deno.test("schemaFingerprint() tells the order versions apart and ignores docs", () => {
  const v1 = schemaFingerprint(loadSchema("order"));
  const v2 = schemaFingerprint(loadSchema("order.v2"));
  assert.notEqual(v1.fingerprint, v2.fingerprint);
  const undocumented = avro.Type.forSchema({
    type: "record",
    name: "Order",
    namespace: "com.orders",
    fields: [
      { name: "orderId", type: "string" },
      { name: "product", type: "string" },
      { name: "price", type: "float" },
    ],
  });
  assert.equal(schemaFingerprint(undocumented).hex, v1.hex);
  assert.match(v1.hex, /^[0-9a-f]{16}$/);
});
