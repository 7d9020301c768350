import assert from "node:assert/strict";
import { setImmediate } from "node:timers";
import { InboundQueue } from "./inbound_queue.ts";

const macrotask = () => new Promise((resolve) => setImmediate(resolve));

Deno.test("a burst is handed on one item per macrotask, the first at once", async () => {
  const seen: string[] = [];
  const queue = new InboundQueue<number>({
    run: (item) => seen.push(`item ${item}`),
    limit: 100,
    onOverflow: () => assert.fail("no overflow"),
  });
  for (let i = 1; i <= 3; i++) queue.push(i);
  assert.deepEqual(seen, ["item 1"]);
  // Another connection's turn comes between two items of the burst.
  setImmediate(() => seen.push("other"));
  await macrotask();
  await macrotask();
  await macrotask();
  assert.deepEqual(seen, ["item 1", "item 2", "other", "item 3"]);
  // Idle again: the next item runs at once.
  queue.push(4);
  assert.equal(seen.at(-1), "item 4");
});

Deno.test("more than the limit waiting is an overflow, reported once; nothing more runs", async () => {
  let overflows = 0;
  const ran: number[] = [];
  const queue = new InboundQueue<number>({
    run: (item) => ran.push(item),
    limit: 3,
    onOverflow: () => overflows++,
  });
  for (let i = 1; i <= 10; i++) queue.push(i);
  await macrotask();
  await macrotask();
  assert.equal(overflows, 1);
  assert.deepEqual(ran, [1]);
  assert.equal(queue.size, 0);
});
