import assert from "node:assert/strict";
import { ClientEvent, ErrorCode, ProtocolError, ServerEvent } from "../protocol/mod.ts";
import { startCore } from "../testing/core_harness.ts";
import { message, type Outcome, reply } from "./outcome.ts";
import type { WorldRecord } from "./ports/world_store.ts";

const land = (x: number) => ({ type: "create_land", center: { x, y: 0, z: 0 }, radius: 1 });

async function worldWithOps(core: ReturnType<typeof startCore>, ops: number): Promise<string> {
  const world: WorldRecord = {
    world_id: "world_0000beef",
    name: "Test",
    description: "",
    created_by: "c_nobody",
    owner_id: "guest:c_nobody",
    created_at: "2026-01-01T00:00:00.000Z",
    updated_at: "2026-01-01T00:00:00.000Z",
    last_active_at: "",
  };
  await core.stores.worlds.create(world);
  const batch = Array.from({ length: ops }, (_, x) => ({
    op: "add_sphere" as const,
    center: { x, y: 0, z: 0 },
    radius: 1,
    material_id: 1,
  }));
  if (ops > 0) await core.stores.worlds.append(world.world_id, batch, "", 1_000_000);
  return world.world_id;
}

Deno.test("Dispatcher: a connection's messages run one at a time, in order, even when one waits", async () => {
  let release!: () => void;
  const waited = new Promise<void>((resolve) => release = resolve);
  const core = startCore({
    handlers: (table) => ({
      ...table,
      [ClientEvent.WORLD_CREATE]: async () => {
        await waited;
        return reply(ServerEvent.WORLD_CREATED, { first: true });
      },
      [ClientEvent.PING]: () => reply(ServerEvent.PONG, { second: true }),
    }),
  });
  const session = core.connect();
  await core.send(session, "world.create");
  await core.send(session, "ping");
  assert.deepEqual(session.events, [], "the ping waits behind the create");
  release();
  await core.clock.advance(0);
  assert.deepEqual(session.events, ["world.created", "pong"]);
  await core.close();
});

Deno.test("Dispatcher: beyond the burst a message is refused with rate_limited; a flood is closed", async () => {
  const core = startCore({ limits: { rateLimitBurst: 3, rateLimitPerSecond: 1 } });
  const session = core.connect();
  for (let i = 0; i < 5; i++) await core.send(session, "ping");
  assert.deepEqual(session.events, ["pong", "pong", "pong", "error", "error"]);
  assert.equal(session.of("error")[0]!.payload.code, ErrorCode.RATE_LIMITED);
  await core.clock.advance(1000);
  session.clear();
  await core.send(session, "ping");
  assert.deepEqual(session.events, ["pong"], "a token came back after a second");
  // A flood: at least 100 refusals beyond the rate refill, then the connection is closed.
  for (let i = 0; i < 200 && !session.closed; i++) await core.send(session, "ping");
  assert.deepEqual(session.closed, { code: 1008, reason: "Rate limit exceeded" });
  assert.ok(session.of("error").length >= 95, `${session.of("error").length} refusals`);
  await core.close();
});

Deno.test("Dispatcher: reads beyond the rate wait in a bounded queue and are served as tokens come back", async () => {
  const core = startCore({
    limits: { rateLimitBurst: 2, rateLimitPerSecond: 10, readQueueMax: 3 },
  });
  const session = core.connect();
  for (let i = 0; i < 6; i++) await core.send(session, "world.list");
  assert.deepEqual(session.events, ["world.list_result", "world.list_result"]);
  await core.send(session, "world.list", { padding: "x".repeat(2000) });
  await core.clock.advance(1000);
  // Replies, refusals included, leave in the order their messages came.
  assert.deepEqual(session.events, [...Array(5).fill("world.list_result"), "error", "error"]);
  assert.deepEqual(
    session.of("error").map((m) => m.payload.message),
    [
      "Rate limit exceeded and 3 requests already wait; message dropped",
      "Rate limit exceeded and a request over 1024 bytes cannot wait; message dropped",
    ],
  );
  await core.close();
});

