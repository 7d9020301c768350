/**
 * The ConnectionControl contract over both implementations: the in-process one (one node), and the
 * Redis one with two nodes on a throwaway Redis started by this file, where every order is given on
 * the first node and the connections it is about are on the second (and the first).
 * @module
 */
import assert from "node:assert/strict";
import { LocalConnectionControl } from "./local_connection_control.ts";
import { parseOrder, RedisConnectionControl } from "./redis/redis_connection_control.ts";
import { CONTROL_CHANNEL } from "./redis/redis_connection_control.ts";
import { type RedisClient, redisClient } from "./redis/redis_client.ts";
import { LocalPresence } from "./local_presence.ts";
import { LocalFanout } from "../core/local_fanout.ts";
import type { ConnectionControl } from "../core/ports/connection_control.ts";
import { Rooms } from "../core/rooms.ts";
import { FakeSession } from "../testing/fake_session.ts";
import { eventually } from "../../tests/helpers/eventually.ts";
import { startRedis, type ThrowawayRedis } from "../../tests/helpers/throwaway_services.ts";

const WORLD = "world_00000001";
const OTHER_WORLD = "world_00000002";
const player = (id: string) => ({ kind: "player" as const, id, name: id });

interface ControlNode {
  control: ConnectionControl;
  rooms: Rooms;
  /** How many times this node was told its cached bans are stale. */
  bansChanged: { count: number };
  /** A session connected to this node, in a world if given. */
  connect(session: FakeSession, worldId?: string): void;
}

interface Setup {
  /** Where orders are given. */
  here: ControlNode;
  /** Where the connections they are about are: another node in a cluster, else `here`. */
  there: ControlNode;
  /** Until the other node's listing shows what changed there (nothing to wait for in one process). */
  listed(count: number): Promise<void>;
  close(): Promise<void>;
}

function localNode(): { node: ControlNode; local: LocalConnectionControl } {
  const rooms = new Rooms({ presence: new LocalPresence() });
  const fanout = new LocalFanout({ rooms });
  const bansChanged = { count: 0 };
  const local = new LocalConnectionControl({
    rooms: () => rooms,
    deliver: (sessionId, message) => fanout.deliver({ session: sessionId }, message),
    onBansChanged: () => bansChanged.count++,
  });
  return {
    local,
    node: {
      control: local,
      rooms,
      bansChanged,
      connect: (session, worldId) => {
        rooms.add(session);
        if (worldId) rooms.enter(session, worldId);
      },
    },
  };
}

