// A strict reader of the Prometheus text exposition format (0.0.4), for tests:
// every line must be a comment, a HELP or TYPE line, or a sample of a declared
// metric family; it returns the samples by name and labels.

/** One sample: `name{labels} value`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;
const SUFFIXES: Record<string, string[]> = {
  counter: ["_total", "_created"],
  gauge: [""],
  histogram: ["_bucket", "_sum", "_count", "_created"],
  summary: ["", "_sum", "_count", "_created"],
  untyped: [""],
};

/** Parses `text`; throws naming the line on anything malformed. */
export function parsePrometheusText(text: string): Sample[] {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  text.split("\n").forEach((line, index) => {
    const fail = (why: string) => {
      throw new Error(`line ${index + 1} ${why}: ${JSON.stringify(line)}`);
    };
    if (line === "") return;
    if (line.startsWith("#")) {
      const [, keyword, name, rest] = line.match(/^# (HELP|TYPE) (\S+) ?(.*)$/) ?? [];
      if (!keyword) return;
      if (!NAME.test(name)) fail("has a bad metric name");
      if (keyword === "TYPE") {
        if (!(rest in SUFFIXES)) fail("has an unknown type");
        if (types.has(name)) fail("declares a type twice");
        types.set(name, rest);
      }
      return;
    }
    const match = line.match(SAMPLE);
    if (!match) return fail("is not a sample");
    const [, name, , labelText = "", valueText] = match;
    const labels: Record<string, string> = {};
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < labelText.length) {
      const label = LABEL.exec(labelText);
      if (!label) return fail("has malformed labels");
      labels[label[1]] = label[2].replace(/\\(.)/g, (_, c) => c === "n" ? "\n" : c);
    }
    const value = valueText === "+Inf" ? Infinity : valueText === "-Inf"
      ? -Infinity
      // Prometheus reads values with Go's ParseFloat, which takes NaN in any case
      // (prom-client writes "Nan").
      : /^nan$/i.test(valueText)
      ? NaN
      : Number(valueText);
    if (Number.isNaN(value) && !/^nan$/i.test(valueText)) fail("has a value that is not a number");
    const family = [...types.keys()].find((f) =>
      SUFFIXES[types.get(f)!].some((suffix) =>
        f + suffix === name || (suffix === "_total" && f === name)
      )
    );
    if (!family) fail("is a sample of no declared metric");
    samples.push({ name, labels, value });
  });
  return samples;
}

/** The value of the one sample named `name` whose labels include `labels`. */
export function sampleValue(
  samples: readonly Sample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return samples.find((s) =>
    s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)
  )?.value;
}
