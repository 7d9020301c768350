import assert from "node:assert/strict";
import type { AdminFeed, FeedEvent } from "../core/admin_feed.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { adminEventsRoute, frame } from "./admin_events.ts";
import { createHttpApp, Router } from "./http_app.ts";

/** A feed the test drives by hand: `emit` reaches every open stream. */
function fakeFeed() {
  const listeners = new Set<(event: FeedEvent) => void>();
  const feed = {
    subscribe(listener: (event: FeedEvent) => void) {
      listener({ event: "hello", data: { stats: {} } });
      listeners.add(listener);
      return Promise.resolve(() => listeners.delete(listener));
    },
  } as unknown as AdminFeed;
  return { feed, listeners, emit: (event: FeedEvent) => listeners.forEach((l) => l(event)) };
}

function app(feed: AdminFeed, clock: FakeClock, operator = true) {
  const router = new Router();
  adminEventsRoute(router, { feed, clock, isOperator: () => operator });
  return createHttpApp({ router, onError: () => "id" });
}

const INFO = { address: "127.0.0.1" };
const get = () => new Request("http://localhost/api/admin/events");

Deno.test("admin events: 401 without the operator, before any stream or subscription", async () => {
  const { feed, listeners } = fakeFeed();
  const response = await app(feed, new FakeClock(), false)(get(), INFO);
  assert.equal(response.status, 401);
  assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer/);
  assert.equal(listeners.size, 0);
});

Deno.test("admin events: frames are server-sent events; a keepalive comment every 15 s", async () => {
  const { feed, emit } = fakeFeed();
  const clock = new FakeClock();
  const response = await app(feed, clock)(get(), INFO);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const readSome = async () => text += (await reader.read()).value ?? "";
  await readSome();
  emit({ event: "world", data: { world_id: "w\n1", player_count: 2 } });
  await clock.advance(15_000);
  while (!text.includes(": keepalive")) await readSome();
  assert.ok(text.startsWith(": ugc-world admin events\nretry: 2000\n\n"));
  assert.ok(text.includes('event: hello\ndata: {"stats":{}}\n\n'));
  // A newline in a value stays inside the JSON string: one data line per event.
  assert.ok(text.includes('event: world\ndata: {"world_id":"w\\n1","player_count":2}\n\n'));
  await reader.cancel();
  assert.equal(clock.pending, 0, "a cancelled stream stops its keepalive");
});

Deno.test("admin events: a console that reads nothing is cut past 1 MiB waiting, and unsubscribed", async () => {
  const { feed, emit, listeners } = fakeFeed();
  const clock = new FakeClock();
  const response = await app(feed, clock)(get(), INFO);
  assert.equal(listeners.size, 1);
  const big: FeedEvent = { event: "changed", data: { lists: ["x".repeat(64 * 1024)] } };
  for (let i = 0; i < 40; i++) emit(big); // 2.5 MiB, nothing read
  assert.equal(listeners.size, 0, "the stream stopped listening");
  assert.equal(clock.pending, 0);
  let bytes = 0;
  for await (const chunk of response.body!) bytes += chunk.length;
  assert.ok(bytes < 1.2 * 1024 * 1024, `${bytes} bytes were kept for it`);
  assert.ok(bytes > frame(big).length * 10);
});
