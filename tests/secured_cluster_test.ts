// Every task against a real secured broker: the embedded broker started with
// `secure` (what `broker start --secure` runs), its plaintext and SASL_SSL
// listeners side by side, driven through the commands as a user runs them.
import assert from "node:assert/strict";
import { type RunningBroker } from "../pipeline/broker/embedded_broker.ts";
import { startOwnBroker } from "./_own_broker.ts";
import { createSecureMaterial } from "../pipeline/broker/_secure_listener.ts";
import { ConfigError } from "../pipeline/errors.ts";
import { securityFor } from "../pipeline/kafka/kafka_security.ts";
import { outcomes, startConsumer } from "./_consumer_process.ts";
import { provideBroker } from "./broker_provider.ts";

const cli = (name: string) => new URL(`../pipeline/cli/${name}.ts`, import.meta.url).pathname;

interface Run {
  code: number;
  stdout: string;
  /** Stderr lines, empty ones dropped. */
  errors: string[];
}

async function run(command: string, args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli(command), ...args],
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return {
    code: out.code,
    stdout: decode(out.stdout),
    errors: decode(out.stderr).split("\n").filter((line) => line.trim() !== ""),
  } satisfies Run;
}

/** The flags of the SASL_SSL listener, as `broker start --secure` prints them. */
function secureFlags(broker: RunningBroker, password = broker.secure!.passwordFile): string[] {
  const { brokers, caFile, username } = broker.secure!;
  return [
    ...["--brokers", brokers, "--tls", "--tls-ca", caFile],
    ...["--sasl-mechanism", "SCRAM-SHA-256", "--sasl-username", username],
    ...["--sasl-password-file", password],
  ];
}

function assertOneLine(result: Run, pattern: RegExp) {
  assert.equal(result.code, 1, result.errors.join("\n"));
  assert.equal(result.errors.length, 1, `one line, got:\n${result.errors.join("\n")}`);
  assert.match(result.errors[0], pattern);
}