Deno.test("Dispatcher: a Socket.IO acknowledgement gets the reply, the outcome's ack, the stream's first message or the error", async () => {
  const core = startCore();
  const session = core.connect();
  const ack = async (event: string, payload: unknown) => {
    let acked: Record<string, unknown> | undefined;
    core.dispatcher.dispatch(session, event, payload, (reply) => acked = reply);
    await core.clock.advance(0);
    return acked;
  };
  const created = await ack("world.create", { name: "Acked" });
  assert.equal((created!.world as { name: string }).name, "Acked");
  const worldId = (created!.world as { world_id: string }).world_id;
  const joined = await ack("world.join", { world_id: worldId });
  assert.equal(joined!.world_id, worldId, "a join is acknowledged with world.joined");
  assert.equal(joined!.seq, 0);
  const applied = await ack("request_spell", { spell: land(1) });
  assert.deepEqual(applied, {
    op: { op: "add_sphere", center: { x: 1, y: 0, z: 0 }, radius: 1, material_id: 1 },
    seq: 1,
  });
  assert.deepEqual(await ack("world.get", { world_id: "world_ffffffff" }), {
    message: "World world_ffffffff not found",
    code: ErrorCode.WORLD_NOT_FOUND,
  });
  assert.equal((await ack("no.such", {}))!.code, ErrorCode.UNKNOWN_TYPE);
  assert.equal((await ack("ping", [1, 2]))!.code, ErrorCode.INVALID_PAYLOAD);
  assert.deepEqual(await ack("world.leave", {}), { left_world_id: worldId });
  await core.close();
});

Deno.test("Dispatcher: a ProtocolError becomes its reply event; anything else is internal_error with an id in the log", async () => {
  const core = startCore({
    handlers: (table) => ({
      ...table,
      [ClientEvent.WORLD_CREATE]: () => {
        throw new ProtocolError(ErrorCode.FORBIDDEN, "no", {
          event: "custom.reject",
          payload: { why: "no" },
        });
      },
      [ClientEvent.PING]: () => Promise.reject(new Error("secret detail")),
    }),
  });
  const session = core.connect();
  await core.send(session, "world.create");
  await core.send(session, "ping");
  assert.deepEqual(session.events, ["custom.reject", "error"]);
  const internal = session.of("error")[0]!.payload;
  assert.equal(internal.code, ErrorCode.INTERNAL);
  assert.doesNotMatch(String(internal.message), /secret/);
  const id = /id ([0-9a-f-]+)/.exec(String(internal.message))![1];
  const logged = core.logs.find((entry) => entry.msg === "handler failed")!;
  assert.equal(logged.error_id, id);
  await core.close();
});

Deno.test("Dispatcher: applies an outcome in order: enter, reply, events (through the bus), after", async () => {
  const order: string[] = [];
  const core = startCore({
    handlers: (table) => ({
      ...table,
      [ClientEvent.WORLD_CREATE]: (call): Outcome => ({
        enter: { worldId: "world_00000001" },
        reply: message("first", { in: call.worldId ?? "" }),
        events: [{ to: { world: "world_00000001" }, message: message("second", {}) }],
        after: () => order.push("after"),
      }),
    }),
  });
  const session = core.connect();
  const other = core.connect();
  core.rooms.enter(other, "world_00000001");
  await core.send(session, "world.create");
  assert.deepEqual(session.events, ["first", "second"], "entered before the event was published");
  assert.deepEqual(other.events, ["second"]);
  assert.deepEqual(order, ["after"]);
  assert.equal(core.presence.count("world_00000001"), 2);
  await core.close();
});

