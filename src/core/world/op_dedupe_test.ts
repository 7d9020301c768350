import assert from "node:assert/strict";
import type { VoxelOp } from "../../protocol/mod.ts";
import { OpDeduper } from "./op_dedupe.ts";

function steppedClock() {
  let now = 5_000_000;
  return { monotonic: () => now, advance: (ms: number) => now += ms };
}

const land = (x: number, material_id = 1): VoxelOp => ({
  op: "add_sphere",
  center: { x, y: 0.5, z: -3 },
  radius: 2,
  material_id,
});
const dig = (x: number): VoxelOp => ({
  op: "subtract_sphere",
  center: { x, y: 0.5, z: -3 },
  radius: 2,
});

Deno.test("OpDeduper: 50 members sending the same 10 ops store 10", () => {
  const clock = steppedClock();
  const dedupe = new OpDeduper({ windowMs: 2000, clock });
  let stored = 0;
  for (let member = 0; member < 50; member++) {
    for (let i = 0; i < 10; i++) if (dedupe.admit("w1", `m${member}`, land(i))) stored++;
    clock.advance(5);
  }
  assert.equal(stored, 10);
});

Deno.test("OpDeduper: what counts as identical — op, center, radius, material, world", () => {
  const clock = steppedClock();
  const dedupe = new OpDeduper({ windowMs: 2000, clock });
  assert.equal(dedupe.admit("w1", "a", land(1)), true);
  assert.equal(dedupe.admit("w1", "b", land(1)), false);
  assert.equal(dedupe.admit("w1", "b", dig(1)), true, "another op type");
  assert.equal(dedupe.admit("w1", "b", { ...land(1), radius: 2.5 }), true, "another radius");
  assert.equal(dedupe.admit("w1", "b", land(1, 2)), true, "another material");
  assert.equal(dedupe.admit("w1", "b", land(1.0000001)), true, "another center");
  assert.equal(dedupe.admit("w2", "b", land(1)), true, "another world");
});

Deno.test("OpDeduper: a member's own repeats are stored; the others' copies map onto them", () => {
  const clock = steppedClock();
  const dedupe = new OpDeduper({ windowMs: 2000, clock });
  // A spell that sets, clears and sets one voxel: every client sends land, dig, land.
  const sequence = [land(7), dig(7), land(7)];
  const stored = [];
  for (const member of ["a", "b", "c"]) {
    for (const op of sequence) if (dedupe.admit("w", member, op)) stored.push(`${member}:${op.op}`);
  }
  assert.deepEqual(stored, ["a:add_sphere", "a:subtract_sphere", "a:add_sphere"]);
});

Deno.test("OpDeduper: after the window, or after clear, the same op is new; 0 turns it off", () => {
  const clock = steppedClock();
  const dedupe = new OpDeduper({ windowMs: 2000, clock });
  assert.equal(dedupe.admit("w", "a", land(1)), true);
  clock.advance(2000);
  assert.equal(dedupe.admit("w", "b", land(1)), false, "still inside the window");
  clock.advance(1);
  assert.equal(dedupe.admit("w", "b", land(1)), true, "the window is over");
  dedupe.clear("w");
  assert.equal(dedupe.admit("w", "c", land(1)), true, "after clear_world");
  const off = new OpDeduper({ windowMs: 0, clock });
  assert.equal(off.admit("w", "a", land(1)), true);
  assert.equal(off.admit("w", "b", land(1)), true);
});

Deno.test("OpDeduper: memory stays bounded: old worlds are swept, a flood of distinct ops is capped", () => {
  const clock = steppedClock();
  const dedupe = new OpDeduper({ windowMs: 2000, clock });
  for (let w = 0; w < 1000; w++) dedupe.admit(`w${w}`, "a", land(w));
  assert.equal(dedupe.worldCount, 1000);
  clock.advance(31_000);
  dedupe.admit("fresh", "a", land(0));
  assert.equal(dedupe.worldCount, 1);
  for (let i = 0; i < 20_000; i++) dedupe.admit("flood", "a", land(i));
  // The oldest were forgotten, so the first op is new again; the latest is still remembered.
  assert.equal(dedupe.admit("flood", "b", land(0)), true);
  assert.equal(dedupe.admit("flood", "b", land(19_999)), false);
});