Deno.test("a broker started with --secure serves every task through SASL_SSL", async (t) => {
  const broker = await startOwnBroker({
    secure: true,
    heap: "384m",
    onProgress: (line) => console.error(`[secure broker] ${line}`),
  });
  const scratch = await Deno.makeTempDir({ prefix: "secured-cluster-test-" });
  try {
    const secure = broker.secure!;
    const topic = `secured-${crypto.randomUUID().slice(0, 8)}`;

    await t.step("the broker's secrets are readable by its user alone", async () => {
      const modeOf = async (path: string) => ((await Deno.stat(path)).mode! & 0o777).toString(8);
      const folder = `${broker.dir}/secure`;
      assert.equal(await modeOf(folder), "700");
      for (const file of ["ca.p12", "broker.p12", "sasl-password"]) {
        assert.equal(await modeOf(`${folder}/${file}`), "600", file);
      }
      assert.equal(await modeOf(`${broker.dir}/server.properties`), "600");
    });

    await t.step("the plaintext port takes plaintext clients", async () => {
      const result = await run("produce", [
        ...["--brokers", broker.brokers, "--topic", `${topic}-plain`],
        ...["--count", "3", "--interval", "0", "--json"],
      ]);
      assert.equal(result.code, 0, result.errors.join("\n"));
      assert.match(result.stdout, /"type":"summary","sent":3/);
    });

    await t.step("plaintext spoken to the SASL_SSL port fails with one line", async () => {
      const result = await run("dlq", ["stats", "--brokers", secure.brokers]);
      assertOneLine(result, /^dlq: 127\.0\.0\.1:\d+ closed the connection at once: .*--tls/);
    });

    await t.step("TLS spoken to the plaintext port fails with one line", async () => {
      const result = await run("dlq", [
        ...["stats", "--brokers", broker.brokers, "--tls", "--tls-ca", secure.caFile],
      ]);
      assertOneLine(result, /^dlq: 127\.0\.0\.1:\d+ does not speak TLS on this port/);
    });

    await t.step(
      "TLS without SASL on the SASL_SSL port fails with one line asking for SASL",
      async () => {
        const result = await run("dlq", [
          ...["stats", "--brokers", secure.brokers, "--tls", "--tls-ca", secure.caFile],
        ]);
        assertOneLine(
          result,
          /^dlq: 127\.0\.0\.1:\d+ closed the connection after TLS: the listener likely wants SASL authentication: give --sasl-mechanism/,
        );
      },
    );

    await t.step("a wrong password fails with one line naming the user", async () => {
      const wrong = `${scratch}/wrong-password`;
      await Deno.writeTextFile(wrong, "not-the-password\n");
      const result = await run("produce", [
        ...secureFlags(broker, wrong),
        ...["--topic", topic, "--count", "1", "--interval", "0", "--json"],
      ]);
      assertOneLine(
        result,
        /^produce: authentication failed for user pipeline \(SCRAM-SHA-256\)(?: at \S+)?: the broker refused the username or password$/,
      );
    });

    await t.step("a CA that did not sign the broker certificate fails with one line", async () => {
      const stranger = await createSecureMaterial(`${scratch}/other-ca`);
      const result = await run("produce", [
        ...["--brokers", secure.brokers, "--tls", "--tls-ca", stranger.caFile],
        ...["--topic", topic, "--count", "1", "--interval", "0", "--json"],
      ], {
        KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
        KAFKA_SASL_USERNAME: secure.username,
        KAFKA_SASL_PASSWORD: secure.password,
      });
      assertOneLine(
        result,
        /^produce: the TLS certificate of 127\.0\.0\.1:\d+ is not trusted \(.+\): give the CA that signed it with --tls-ca/,
      );
    });

    const names = [
      ...["--topic", topic, "--dlq-topic", `${topic}-dlq`, "--stats-topic", `${topic}-stats`],
      "--retry-topic",
      `${topic}-retry`,
    ];
    const group = ["--group", `${topic}-group`];

    await t.step(
      "the right settings produce, consume, dead-letter and replay end to end",
      async () => {
        // The environment form, exactly as `broker start --secure` prints it.
        const produced = await run("produce", [
          ...["--topic", topic, "--count", "10", "--interval", "0", "--seed", "5", "--json"],
        ], {
          KAFKA_BROKERS: secure.brokers,
          KAFKA_TLS: "true",
          KAFKA_TLS_CA: secure.caFile,
          KAFKA_SASL_MECHANISM: "SCRAM-SHA-256",
          KAFKA_SASL_USERNAME: secure.username,
          KAFKA_SASL_PASSWORD_FILE: secure.passwordFile,
        });
        assert.equal(produced.code, 0, produced.errors.join("\n"));
        assert.match(produced.stdout, /"type":"summary","sent":10,"valid":10/);

        // Every order fails: all ten are dead-lettered over SASL_SSL.
        const failing = startConsumer([
          ...secureFlags(broker),
          ...names,
          ...group,
          ...["--from-beginning", "--fail-rate", "1", "--max-retries", "0"],
          ...["--max-retry-rounds", "0"],
        ]);
        await failing.waitFor(
          (lines) => outcomes(lines).filter((o) => o.outcome === "dead-lettered").length === 10,
          120_000,
        );
        failing.kill("SIGTERM");
        assert.equal(await failing.finished(), 0);

        const stats = await run("dlq", [
          "stats",
          ...secureFlags(broker),
          ...["--dlq-topic", `${topic}-dlq`, "--json"],
        ]);
        assert.equal(stats.code, 0, stats.errors.join("\n"));
        assert.equal(JSON.parse(stats.stdout).total, 10);

        // The fault is gone: replay the letters through SASL_SSL, all ten are processed.
        const healthy = startConsumer([
          ...secureFlags(broker),
          ...names,
          ...group,
          ...["--fail-rate", "0", "--max-retry-rounds", "0"],
        ]);
        try {
          // The group committed past the ten letters, so it reads only the replays,
          // whenever it joins.
          const replayed = await run("dlq", [
            "replay",
            ...secureFlags(broker),
            ...["--dlq-topic", `${topic}-dlq`, "--json"],
          ]);
          assert.equal(replayed.code, 0, replayed.errors.join("\n"));
          await healthy.waitFor(
            (lines) => outcomes(lines).filter((o) => o.outcome === "processed").length === 10,
            120_000,
          );
        } finally {
          healthy.kill("SIGTERM");
          assert.equal(await healthy.finished(), 0);
        }
      },
    );

    await t.step(
      "the dashboard reads the pipeline's topics through the SASL_SSL listener",
      async () => {
        const child = new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "-A",
            cli("dashboard"),
            ...secureFlags(broker),
            ...names,
            ...group,
            "--port",
            "0",
          ],
          stdin: "null",
          stdout: "piped",
          stderr: "null",
        }).spawn();
        try {
          const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
          let printed = "";
          while (!/Dashboard at (\S+)/.test(printed)) {
            const { value, done } = await reader.read();
            assert.ok(!done, `the dashboard ended before it said where it listens: ${printed}`);
            printed += value;
          }
          reader.releaseLock();
          const url = new URL(printed.match(/Dashboard at (\S+)/)![1]);
          // It reads its topics from the start, over SASL_SSL, and settles on what they hold.
          const deadline = Date.now() + 120_000;
          let state: {
            processed: number;
            stored: { dlq: number };
            deadLetteredByClass: Record<string, number>;
          };
          do {
            await new Promise((resolve) => setTimeout(resolve, 500));
            state = await (await fetch(new URL("/api/state", url))).json();
          } while (state.processed < 10 && Date.now() < deadline);
          assert.equal(state.processed, 10, "the ten replayed orders, processed");
          assert.equal(state.stored.dlq, 10, "the ten dead letters");
          assert.equal(state.deadLetteredByClass.transient, 10, "all ten failed as transient");
        } finally {
          child.kill("SIGTERM");
          await child.status;
          await child.stdout.cancel().catch(() => {});
        }
      },
    );
  } finally {
    await broker.stop();
    await Deno.remove(scratch, { recursive: true });
  }
});