Deno.test("Dispatcher: a connection that closed while its handler waited enters no world", async () => {
  let release!: () => void;
  const waited = new Promise<void>((resolve) => release = resolve);
  const core = startCore({
    handlers: (table) => ({
      ...table,
      [ClientEvent.WORLD_JOIN]: async () => {
        await waited;
        return { enter: { worldId: "world_00000001" } };
      },
    }),
  });
  const session = core.connect();
  await core.send(session, "world.join");
  session.close(1000, "bye");
  release();
  await core.clock.advance(0);
  assert.equal(core.presence.count("world_00000001"), 0);
  assert.equal(core.rooms.size, 0);
  await core.close();
});

Deno.test("Dispatcher: a joiner that stops reading its sync is closed after READER_STALL_MS of fake time; a slow reader is not", async () => {
  const core = startCore({ limits: { maxOutboundBytes: 4096 }, reads: { highWater: 1000 } });
  const worldId = await worldWithOps(core, 500);
  const stalled = core.connect();
  stalled.bufferedBytes = 50_000; // it never reads
  await core.send(stalled, "world.join", { world_id: worldId });
  assert.equal(stalled.of("sync_ops").length, 1, "the first chunk goes at once, the rest wait");
  await core.clock.advance(9_990);
  assert.equal(stalled.closed, undefined);
  await core.clock.advance(20);
  assert.deepEqual(stalled.closed, { code: 1008, reason: "Too slow: world sync not read" });

  const slow = core.connect();
  slow.bufferedBytes = 50_000;
  await core.send(slow, "world.join", { world_id: worldId });
  for (let i = 0; i < 30; i++) {
    await core.clock.advance(2_000);
    slow.bufferedBytes = Math.max(0, slow.bufferedBytes - 2_000); // 1 KB a second, but reading
  }
  assert.equal(slow.closed, undefined);
  const chunks = slow.of("sync_ops");
  assert.equal(chunks.at(-1)!.payload.chunk_index, (chunks[0]!.payload.chunk_count as number) - 1);
  await core.close();
});

Deno.test("Dispatcher: a joiner gets every op exactly once and in order while others write during its sync", async () => {
  const core = startCore({ limits: { maxOutboundBytes: 4096 }, reads: { highWater: 1000 } });
  const worldId = await worldWithOps(core, 300);
  const writer = core.connect();
  await core.send(writer, "world.join", { world_id: worldId });
  const joiner = core.connect();
  joiner.bufferedBytes = 0;
  core.dispatcher.dispatch(joiner, "world.join", { world_id: worldId });
  // Let the join enter and send its first chunk, then hold it at its pace while ops arrive.
  await Promise.resolve();
  joiner.bufferedBytes = 10_000;
  await core.clock.advance(0);
  for (let i = 0; i < 20; i++) await core.send(writer, "request_spell", { spell: land(300 + i) });
  assert.ok(core.rooms.heldCount(joiner) > 0, "live ops wait while the sync goes out");
  joiner.bufferedBytes = 0;
  await core.clock.advance(100);
  const xs: number[] = [];
  const seqs: number[] = [];
  for (const m of joiner.sent) {
    if (m.event === "sync_ops") {
      for (const op of m.payload.ops as { center: { x: number } }[]) xs.push(op.center.x);
      const first = m.payload.first_seq as number;
      const last = m.payload.last_seq as number;
      for (let seq = first; seq <= last; seq++) seqs.push(seq);
    }
    if (m.event === "apply_op") {
      xs.push((m.payload.op as { center: { x: number } }).center.x);
      seqs.push(m.payload.seq as number);
    }
  }
  assert.deepEqual(xs, Array.from({ length: 320 }, (_, i) => i));
  assert.deepEqual(seqs, Array.from({ length: 320 }, (_, i) => i + 1));
  const joined = joiner.of("world.joined")[0]!;
  assert.equal(joined.payload.seq, 300, "the snapshot");
  const lastChunk = joiner.sent.findLastIndex((m) => m.event === "sync_ops");
  assert.ok(joiner.sent.slice(0, lastChunk).every((m) => m.event !== "apply_op"));
  await core.close();
});
