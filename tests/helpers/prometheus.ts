import assert from "node:assert/strict";

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const LABEL = `[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"`;
const SAMPLE = new RegExp(
  `^(${NAME})(?:\\{(${LABEL}(?:,${LABEL})*)\\})? (-?(?:\\d+(?:\\.\\d+)?(?:e[+-]?\\d+)?|\\+Inf|NaN))$`,
);

/**
 * Parses Prometheus text format strictly: HELP then TYPE before a family's samples, known types,
 * `_total` counters, cumulative histogram buckets ending in +Inf = _count, final newline.
 */
export function parsePrometheus(text: string): Sample[] {
  assert.ok(text.endsWith("\n"), "exposition ends with a newline");
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples: Sample[] = [];
  for (const line of text.slice(0, -1).split("\n")) {
    const help = line.match(new RegExp(`^# HELP (${NAME}) .+$`));
    if (help) {
      assert.ok(!helps.has(help[1]!), `one HELP for ${help[1]}`);
      helps.add(help[1]!);
      continue;
    }
    const type = line.match(
      new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`),
    );
    if (type) {
      assert.ok(helps.has(type[1]!), `HELP before TYPE for ${type[1]}`);
      assert.ok(!types.has(type[1]!), `one TYPE for ${type[1]}`);
      if (type[2] === "counter") assert.match(type[1]!, /_total$/, "counter names end in _total");
      types.set(type[1]!, type[2]!);
      continue;
    }
    const sample = line.match(SAMPLE);
    assert.ok(sample, `malformed line: ${JSON.stringify(line)}`);
    const name = sample[1]!;
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, "");
    assert.ok(types.has(family), `sample ${name} has a TYPE`);
    const labels: Record<string, string> = {};
    for (const pair of (sample[2] ?? "").match(new RegExp(LABEL, "g")) ?? []) {
      const at = pair.indexOf("=");
      labels[pair.slice(0, at)] = pair.slice(at + 2, -1);
    }
    samples.push({ name, labels, value: sample[3] === "+Inf" ? Infinity : Number(sample[3]) });
  }
  for (const [family, type] of types) {
    if (type !== "histogram") continue;
    const buckets = samples.filter((s) => s.name === `${family}_bucket`);
    for (let i = 1; i < buckets.length; i++) {
      assert.ok(buckets[i]!.value >= buckets[i - 1]!.value, "cumulative buckets");
    }
    assert.equal(buckets.at(-1)?.labels.le, "+Inf");
    assert.equal(buckets.at(-1)!.value, samples.find((s) => s.name === `${family}_count`)?.value);
  }
  return samples;
}

export function valueOf(
  samples: Sample[],
  name: string,
  labels: Record<string, string> = {},
): number {
  const found = samples.find((s) =>
    s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value)
  );
  return found?.value ?? 0;
}
