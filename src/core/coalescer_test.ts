import assert from "node:assert/strict";
import { Coalescer, type Timers } from "./coalescer.ts";

/** A clock and timers run by hand: `advance` fires due timers in order. */
function manualTime() {
  let now = 0;
  let nextId = 1;
  const due = new Map<number, { at: number; run: () => void }>();
  const timers: Timers = {
    set: (run, ms) => {
      due.set(nextId, { at: now + ms, run });
      return nextId++;
    },
    clear: (id) => void due.delete(id as number),
  };
  const advance = (ms: number) => {
    const end = now + ms;
    while (true) {
      const next = [...due.entries()].filter(([, t]) =>
        t.at <= end
      ).sort((a, b) => a[1].at - b[1].at)[0];
      if (!next) break;
      due.delete(next[0]);
      now = next[1].at;
      next[1].run();
    }
    now = end;
  };
  return { clock: { now: () => now }, timers, advance, pendingTimers: () => due.size };
}

Deno.test("Coalescer: a burst of pokes gives one run, after the burst, that sees the final state", () => {
  const time = manualTime();
  let state = 0;
  const seen: { at: number; state: number }[] = [];
  const coalescer = new Coalescer({
    run: () => seen.push({ at: time.clock.now(), state }),
    intervalMs: 1000,
    clock: time.clock,
    timers: time.timers,
  });
  for (let i = 1; i <= 50; i++) {
    state = i;
    coalescer.poke();
    time.advance(1);
  }
  time.advance(200);
  assert.deepEqual(seen, [{ at: 100, state: 50 }], "settle of interval/10, then one run");
});

Deno.test("Coalescer: steady pokes run at most once per interval, and the last change is never lost", () => {
  const time = manualTime();
  let state = 0;
  const seen: { at: number; state: number }[] = [];
  const coalescer = new Coalescer({
    run: () => seen.push({ at: time.clock.now(), state }),
    intervalMs: 1000,
    clock: time.clock,
    timers: time.timers,
  });
  for (let i = 1; i <= 350; i++) {
    state = i;
    coalescer.poke();
    time.advance(10); // a change every 10 ms for 3.5 s
  }
  time.advance(5000);
  const gaps = seen.slice(1).map((run, i) => run.at - seen[i]!.at);
  assert.ok(gaps.every((gap) => gap >= 1000), `gaps ${gaps}`);
  assert.ok(seen.length <= 5, `${seen.length} runs in 3.5 s`);
  assert.equal(seen.at(-1)!.state, 350, "the final state is sent");
  assert.equal(time.pendingTimers(), 0);
});

Deno.test("Coalescer: a poke long after the last run waits only the settle time; close drops a pending run", () => {
  const time = manualTime();
  let runs = 0;
  const coalescer = new Coalescer({
    run: () => runs++,
    intervalMs: 1000,
    settleMs: 20,
    clock: time.clock,
    timers: time.timers,
  });
  coalescer.poke();
  time.advance(20);
  assert.equal(runs, 1);
  time.advance(10_000);
  coalescer.poke();
  time.advance(19);
  assert.equal(runs, 1);
  time.advance(1);
  assert.equal(runs, 2);
  coalescer.poke();
  assert.equal(coalescer.pending, true);
  coalescer.close();
  time.advance(5000);
  assert.equal(runs, 2);
  assert.equal(time.pendingTimers(), 0);
});