Deno.test("broker start --secure prints flags and an environment that work as printed", async () => {
  const stateDir = await Deno.makeTempDir({ prefix: "secured-broker-cli-test-" });
  const broker = (...args: string[]) => run("broker", args, { BROKER_STATE_DIR: stateDir });
  try {
    const started = await broker("start", "--port", "0", "--secure", "--heap", "384m");
    assert.equal(started.code, 0, started.errors.join("\n"));
    const lines = started.stdout.split("\n").map((line) => line.trim());
    const flags = lines[lines.indexOf("Use it with flags:") + 1].split(" ");
    assert.equal(flags[0], "--brokers");
    const env = Object.fromEntries(
      lines.filter((line) => line.startsWith("export "))
        .flatMap((line) => line.slice("export ".length).split(" "))
        .map((pair) => pair.split("=") as [string, string]),
    );
    assert.equal(env.KAFKA_BROKERS, flags[1]);
    assert.deepEqual(Object.keys(env).sort(), [
      "KAFKA_BROKERS",
      "KAFKA_SASL_MECHANISM",
      "KAFKA_SASL_PASSWORD_FILE",
      "KAFKA_SASL_USERNAME",
      "KAFKA_TLS",
      "KAFKA_TLS_CA",
    ]);

    const topic = `secured-cli-${crypto.randomUUID().slice(0, 8)}`;
    const withFlags = await run("produce", [
      ...flags,
      ...["--topic", topic, "--count", "2", "--interval", "0", "--json"],
    ]);
    assert.equal(withFlags.code, 0, withFlags.errors.join("\n"));
    const withEnv = await run("produce", [
      "--topic",
      topic,
      "--count",
      "2",
      "--interval",
      "0",
      "--json",
    ], env);
    assert.equal(withEnv.code, 0, withEnv.errors.join("\n"));
    assert.match(withEnv.stdout, /"type":"summary","sent":2/);

    const status = await broker("status");
    assert.equal(status.code, 0);
    assert.ok(status.stdout.includes(flags.join(" ")), "status repeats the flags");
  } finally {
    await broker("stop");
    await Deno.remove(stateDir, { recursive: true });
  }
});

Deno.test("the test broker provider connects to KAFKA_BROKERS with the security variables", async () => {
  const dir = await Deno.makeTempDir({ prefix: "secured-provider-test-" });
  try {
    const variables: Record<string, string> = {
      KAFKA_BROKERS: "kafka.test:9093",
      KAFKA_TLS: "true",
      KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
      KAFKA_SASL_USERNAME: "ci",
      KAFKA_SASL_PASSWORD: "from-env",
    };
    const provided = await provideBroker({ env: (name) => variables[name] });
    assert.deepEqual(provided.brokers, ["kafka.test:9093"]);
    assert.deepEqual(securityFor(provided.brokers), {
      tls: {},
      sasl: { mechanism: "SCRAM-SHA-512", username: "ci", password: "from-env" },
    });
    const wrong: Record<string, string> = {
      ...variables,
      KAFKA_TLS: "false",
      KAFKA_TLS_CA: `${dir}/none.pem`,
    };
    await assert.rejects(provideBroker({ env: (name) => wrong[name] }), ConfigError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("every task lists the security flags and reports their bad combinations in one pass", async () => {
  for (const [command, ...args] of [["produce"], ["consume"], ["dlq", "stats"], ["dashboard"]]) {
    const help = await run(command, ["--help"]);
    assert.equal(help.code, 0);
    for (const flag of ["--tls", "--tls-ca", "--sasl-mechanism", "--sasl-password-file"]) {
      assert.ok(help.stdout.includes(flag), `${command} --help lists ${flag}`);
    }
    const bad = await run(command, [
      ...args,
      ...["--brokers", "127.0.0.1:1", "--tls-ca", "/no/such/ca.pem", "--sasl-username", "u"],
    ], { KAFKA_SASL_MECHANISM: "SCRAM-SHA-1" });
    const name = [command, ...args].join(" ");
    assert.equal(bad.code, 2, bad.errors.join("\n"));
    assert.deepEqual(bad.errors, [
      `${name}: flag --tls-ca must name a readable file (no such file), got "/no/such/ca.pem"`,
      `${name}: KAFKA_SASL_MECHANISM (for --sasl-mechanism) must be PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, got "SCRAM-SHA-1"`,
      `${name}: --sasl-username u needs a password: set KAFKA_SASL_PASSWORD or --sasl-password-file`,
    ]);
    const password = await run(command, [...args, "--sasl-password", "secret"]);
    assert.equal(password.code, 2);
    assert.deepEqual(password.errors, [`${command}: unknown flag --sasl-password (see --help)`]);
  }
});
