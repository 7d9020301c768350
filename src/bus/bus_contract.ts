import assert from "node:assert/strict";
import { LocalFanout } from "../core/local_fanout.ts";
import { message } from "../core/outcome.ts";
import type { Bus } from "../core/ports/bus.ts";
import type { Presence } from "../core/ports/presence.ts";
import { Rooms } from "../core/rooms.ts";
import { FakeSession } from "../testing/fake_session.ts";

/** One server process as the bus sees it: its sessions (Rooms), its fan-out, its ports. */
export interface BusNode {
  bus: Bus;
  presence: Presence;
  rooms: Rooms;
  fanout: LocalFanout;
}

/**
 * A Bus and Presence implementation under contract. `make` wires one node (a cluster bus would
 * also be given several, issue 17); `settle` resolves once published messages have arrived.
 */
export interface BusFactory {
  name: string;
  make(): Promise<{ node: BusNode; settle(): Promise<void>; close(): Promise<void> }>;
}

/** Rooms and a LocalFanout for a node whose Bus and Presence the factory makes. */
export function nodeWith(
  presence: Presence,
  makeBus: (fanout: LocalFanout) => Bus,
): BusNode {
  const rooms = new Rooms({ presence });
  const fanout = new LocalFanout({ rooms });
  return { bus: makeBus(fanout), presence, rooms, fanout };
}

function test(
  factory: BusFactory,
  name: string,
  body: (node: BusNode, settle: () => Promise<void>) => Promise<void>,
): void {
  Deno.test(`${factory.name}: ${name}`, async () => {
    const { node, settle, close } = await factory.make();
    try {
      await body(node, settle);
    } finally {
      await close();
    }
  });
}

/** The Bus and Presence contract: every implementation passes these. */
export function busContract(factory: BusFactory): void {
  test(
    factory,
    "Bus: a world's messages reach its members only, each once, in publish order",
    async (node, settle) => {
      const members = [new FakeSession(), new FakeSession()];
      const outsider = new FakeSession();
      for (const session of [...members, outsider]) node.rooms.add(session);
      for (const session of members) node.rooms.enter(session, "world_00000001");
      node.rooms.enter(outsider, "world_00000002");
      for (let seq = 1; seq <= 100; seq++) {
        node.bus.publish({ world: "world_00000001" }, message("apply_op", { seq }, seq));
      }
      await settle();
      for (const session of members) {
        assert.deepEqual(
          session.sent.map((m) => m.seq),
          Array.from({ length: 100 }, (_, i) => i + 1),
        );
      }
      assert.equal(outsider.sent.length, 0);
    },
  );

  test(
    factory,
    "Bus: to everyone, and to one session by id (nobody else, nothing if it is gone)",
    async (node, settle) => {
      const [a, b] = [new FakeSession(), new FakeSession()];
      node.rooms.add(a);
      node.rooms.add(b);
      node.rooms.enter(a, "world_00000001");
      node.bus.publish({ all: true }, message("world.list_updated", {}));
      node.bus.publish({ session: b.id }, message("job.progress", { pct: 1 }));
      node.bus.publish({ session: "c_000000000000000000000000" }, message("job.progress", {}));
      await settle();
      assert.deepEqual(a.events, ["world.list_updated"]);
      assert.deepEqual(b.events, ["world.list_updated", "job.progress"]);
    },
  );

  test(
    factory,
    "Presence: counts follow enters and leaves; watchers hear of every change",
    async (node, settle) => {
      const changed: string[] = [];
      node.presence.watch((worldId) => changed.push(worldId));
      const sessions = [new FakeSession(), new FakeSession(), new FakeSession()];
      for (const session of sessions) node.rooms.add(session);
      node.rooms.enter(sessions[0]!, "world_00000001");
      node.rooms.enter(sessions[1]!, "world_00000001");
      node.rooms.enter(sessions[2]!, "world_00000002");
      await settle();
      assert.equal(node.presence.connections(), 3);
      assert.equal(node.presence.count("world_00000001"), 2);
      assert.deepEqual(
        new Map(node.presence.counts()),
        new Map([["world_00000001", 2], ["world_00000002", 1]]),
      );
      node.rooms.remove(sessions[0]!);
      node.rooms.leave(sessions[2]!);
      await settle();
      assert.equal(node.presence.connections(), 2);
      assert.equal(node.presence.count("world_00000001"), 1);
      assert.equal(node.presence.count("world_00000002"), 0);
      assert.equal(
        node.presence.counts().has("world_00000002"),
        false,
        "empty worlds are not listed",
      );
      assert.ok(changed.includes("world_00000001") && changed.includes("world_00000002"));
    },
  );
}
