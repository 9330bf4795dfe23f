import { equal } from "node:assert/strict";
import { testBrokers, uniqueTopic } from "./_shared_broker.ts";

async function run(cli: string, args: string[], env: Record<string, string> = {}) {
  const path = new URL(`../pipeline/cli/${cli}.ts`, import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", path, ...args],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr).trim(),
  };
}

Deno.test("consume names an unknown flag in one line and exits 2", async () => {
  const { code, stderr } = await run("consume", ["--max-retry", "3"]);
  equal(code, 2);
  equal(stderr, "consume: unknown flag --max-retry (see --help)");
});

Deno.test("consume reports every bad value at once, flags and environment alike", async () => {
  const { code, stderr } = await run("consume", ["--fail-rate", "1.5", "--backoff", "soon"], {
    KAFKA_BROKERS: "no-port",
  });
  equal(code, 2);
  equal(
    stderr,
    [
      'consume: KAFKA_BROKERS (for --brokers) must be a comma-separated list of host:port, got "no-port"',
      'consume: flag --backoff must be a duration such as 500ms, 2s or 1m (0 for none), got "soon"',
      'consume: flag --fail-rate must be a number from 0 to 1, got "1.5"',
    ].join("\n"),
  );
});

Deno.test("consume names a bad --ordering and ORDERING, with the modes it takes", async () => {
  const { code, stderr } = await run("consume", ["--ordering", "sideways"]);
  equal(code, 2);
  equal(
    stderr,
    'consume: flag --ordering must be one of key, partition, unordered, got "sideways"',
  );
  const fromEnv = await run("consume", [], { ORDERING: "by-key" });
  equal(fromEnv.code, 2);
  equal(
    fromEnv.stderr,
    'consume: ORDERING (for --ordering) must be one of key, partition, unordered, got "by-key"',
  );
});

Deno.test("consume refuses one topic in two roles (it would read its own dead letters), naming both flags", async () => {
  for (
    const [args, line] of [
      [
        ["--topic", "t", "--dlq-topic", "t"],
        "consume: flag --dlq-topic must differ from --topic (t)",
      ],
      [
        ["--stats-topic", "orders"],
        "consume: flag --stats-topic must differ from --topic (orders)",
      ],
      [
        ["--dlq-topic", "x", "--retry-topic", "x"],
        "consume: flag --dlq-topic must differ from --retry-topic (x)",
      ],
      [
        ["--stats-topic", "orders-dlq"],
        "consume: flag --stats-topic must differ from --dlq-topic (orders-dlq)",
      ],
    ]
  ) {
    // No broker answers at this address: the check comes before any connection.
    const { code, stderr } = await run("consume", ["--brokers", "127.0.0.1:1", ...args]);
    equal(code, 2, stderr);
    equal(stderr, line);
  }
});

Deno.test("produce names a flag that lacks its value and exits 2", async () => {
  const { code, stderr } = await run("produce", ["--count"]);
  equal(code, 2);
  equal(stderr, "produce: flag --count needs a value");
});

Deno.test("produce --help lists every flag and exits 0", async () => {
  const { code, stdout } = await run("produce", ["--help"]);
  equal(code, 0);
  for (const flag of ["--count", "--interval", "--brokers", "--topic", "--bad-rate", "--seed"]) {
    equal(stdout.includes(flag), true, `${flag} is documented`);
  }
});

Deno.test("broker start without Java on PATH says what to install in one line and exits 1", async () => {
  const bin = await Deno.makeTempDir();
  await Deno.symlink(Deno.execPath(), `${bin}/deno`);
  await Deno.symlink("/bin/sh", `${bin}/sh`);
  const { code, stderr } = await run("broker", ["start", "--port", "0"], { PATH: bin });
  await Deno.remove(bin, { recursive: true });
  equal(code, 1);
  equal(
    stderr,
    "broker: Java was not found on PATH: install Java 17 or later (Debian: apt-get install openjdk-17-jre-headless) or set KAFKA_BROKERS",
  );
});

Deno.test("dashboard and consume name the flag of a port another process listens on, in one line", async () => {
  const brokers = (await testBrokers()).join(",");
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = taken.addr as Deno.NetAddr;
  try {
    for (
      const [cli, args, flag] of [
        ["dashboard", ["--port", String(port)], "--port"],
        [
          "consume",
          ["--metrics-port", String(port), "--topic", uniqueTopic("port")],
          "--metrics-port",
        ],
      ] as const
    ) {
      const { code, stderr } = await run(cli, ["--brokers", brokers, ...args]);
      equal(code, 1, stderr);
      equal(
        stderr.split("\n").at(-1),
        `${cli}: cannot listen on 127.0.0.1:${port} (flag ${flag}): another process listens there; ` +
          "choose another port, or 0 for any free one",
      );
    }
  } finally {
    taken.close();
  }
});
