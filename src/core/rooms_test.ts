import assert from "node:assert/strict";
import { LocalPresence } from "../bus/local_presence.ts";
import { FakeSession } from "../testing/fake_session.ts";
import { LocalFanout } from "./local_fanout.ts";
import { message } from "./outcome.ts";
import { Rooms } from "./rooms.ts";
import { OutboundMessage } from "./session.ts";

function setup() {
  const presence = new LocalPresence();
  const rooms = new Rooms({ presence });
  const delivered: [string, number][] = [];
  const fanout = new LocalFanout({
    rooms,
    onDeliver: (event, _bytes, recipients) => delivered.push([event, recipients]),
  });
  const session = () => {
    const s = new FakeSession();
    rooms.add(s);
    return s;
  };
  return { presence, rooms, fanout, delivered, session };
}

Deno.test("Rooms: membership moves with enter and leave, and presence counts follow", () => {
  const { presence, rooms, session } = setup();
  const changes: string[] = [];
  presence.watch((worldId) => changes.push(worldId));
  const a = session();
  const b = session();
  assert.equal(presence.connections(), 2);
  rooms.enter(a, "w1");
  rooms.enter(b, "w1");
  assert.equal(rooms.enter(a, "w2"), "w1", "entering another world leaves the first");
  assert.deepEqual([presence.count("w1"), presence.count("w2")], [1, 1]);
  assert.deepEqual([...presence.counts()], [["w1", 1], ["w2", 1]]);
  assert.equal(rooms.remove(b), "w1");
  assert.equal(presence.count("w1"), 0);
  assert.equal(presence.connections(), 1);
  assert.deepEqual(changes, ["w1", "w1", "w1", "w2", "w1"]);
  assert.equal(rooms.enter(b, "w1"), undefined, "a removed session enters nothing");
  assert.equal(presence.count("w1"), 0);
});

Deno.test("LocalFanout: to a world, to everyone, to one session; each message counted once", () => {
  const { rooms, fanout, delivered, session } = setup();
  const [a, b, c] = [session(), session(), session()];
  rooms.enter(a, "w");
  rooms.enter(b, "w");
  fanout.deliver({ world: "w" }, message("apply_op", {}));
  fanout.deliver({ all: true }, message("world.list_updated", {}));
  fanout.deliver({ session: c.id }, message("job.progress", {}));
  fanout.deliver({ session: "c_gone" }, message("job.progress", {}));
  fanout.deliver({ world: "empty" }, message("apply_op", {}));
  assert.deepEqual(a.events, ["apply_op", "world.list_updated"]);
  assert.deepEqual(b.events, ["apply_op", "world.list_updated"]);
  assert.deepEqual(c.events, ["world.list_updated", "job.progress"]);
  assert.deepEqual(delivered, [["apply_op", 2], ["world.list_updated", 3], ["job.progress", 1]]);
  assert.equal(a.sent[0], b.sent[0], "one prepared message shared by every member");
});

Deno.test("Rooms + LocalFanout: a held joiner gets direct messages at once and world messages on release, less those its sync carried", () => {
  const { rooms, fanout, session } = setup();
  const member = session();
  const joiner = session();
  rooms.enter(member, "w");
  rooms.enter(joiner, "w", { hold: true });
  fanout.deliver({ world: "w" }, message("apply_op", { seq: 7 }, 7));
  fanout.deliver({ world: "w" }, message("spell.cast_event", {}));
  fanout.deliver({ all: true }, message("world.list_updated", {}));
  fanout.deliver({ world: "w" }, message("apply_op", { seq: 8 }, 8));
  fanout.deliver({ world: "w" }, message("world_cleared", { seq: 9 }, 9));
  fanout.send(joiner, message("sync_ops", {}));
  assert.deepEqual(joiner.events, ["sync_ops"]);
  assert.equal(rooms.heldCount(joiner), 5);
  assert.equal(member.sent.length, 5, "others are not held");
  // The sync covered seqs up to 8: those are dropped, the rest keeps its order.
  fanout.sendAll(joiner, rooms.release(joiner, 8));
  assert.deepEqual(joiner.events, [
    "sync_ops",
    "spell.cast_event",
    "world.list_updated",
    "world_cleared",
  ]);
  assert.equal(rooms.holding, 0);
  fanout.deliver({ world: "w" }, message("apply_op", { seq: 10 }, 10));
  assert.equal(joiner.events.at(-1), "apply_op", "delivered live after the release");
});

Deno.test("Rooms: a hold ends with the membership; leaving drops what waited", () => {
  const { rooms, fanout, session } = setup();
  const joiner = session();
  rooms.enter(joiner, "w", { hold: true });
  fanout.deliver({ world: "w" }, message("apply_op", { seq: 1 }, 1));
  rooms.leave(joiner);
  assert.equal(rooms.holding, 0);
  assert.deepEqual(rooms.release(joiner, 0), []);
  rooms.enter(joiner, "w", { hold: true });
  rooms.remove(joiner);
  assert.equal(rooms.holding, 0);
});

Deno.test("Rooms: after a release at S, a world message with seq ≤ S that arrives late is not sent again", () => {
  const rooms = new Rooms({ presence: new LocalPresence() });
  const joiner = new FakeSession();
  rooms.add(joiner);
  rooms.enter(joiner, "w1", { hold: true });
  assert.deepEqual(rooms.release(joiner, 5), []);
  const late = new OutboundMessage("apply_op", { seq: 4 }, 4);
  const next = new OutboundMessage("apply_op", { seq: 6 }, 6);
  assert.equal(rooms.carried(joiner, late, "w1"), true, "the sync carried it");
  assert.equal(rooms.carried(joiner, late, "w2"), false, "another world's seqs are not ours");
  assert.equal(rooms.flooredIn("w1"), true);
  assert.equal(rooms.flooredIn("w2"), false);
  assert.equal(rooms.carried(joiner, next, "w1"), false);
  assert.equal(rooms.flooredIn("w1"), false, "forgotten at the first later seq");
  assert.equal(rooms.carried(joiner, late, "w1"), false, "and checked no more");
  rooms.enter(joiner, "w1", { hold: true });
  rooms.release(joiner, 5);
  assert.equal(rooms.flooredIn("w1"), true);
  rooms.leave(joiner);
  assert.equal(rooms.flooredIn("w1"), false, "forgotten on leaving");
});
