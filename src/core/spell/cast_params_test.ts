import assert from "node:assert/strict";
import { type CastParamsLimits, castParamsProblem } from "./cast_params.ts";

const LIMITS: CastParamsLimits = {
  maxCastParamsBytes: 4096,
  maxCastParamsDepth: 8,
  maxTargetEntityIdChars: 256,
};

const check = (params: unknown) => castParamsProblem(params, LIMITS);

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < depth; i++) value = { inner: value };
  return value;
}

Deno.test("castParamsProblem: what the Godot client sends, and custom params, pass", () => {
  assert.equal(check({}), undefined);
  assert.equal(check({ target_position: { x: 1.5, y: -2, z: 1e6 } }), undefined);
  assert.equal(
    check({
      target_position: { x: 0, y: 0, z: 0 },
      target_entity_id: "enemy_7",
      mana_budget: 50,
      power: [1, 2, { color: "red", on: true, none: null }],
      "ключ ✨": "wert",
    }),
    undefined,
  );
  assert.equal(check(nested(8)), undefined, "depth 8 is allowed");
});

Deno.test("castParamsProblem: Godot's typed fields must have Godot's types", () => {
  const cases: [unknown, RegExp][] = [
    [{ target_position: { x: "1", y: 0, z: 0 } }, /target_position must be \{x, y, z\}/],
    [{ target_position: { x: 1, y: 2 } }, /target_position/],
    [{ target_position: { x: 1, y: 2, z: 3, w: 4 } }, /target_position/],
    [{ target_position: [1, 2, 3] }, /target_position/],
    [{ target_position: null }, /target_position/],
    [{ target_position: { x: 1e999, y: 0, z: 0 } }, /finite number/],
    [{ target_entity_id: 7 }, /target_entity_id must be a string of at most 256/],
    [{ target_entity_id: null }, /target_entity_id/],
    [{ target_entity_id: "e".repeat(257) }, /target_entity_id/],
    [{ mana_budget: "100" }, /mana_budget must be a finite number/],
    [{ mana_budget: null }, /mana_budget/],
    [{ mana_budget: -Infinity }, /finite number/],
  ];
  for (const [params, reason] of cases) {
    const problem = check(params);
    assert.equal(problem?.code, "invalid_payload", JSON.stringify(params));
    assert.match(problem!.reason, reason);
  }
});

Deno.test("castParamsProblem: no NUL, lone surrogates, prototype keys, non-finite numbers, anywhere", () => {
  const bad: unknown[] = [
    { a: "nul\u0000" },
    { a: { b: ["x", "\ud800"] } },
    JSON.parse('{"__proto__": {"polluted": true}}'),
    { a: JSON.parse('{"__proto__": 1}') },
    { constructor: { prototype: 1 } },
    { a: [{ prototype: 1 }] },
    { "k\u0000": 1 },
    { "\udc00": 1 },
    { "tab\tkey": 1 },
    { "": 1 },
    { ["k".repeat(129)]: 1 },
    { a: [1, Infinity] },
    { a: NaN },
  ];
  for (const params of bad) {
    assert.equal(check(params)?.code, "invalid_payload", JSON.stringify(params));
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

Deno.test("castParamsProblem: bounded depth and size; a deep value is refused before it is encoded", () => {
  assert.deepEqual(check(nested(9)), {
    code: "too_large",
    reason: "cast_params is nested deeper than 8",
  });
  let deep: unknown = 1;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.equal(check({ deep })?.code, "too_large");
  assert.equal(check({ pad: "x".repeat(4080) }), undefined);
  const large = check({ pad: "x".repeat(4100) });
  assert.equal(large?.code, "too_large");
  assert.match(large!.reason, /4110 bytes of JSON; the limit is 4096/);
  assert.equal(check([1])?.code, "invalid_payload");
  assert.equal(check("x")?.code, "invalid_payload");
});
