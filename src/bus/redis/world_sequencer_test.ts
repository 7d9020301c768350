import assert from "node:assert/strict";
import { OutboundMessage } from "../../core/session.ts";
import { type GapSource, WorldSequencer } from "./world_sequencer.ts";

const msg = (seq: number) => new OutboundMessage("apply_op", { seq }, seq);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A system of record holding seqs 1…last (the clear at `clearedSeq`, if any, has no op). */
function source(state: { last: number; clearedSeq?: number }): GapSource & { reads: number } {
  const gap = {
    reads: 0,
    lastSeq: () => Promise.resolve(state.last),
    messagesAfter: (_world: string, after: number, upTo: number, limit: number) => {
      gap.reads++;
      const out: OutboundMessage[] = [];
      for (let seq = after + 1; seq <= upTo && out.length < limit; seq++) {
        if (state.clearedSeq !== undefined && seq < state.clearedSeq) continue; // deleted
        out.push(
          seq === state.clearedSeq ? new OutboundMessage("world_cleared", { seq }, seq) : msg(seq),
        );
      }
      return Promise.resolve(out);
    },
  };
  return gap;
}

function setup(state: { last: number; clearedSeq?: number }, gapMs = 20) {
  const delivered: number[] = [];
  const events: string[] = [];
  const gap = source(state);
  const sequencer = new WorldSequencer({
    source: gap,
    deliver: (_world, message) => {
      delivered.push(message.seq!);
      events.push(message.event);
    },
    gapMs,
    onError: (error) => {
      throw error;
    },
  });
  return { sequencer, delivered, events, gap };
}

Deno.test("WorldSequencer: starts after the world's last seq; delivers in seq order once; drops duplicates", async () => {
  const { sequencer, delivered, gap } = setup({ last: 10 });
  sequencer.track("w");
  sequencer.accept("w", msg(10)); // before the start is known: waits, then is older than it
  sequencer.accept("w", msg(12));
  await sequencer.started("w");
  sequencer.accept("w", msg(11));
  sequencer.accept("w", msg(11));
  sequencer.accept("w", msg(13));
  sequencer.accept("other", msg(1)); // not tracked: no member here
  assert.deepEqual(delivered, [11, 12, 13]);
  assert.equal(gap.reads, 0, "no gap: nothing read");
  sequencer.close();
});

Deno.test("WorldSequencer: a gap that outlasts gapMs is read from the source, then what waited follows", async () => {
  const state = { last: 0 };
  const { sequencer, delivered, gap } = setup(state);
  sequencer.track("w");
  await sequencer.started("w");
  state.last = 5;
  sequencer.accept("w", msg(1));
  sequencer.accept("w", msg(4)); // 2 and 3 were lost
  sequencer.accept("w", msg(5));
  assert.deepEqual(delivered, [1]);
  await sleep(60);
  assert.deepEqual(delivered, [1, 2, 3, 4, 5]);
  assert.equal(gap.reads, 1);
  sequencer.accept("w", msg(3)); // the lost one arrives after all: dropped
  assert.deepEqual(delivered, [1, 2, 3, 4, 5]);
  sequencer.close();
});

Deno.test("WorldSequencer: a late message fills its gap before the timer; nothing is read", async () => {
  const { sequencer, delivered, gap } = setup({ last: 0 }, 50);
  sequencer.track("w");
  await sequencer.started("w");
  sequencer.accept("w", msg(2));
  sequencer.accept("w", msg(1));
  await sleep(80);
  assert.deepEqual(delivered, [1, 2]);
  assert.equal(gap.reads, 0);
  sequencer.close();
});

Deno.test("WorldSequencer: catchUp delivers what the bus lost (a clear among it), with nothing newer published", async () => {
  const state: { last: number; clearedSeq?: number } = { last: 2 };
  const { sequencer, delivered, events } = setup(state);
  sequencer.track("w");
  await sequencer.started("w");
  // Redis was down: ops 3 and 4, a clear at 5 (which deleted them) and op 6 were never heard.
  state.last = 6;
  state.clearedSeq = 5;
  sequencer.catchUp();
  await sleep(30);
  assert.deepEqual(delivered, [5, 6]);
  assert.deepEqual(events, ["world_cleared", "apply_op"]);
  sequencer.accept("w", msg(7));
  assert.deepEqual(delivered, [5, 6, 7]);
  sequencer.close();
});

Deno.test("WorldSequencer: untracked worlds are forgotten; tracked again, they start from the last seq then", async () => {
  const state = { last: 3 };
  const { sequencer, delivered } = setup(state);
  sequencer.track("w");
  await sequencer.started("w");
  sequencer.untrack("w");
  assert.equal(sequencer.size, 0);
  state.last = 9;
  sequencer.track("w");
  await sequencer.started("w");
  sequencer.accept("w", msg(10));
  assert.deepEqual(delivered, [10]);
  sequencer.close();
});