function contract(name: string, make: () => Promise<Setup>): void {
  const test = (what: string, body: (setup: Setup) => Promise<void>) =>
    Deno.test(`${name}: ${what}`, async () => {
      const setup = await make();
      try {
        await body(setup);
      } finally {
        await setup.close();
      }
    });

  test("close by session closes that connection only, with the code and reason", async (s) => {
    const target = new FakeSession();
    const bystander = new FakeSession();
    s.there.connect(target);
    s.there.connect(bystander);
    await s.here.control.close({ session: target.id }, 1008, "Kicked by an operator");
    await eventually(() => target.closed, { what: "the kick" });
    assert.deepEqual(target.closed, { code: 1008, reason: "Kicked by an operator" });
    assert.equal(bystander.closed, undefined);
  });

  test("close by principal closes every connection of that player, on every node", async (s) => {
    const mine = [
      new FakeSession({ principal: player("p_1") }),
      new FakeSession({ principal: player("p_1") }),
    ];
    const here = new FakeSession({ principal: player("p_1") });
    const other = new FakeSession({ principal: player("p_2") });
    const guest = new FakeSession();
    for (const session of [...mine, other, guest]) s.there.connect(session, WORLD);
    s.here.connect(here);
    await s.here.control.close({ principal: "p_1" }, 1008, "Banned");
    assert.ok(here.closed, "this node's connection is closed before close resolves");
    await eventually(() => mine.every((session) => session.closed), { what: "both closed" });
    assert.equal(other.closed, undefined);
    assert.equal(guest.closed, undefined);
  });

  test("close by address range closes the range's connections and no others", async (s) => {
    const inside = [
      new FakeSession({ address: "10.1.2.3" }),
      new FakeSession({ address: "10.1.255.9" }),
    ];
    const outside = [new FakeSession({ address: "10.2.0.1" }), new FakeSession({ address: "::1" })];
    for (const session of [...inside, ...outside]) s.there.connect(session);
    await s.here.control.close({ address: "10.1.0.0/16" }, 1008, "Banned: spam");
    await eventually(() => inside.every((session) => session.closed), { what: "range closed" });
    for (const session of outside) assert.equal(session.closed, undefined);
    // A selector that is not a range matches nothing (never everything).
    await s.here.control.close({ address: "not a range" }, 1008, "x");
    await s.here.control.close({ session: inside[0]!.id }, 1008, "settled"); // a marker to wait on
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const session of outside) assert.equal(session.closed, undefined);
  });

  test("leaveWorld: every member leaves the world and hears world_left; others hear nothing", async (s) => {
    const members = [new FakeSession(), new FakeSession({ transport: "socket.io" })];
    const elsewhere = new FakeSession();
    for (const session of members) s.there.connect(session, WORLD);
    s.there.connect(elsewhere, OTHER_WORLD);
    await s.here.control.leaveWorld(WORLD);
    await eventually(() => members.every((m) => m.events.includes("world.left")), {
      what: "world.left",
    });
    for (const member of members) {
      assert.equal(s.there.rooms.worldOf(member), undefined);
      assert.deepEqual(member.of("world.left")[0]!.payload, { left_world_id: WORLD });
      assert.equal(member.closed, undefined, "leaving is not a disconnect");
    }
    assert.equal(s.there.rooms.worldOf(elsewhere), OTHER_WORLD);
    assert.deepEqual(elsewhere.events, []);
  });

  test("bansChanged reaches every node, this one before it resolves", async (s) => {
    await s.here.control.bansChanged();
    assert.equal(s.here.bansChanged.count, 1);
    await eventually(() => s.there.bansChanged.count === 1, { what: "the other node told" });
  });

  test("list names every connection: its transport, address, principal and world", async (s) => {
    const a = new FakeSession({ principal: player("p_a"), address: "198.51.100.7" });
    const b = new FakeSession({ transport: "socket.io" });
    s.there.connect(a, WORLD);
    s.there.connect(b);
    const here = new FakeSession();
    if (s.here !== s.there) s.here.connect(here);
    await s.listed(2);
    const listed = await s.here.control.list();
    const entryA = listed.find((entry) => entry.session_id === a.id);
    const entryB = listed.find((entry) => entry.session_id === b.id);
    assert.ok(entryA && entryB, JSON.stringify(listed));
    assert.equal(entryA.transport, "websocket");
    assert.equal(entryA.address, "198.51.100.7");
    assert.deepEqual(entryA.principal, { kind: "player", id: "p_a", name: "p_a" });
    assert.equal(entryA.world_id, WORLD);
    assert.equal(entryB.transport, "socket.io");
    assert.equal(entryB.principal.kind, "guest");
    assert.equal(entryB.world_id, null);
    if (s.here !== s.there) {
      assert.equal(listed.length, 3);
      assert.ok(listed.some((entry) => entry.session_id === here.id));
    } else {
      assert.equal(listed.length, 2);
    }
  });
}

contract("local", () => {
  const { node } = localNode();
  return Promise.resolve({
    here: node,
    there: node,
    listed: () => Promise.resolve(),
    close: () => Promise.resolve(),
  });
});

let redis: Promise<ThrowawayRedis> | undefined;
let nodes = 0;

