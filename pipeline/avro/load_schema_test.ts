import assert from "node:assert/strict";
import { loadSchema, loadSchemaFile } from "./load_schema.ts";

Deno.test("loadSchema() finds a schema by its bare name", () => {
  const type = loadSchema("order");
  assert.equal(type.name, "com.orders.Order");
});

Deno.test("loadSchema() accepts the file name with its .avsc extension", () => {
  assert.equal(loadSchema("dead-letter.avsc").name, "com.orders.DeadLetter");
});

Deno.test("loadSchema() reads an absolute file URL as given", () => {
  const url = new URL("../../schemas/order.avsc", import.meta.url);
  assert.equal(loadSchema(url).name, "com.orders.Order");
});

Deno.test("loadSchema() works from any working directory", () => {
  const before = Deno.cwd();
  Deno.chdir("/");
  try {
    assert.equal(loadSchema("order").name, "com.orders.Order");
  } finally {
    Deno.chdir(before);
  }
});

Deno.test("loadSchema() names the schema it cannot find", () => {
  assert.throws(() => loadSchema("no-such-schema"), /Cannot load schema 'no-such-schema'/);
});

Deno.test("loadSchemaFile() gives the file's JSON as written, with attributes avsc does not keep, beside its type", () => {
  const { json, type } = loadSchemaFile("order.v2");
  assert.equal(type.name, "com.orders.Order");
  const fields = (json as { fields: Array<{ name: string; promotedFrom?: string }> }).fields;
  assert.equal(fields.find((f) => f.name === "price")?.promotedFrom, "float");
});

Deno.test("loadSchemaFile() names a file that is not JSON", async () => {
  const path = await Deno.makeTempFile({ suffix: ".avsc" });
  try {
    await Deno.writeTextFile(path, "{ not json");
    assert.throws(
      () => loadSchemaFile(path),
      /Cannot load schema '.*\.avsc': file:.* is not valid/,
    );
  } finally {
    await Deno.remove(path);
  }
});
