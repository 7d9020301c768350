import assert from "node:assert/strict";
import { FakeClock } from "../testing/fake_clock.ts";
import { Coalescer } from "./coalescer.ts";

Deno.test("Coalescer: a burst of pokes gives one run, after the burst, that sees the final state", async () => {
  const clock = new FakeClock();
  let state = 0;
  const seen: { at: number; state: number }[] = [];
  const coalescer = new Coalescer({
    run: () => seen.push({ at: clock.monotonic(), state }),
    intervalMs: 1000,
    clock,
  });
  for (let i = 1; i <= 50; i++) {
    state = i;
    coalescer.poke();
    await clock.advance(1);
  }
  await clock.advance(200);
  assert.deepEqual(seen, [{ at: 100, state: 50 }], "settle of interval/10, then one run");
});

Deno.test("Coalescer: steady pokes run at most once per interval, and the last change is never lost", async () => {
  const clock = new FakeClock();
  let state = 0;
  const seen: { at: number; state: number }[] = [];
  const coalescer = new Coalescer({
    run: () => seen.push({ at: clock.monotonic(), state }),
    intervalMs: 1000,
    clock,
  });
  for (let i = 1; i <= 350; i++) {
    state = i;
    coalescer.poke();
    await clock.advance(10); // a change every 10 ms for 3.5 s
  }
  await clock.advance(5000);
  const gaps = seen.slice(1).map((run, i) => run.at - seen[i]!.at);
  assert.ok(gaps.every((gap) => gap >= 1000), `gaps ${gaps}`);
  assert.ok(seen.length <= 5, `${seen.length} runs in 3.5 s`);
  assert.equal(seen.at(-1)!.state, 350, "the final state is sent");
  assert.equal(clock.pending, 0);
});

Deno.test("Coalescer: a poke long after the last run waits only the settle time; close drops a pending run", async () => {
  const clock = new FakeClock();
  let runs = 0;
  const coalescer = new Coalescer({ run: () => runs++, intervalMs: 1000, settleMs: 20, clock });
  coalescer.poke();
  await clock.advance(20);
  assert.equal(runs, 1);
  await clock.advance(10_000);
  coalescer.poke();
  await clock.advance(19);
  assert.equal(runs, 1);
  await clock.advance(1);
  assert.equal(runs, 2);
  coalescer.poke();
  assert.equal(coalescer.pending, true);
  coalescer.close();
  await clock.advance(5000);
  assert.equal(runs, 2);
  assert.equal(clock.pending, 0);
});