async function redisNode(url: string): Promise<{
  node: ControlNode;
  control: RedisConnectionControl;
  clients: RedisClient[];
}> {
  const { node, local } = localNode();
  const publisher = redisClient(url, () => {});
  const subscriber = redisClient(url, () => {});
  await publisher.connect();
  await subscriber.connect();
  const control = new RedisConnectionControl({
    nodeId: `control-${++nodes}`,
    publisher,
    subscriber,
    local,
    heartbeatMs: 100,
    ttlMs: 1000,
    maxListed: 100,
    onError: () => {},
  });
  await control.start();
  const connect = node.connect;
  return {
    control,
    clients: [publisher, subscriber],
    node: {
      control,
      rooms: node.rooms,
      bansChanged: node.bansChanged,
      connect: (session, worldId) => {
        connect(session, worldId);
        control.changed();
      },
    },
  };
}

contract("redis", async () => {
  const server = await (redis ??= startRedis());
  const here = await redisNode(server.url);
  const there = await redisNode(server.url);
  return {
    here: here.node,
    there: there.node,
    listed: async (count) => {
      await eventually(async () => {
        const listed = await here.control.list();
        return listed.filter((entry) => entry.node_id === there.control.nodeId).length === count;
      }, { what: `${count} connections listed` });
    },
    close: async () => {
      for (const node of [here, there]) {
        await node.control.stop();
        for (const client of node.clients) await client.quit();
      }
    },
  };
});

Deno.test("redis: each entry names its node; a stopped node's connections leave the listing", async () => {
  const server = await (redis ??= startRedis());
  const a = await redisNode(server.url);
  const b = await redisNode(server.url);
  try {
    const onA = new FakeSession();
    const onB = new FakeSession();
    a.node.connect(onA);
    b.node.connect(onB);
    await eventually(async () => (await a.control.list()).length === 2, { what: "both listed" });
    const listed = await a.control.list();
    assert.equal(listed.find((e) => e.session_id === onA.id)?.node_id, a.control.nodeId);
    assert.equal(listed.find((e) => e.session_id === onB.id)?.node_id, b.control.nodeId);
    await b.control.stop();
    assert.deepEqual((await a.control.list()).map((e) => e.session_id), [onA.id]);
  } finally {
    for (const node of [a, b]) {
      await node.control.stop();
      for (const client of node.clients) await client.quit();
    }
  }
});

Deno.test("redis: malformed orders on the control channel are ignored", async () => {
  const server = await (redis ??= startRedis());
  const a = await redisNode(server.url);
  try {
    const session = new FakeSession({ address: "10.0.0.1" });
    a.node.connect(session, WORLD);
    const junk = [
      "not json",
      "[]",
      JSON.stringify({ from: "x", op: "close", selector: {}, code: 1008, reason: "r" }),
      JSON.stringify({
        from: "x",
        op: "close",
        selector: { address: "0.0.0.0/0", session: "s" },
        code: 1008,
        reason: "r",
      }),
      JSON.stringify({
        from: "x",
        op: "close",
        selector: { address: "0.0.0.0/0" },
        code: "1008",
        reason: "r",
      }),
      JSON.stringify({ from: "x", op: "close", selector: { address: "0.0.0.0/0" }, code: 1008 }),
      JSON.stringify({ from: "x", op: "leave", world: 7 }),
      JSON.stringify({ from: "x", op: "shutdown" }),
    ];
    for (const text of junk) {
      assert.equal(parseOrder(text), undefined, text);
      await a.clients[0]!.publish(CONTROL_CHANNEL, text);
    }
    // A good order after them still works: the junk was skipped, not fatal.
    await a.clients[0]!.publish(
      CONTROL_CHANNEL,
      JSON.stringify({ from: "x", op: "leave", world: WORLD }),
    );
    await eventually(() => session.events.includes("world.left"), { what: "the good order" });
    assert.equal(session.closed, undefined);
  } finally {
    await a.control.stop();
    for (const client of a.clients) await client.quit();
  }
});

// Registered last: the shared Redis stops after every test above ran.
Deno.test("redis: the throwaway server stops", async () => {
  if (redis) await (await redis).stop();
});
