import assert from "node:assert/strict";
import { corpus } from "../../../../tests/helpers/spellscript_corpus.ts";
import { describeViolations, validateSpellScript } from "../mod.ts";
import { MAX_CODE_DEPTH } from "./depth.ts";

const MAX_SPELL_CODE_BYTES = 48_000;
const HEAD = "extends SpellModule\n\n\nfunc on_cast(ctx: SpellContext) -> void:\n";

/** Worst cases of every shape of deep code, each as long as `n` makes it. */
const SHAPES: Record<string, (n: number) => string> = {
  "1 + 1 + …": (n) => `\tvar x = ${Array(n).fill("1").join(" + ")}\n\tprint(x)\n`,
  "a and a and …": (n) => `\tvar x = ${Array(n).fill("true").join(" and ")}\n\tprint(x)\n`,
  '"a" + "a" + …': (n) => `\tvar s := ${Array(n).fill('"a"').join(" + ")}\n\tprint(s)\n`,
  "v.f().f()…": (n) => `\tvar v := Vector3.ONE\n\tprint(v${".normalized()".repeat(n)})\n`,
  "a[0][0]…": (n) => `\tvar a := [1]\n\tprint(a${"[0]".repeat(n)})\n`,
  "elif …": (n) =>
    "\tvar x := 1\n\tif x == 0:\n\t\tpass\n" +
    Array.from({ length: n }, (_, i) => `\telif x == ${i}:\n\t\tpass\n`).join(""),
  "1 if c else 1 if c else …": (n) => `\tvar x = ${"1 if true else ".repeat(n)}2\n\tprint(x)\n`,
  "((((…))))": (n) => `\tvar x = ${"(".repeat(n)}1${")".repeat(n)}\n\tprint(x)\n`,
  "- - - …": (n) => `\tvar x = ${"-".repeat(n)}1\n\tprint(x)\n`,
  "not not …": (n) => `\tvar x = ${"not ".repeat(n)}true\n\tprint(x)\n`,
  "[[[…]]]": (n) => `\tvar a = ${"[".repeat(n)}${"]".repeat(n)}\n\tprint(a)\n`,
  "nested ifs": (n) =>
    Array.from({ length: n }, (_, i) => `${"\t".repeat(i + 1)}if true:\n`).join("") +
    `${"\t".repeat(n + 1)}pass\n`,
  "nested lambdas": (n) => `\tvar f = ${"func(): return ".repeat(n)}1\n\tprint(f)\n`,
};

/** The longest spell of a shape that fits MAX_SPELL_CODE_BYTES. */
function longest(make: (n: number) => string): string {
  let lo = 1;
  let hi = 50_000;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if ((HEAD + make(mid)).length <= MAX_SPELL_CODE_BYTES) lo = mid;
    else hi = mid - 1;
  }
  return HEAD + make(lo);
}

function verdict(source: string): string {
  const report = validateSpellScript(source);
  return report.ok ? "accepted" : describeViolations(report.violations, 1);
}

Deno.test("depth: the deepest code of every shape up to MAX_SPELL_CODE_BYTES is refused cleanly", () => {
  for (const [shape, make] of Object.entries(SHAPES)) {
    const source = longest(make);
    const first = verdict(source);
    assert.notEqual(first, "accepted", shape);
    assert.doesNotMatch(first, /could not be verified/, `${shape}: ${first}`);
    assert.match(first, /nested too deeply|Nesting too deep/, `${shape}: ${first}`);
  }
});

Deno.test("depth: the verdict does not depend on how warm the engine is", () => {
  const cold = Object.values(SHAPES).map((make) => verdict(longest(make)));
  for (let i = 0; i < 20; i++) {
    for (const { source } of corpus("legit")) validateSpellScript(source);
  }
  const warm = Object.values(SHAPES).map((make) => verdict(longest(make)));
  assert.deepEqual(warm, cold);
  // Around the limit too: a chain one level too deep is refused whatever ran before.
  for (const n of [MAX_CODE_DEPTH - 10, MAX_CODE_DEPTH, MAX_CODE_DEPTH + 10, 3000, 5000]) {
    const source = HEAD + SHAPES["1 + 1 + …"]!(n);
    assert.equal(verdict(source), verdict(source));
  }
});

Deno.test("depth: realistic chains and nesting stay well within the limit", () => {
  const sum = HEAD + SHAPES["1 + 1 + …"]!(60);
  assert.equal(verdict(sum), "accepted");
  const elifs = HEAD + SHAPES["elif …"]!(40);
  assert.equal(verdict(elifs), "accepted");
  const refused = verdict(HEAD + SHAPES["1 + 1 + …"]!(MAX_CODE_DEPTH + 1));
  assert.match(refused, /^line 5:2: this code is nested too deeply/);
});
