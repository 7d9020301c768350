import assert from "node:assert/strict";
import type { Expression } from "../parser/ast.ts";
import { parseGdscript } from "../parser/mod.ts";
import { INT64_MAX, INT64_MIN, intLiteral, type Range, rangeOf, rangeTrips } from "./bounds.ts";

/** The range of an expression with no names in it. */
function fold(text: string): Range {
  const parsed = parseGdscript(`var x = ${text}\n`);
  assert.ok(parsed.ok, text);
  const member = parsed.script.body[0]!;
  assert.equal(member.kind, "var");
  return rangeOf((member as { value: Expression }).value, () => undefined);
}

const exactly = (v: bigint): Range => ({ int: true, lo: v, hi: v });
const ANY: Range = { int: true, lo: INT64_MIN, hi: INT64_MAX };

Deno.test("bounds: integer literals are exact 64-bit values; larger ones are not ints", () => {
  assert.equal(intLiteral("9223372036854775807"), INT64_MAX);
  assert.equal(intLiteral("9223372036854775808"), null);
  assert.equal(intLiteral("-9223372036854775808"), null);
  assert.equal(intLiteral("0x7FFF_FFFF_FFFF_FFFF"), INT64_MAX);
  assert.equal(intLiteral("0b1010"), 10n);
  assert.equal(intLiteral("1_000"), 1000n);
});

Deno.test("bounds: ints fold exactly where doubles would round", () => {
  // As doubles both are 9223372036854775808 and the difference would be 0.
  assert.deepEqual(fold("9223372036854775807 - 9223372036854775000"), exactly(807n));
  assert.deepEqual(fold("-9223372036854775807 - 1"), exactly(INT64_MIN));
  assert.deepEqual(fold("(1 << 40) + 3"), exactly(2n ** 40n + 3n));
  assert.deepEqual(fold("7 / 2"), exactly(3n));
  assert.deepEqual(fold("-7 / 2"), exactly(-3n));
  assert.deepEqual(fold("-7 % 3"), { int: true, lo: -2n, hi: 0n });
});

Deno.test("bounds: an operation that may leave 64 bits wraps, so it could be anything", () => {
  assert.deepEqual(fold("9223372036854775807 + 1"), ANY);
  assert.deepEqual(fold("(-9223372036854775807 - 1) / -1"), ANY);
  assert.deepEqual(fold("-(-9223372036854775807 - 1)"), ANY);
  assert.deepEqual(fold("1 << 63"), ANY);
  assert.deepEqual(fold("3037000500 * 3037000500"), ANY);
});

Deno.test("bounds: clamps bound unknown values; floats convert to ints as Godot does", () => {
  const capped = fold("mini(unknown_name, 8)");
  assert.equal(capped.int && capped.hi, 8n);
  assert.deepEqual(fold("int(2.9)"), exactly(2n));
  assert.deepEqual(fold("floori(-2.5)"), exactly(-3n));
  assert.deepEqual(fold("int(1e300)"), exactly(INT64_MAX));
  assert.deepEqual(fold("roundi(2.5)"), exactly(3n));
});

Deno.test("bounds: range() trip counts are exact", () => {
  assert.equal(rangeTrips([exactly(8n)]), 8);
  assert.equal(rangeTrips([exactly(-4n), exactly(5n)]), 9);
  assert.equal(rangeTrips([exactly(10n), exactly(0n), exactly(-3n)]), 4);
  assert.equal(rangeTrips([exactly(0n), exactly(10n), exactly(0n)]), Infinity);
  assert.equal(rangeTrips([ANY]), Infinity);
  assert.equal(
    rangeTrips([exactly(9223372036854775000n), exactly(INT64_MAX)]),
    807,
  );
});
