import assert from "node:assert/strict";
import { LocalPresence } from "../bus/local_presence.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { AdminFeed, type FeedEvent, SAMPLE_INTERVAL_MS } from "./admin_feed.ts";
import { Metrics } from "./metrics.ts";

function setup() {
  const clock = new FakeClock();
  const presence = new LocalPresence();
  const metrics = new Metrics();
  let queue = 0;
  const feed = new AdminFeed({
    clock,
    presence,
    metrics,
    connections: () => ({ websocket: presence.connections(), "socket.io": 0 }),
    worlds: () => Promise.resolve(3),
    buildQueueDepth: () => queue,
  });
  const events: FeedEvent[] = [];
  return { clock, presence, metrics, feed, events, setQueue: (n: number) => queue = n };
}

Deno.test("admin feed: hello carries the numbers now, the history and each world's players", async () => {
  const { feed, presence, events } = setup();
  presence.connected();
  presence.entered("w1");
  await feed.subscribe((event) => events.push(event));
  assert.equal(events[0]!.event, "hello");
  const data = events[0]!.data as { stats: { players: number; worlds: number }; players: unknown };
  assert.equal(data.stats.players, 1);
  assert.equal(data.stats.worlds, 3);
  assert.deepEqual(data.players, { w1: 1 });
  feed.close();
});

Deno.test("admin feed: player counts are pushed as they change; stats only when they differ", async () => {
  const { feed, presence, events, clock, setQueue } = setup();
  await feed.subscribe((event) => events.push(event));
  events.length = 0;
  presence.connected();
  presence.entered("w1");
  await clock.advance(100);
  assert.deepEqual(events, [{ event: "world", data: { world_id: "w1", player_count: 1 } }]);
  await clock.advance(1000);
  assert.equal(events.filter((e) => e.event === "stats").length, 1);
  await clock.advance(5000);
  assert.equal(
    events.filter((e) => e.event === "stats").length,
    1,
    "nothing changed: nothing sent",
  );
  setQueue(2);
  await clock.advance(1000);
  const stats = events.filter((e) => e.event === "stats");
  assert.equal(stats.length, 2);
  assert.equal(stats[1]!.data.build_queue, 2);
  feed.close();
});

Deno.test("admin feed: an hour of samples at most, builds per minute from them", async () => {
  const { feed, metrics, clock } = setup();
  for (let i = 0; i < 400; i++) {
    metrics.buildFinished(0.01, true);
    await clock.advance(SAMPLE_INTERVAL_MS);
  }
  assert.equal(feed.history().length, 361);
  const stats = await feed.stats();
  assert.ok(stats.builds_per_min >= 5 && stats.builds_per_min <= 7, `${stats.builds_per_min}`);
  assert.equal(stats.builds_completed, 400);
  feed.close();
});

Deno.test("admin feed: list hints are coalesced, and not kept while no one listens", async () => {
  const { feed, events, clock } = setup();
  feed.changed("worlds");
  await clock.advance(1000);
  const stop = await feed.subscribe((event) => events.push(event));
  events.length = 0;
  feed.changed("worlds");
  feed.changed("spells");
  feed.changed("worlds");
  await clock.advance(300);
  assert.deepEqual(events, [{ event: "changed", data: { lists: ["spells", "worlds"] } }]);
  stop();
  assert.equal(feed.listeners, 0);
  feed.close();
  assert.equal(clock.pending, 0, "close stops every timer");
});

Deno.test("admin feed: a join storm is one event per world with the final count", async () => {
  const { feed, presence, events, clock } = setup();
  await feed.subscribe((event) => events.push(event));
  events.length = 0;
  for (let i = 0; i < 500; i++) presence.entered("w1");
  for (let i = 0; i < 20; i++) presence.left("w1");
  presence.entered("w2");
  assert.equal(events.length, 0, "nothing before the window closes");
  await clock.advance(100);
  assert.deepEqual(events, [
    { event: "world", data: { world_id: "w1", player_count: 480 } },
    { event: "world", data: { world_id: "w2", player_count: 1 } },
  ]);
  feed.close();
});
