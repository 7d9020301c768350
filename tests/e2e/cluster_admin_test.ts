/**
 * Operator actions across a cluster: three server processes on one real Postgres and one real
 * Redis. Every action is made through node 1; the connections it is about are on nodes 2 and 3,
 * of both protocols. One cluster serves the tests of this file, in order (the last one stops it).
 */
import assert from "node:assert/strict";
import { CLUSTER_ADMIN_TOKEN, startCluster, type TestCluster } from "../helpers/cluster.ts";
import { eventually } from "../helpers/eventually.ts";
import { GodotClient } from "../helpers/godot_client.ts";
import {
  admin as adminOn,
  connect as connectTo,
  createPlayer,
  type Peer,
  type Protocol,
  refusal as refusalOn,
} from "../helpers/identity.ts";
import type { TestServer } from "../helpers/test_server.ts";

let cluster: TestCluster;
/** A node as the identity helpers address a server (they need its URLs and port only). */
const node = (i: number) => {
  const n = cluster.nodes[i - 1]!;
  return {
    httpUrl: n.httpUrl,
    wsUrl: n.wsUrl,
    dataDir: n.dataDir,
    app: { port: n.port },
  } as unknown as TestServer;
};
const admin = (i: number, method: string, path: string, body?: unknown) =>
  adminOn(node(i), method, path, body, CLUSTER_ADMIN_TOKEN);
const connect = (i: number, protocol: Protocol, token?: string) =>
  connectTo(node(i), protocol, token);
const refusal = (i: number, protocol: Protocol, token?: string) =>
  refusalOn(node(i), protocol, token);

/** How a peer was closed, failing if it was not within `ms` ("at once", with room for a loaded box). */
async function goneWithin(peer: Peer, ms = 5000): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      peer.gone,
      new Promise<never>((_, reject) =>
        timer = setTimeout(() => reject(new Error(`${peer.protocol} peer still connected`)), ms)
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether a peer still answers (a world list round trip). */
async function answers(peer: Peer): Promise<boolean> {
  const reply = await peer.request("world.list", {}, "world.list_result");
  return reply.type === "world.list_result";
}

interface Listed {
  session_id: string;
  node_id: string;
  transport: string;
  world_id: string | null;
  principal: { kind: string; id: string };
}

async function listing(i: number): Promise<Listed[]> {
  const response = await admin(i, "GET", "/api/admin/connections");
  assert.equal(response.status, 200);
  return response.body as Listed[];
}

Deno.test("cluster admin: three nodes start", async () => {
  cluster = await startCluster(3);
});

Deno.test("cluster admin: GET /api/admin/connections through any node lists every node's connections, each naming its node", async () => {
  const player = await createPlayer(node(1), "Lister");
  const peers = [
    await connect(1, "websocket"),
    await connect(2, "socket.io"),
    await connect(3, "websocket", player.token),
  ];
  try {
    const expected = [
      [peers[0]!.clientId, "node1", "websocket"],
      [peers[1]!.clientId, "node2", "socket.io"],
      [peers[2]!.clientId, "node3", "websocket"],
    ].sort();
    for (const i of [1, 2, 3]) {
      await eventually(async () => (await listing(i)).length === 3, {
        what: `node${i} to list all three connections`,
      });
      const listed = await listing(i);
      assert.deepEqual(
        listed.map((entry) => [entry.session_id, entry.node_id, entry.transport]).sort(),
        expected,
      );
      const playerEntry = listed.find((entry) => entry.session_id === peers[2]!.clientId)!;
      assert.deepEqual(playerEntry.principal, {
        kind: "player",
        id: player.player_id,
        name: "Lister",
      });
    }
    // A connection that closes leaves every node's listing.
    await peers[2]!.close();
    await eventually(async () => (await listing(1)).length === 2, { what: "node3's peer gone" });
  } finally {
    for (const peer of peers) await peer.close().catch(() => {});
  }
  await eventually(async () => (await listing(2)).length === 0, { what: "an empty listing" });
});

Deno.test("cluster admin: a player ban through node 1 disconnects its raw and Socket.IO clients on node 3 at once; node 2 refuses them; others stay", async () => {
  const cheater = await createPlayer(node(1), "Cheater");
  const honest = await createPlayer(node(1), "Honest");
  const peers = [
    await connect(3, "websocket", cheater.token),
    await connect(3, "socket.io", cheater.token),
  ];
  const bystander = await connect(3, "websocket", honest.token);
  try {
    const ban = await admin(1, "POST", "/api/admin/bans", {
      player_id: cheater.player_id,
      reason: "aimbot",
    });
    assert.equal(ban.status, 201);
    assert.equal(await goneWithin(peers[0]!), "1008 Banned: aimbot");
    assert.equal(await goneWithin(peers[1]!), "io server disconnect");
    for (const protocol of ["websocket", "socket.io"] as const) {
      const refused = await refusal(2, protocol, cheater.token);
      assert.equal(refused.message, "Banned: aimbot");
      if (protocol === "websocket") assert.equal(refused.status, 403);
    }
    assert.ok(await answers(bystander), "the honest player on node 3 is not touched");
  } finally {
    for (const peer of [...peers, bystander]) await peer.close().catch(() => {});
  }
});

Deno.test("cluster admin: an address ban through node 1 disconnects guests on node 3 at once and is refused on node 2; lifting it through node 1 lets them into node 2 at once", async () => {
  const peers = [await connect(3, "websocket"), await connect(3, "socket.io")];
  try {
    // Node 2 has read the bans (none) just now: its cached answer must not outlive the ban.
    assert.equal((await refusal(2, "websocket")).status, 101);
    const ban = await admin(1, "POST", "/api/admin/bans", {
      address: "127.0.0.0/8",
      reason: "bot farm",
    });
    assert.equal(ban.status, 201);
    assert.equal(await goneWithin(peers[0]!), "1008 Banned: bot farm");
    assert.equal(await goneWithin(peers[1]!), "io server disconnect");
    const raw = await refusal(2, "websocket");
    assert.equal(raw.status, 403);
    assert.match(raw.message, /Banned: bot farm$/);
    assert.match((await refusal(2, "socket.io")).message, /Banned: bot farm$/);
    // Node 2 has now read the ban: lifting it through node 1 must reach node 2's cache at once.
    const { ban_id } = ban.body as { ban_id: string };
    assert.equal((await admin(1, "DELETE", `/api/admin/bans/${ban_id}`)).status, 200);
    assert.equal((await refusal(2, "websocket")).status, 101);
    assert.equal((await refusal(2, "socket.io")).message, "accepted");
  } finally {
    for (const peer of peers) await peer.close().catch(() => {});
    for (const ban of (await admin(1, "GET", "/api/admin/bans")).body as { ban_id: string }[]) {
      await admin(1, "DELETE", `/api/admin/bans/${ban.ban_id}`);
    }
  }
});

Deno.test("cluster admin: a kick through node 1 closes a session on node 3; an id no node has is a 404", async () => {
  const target = await connect(3, "websocket");
  const bystander = await connect(3, "socket.io");
  try {
    await eventually(async () => (await listing(1)).some((e) => e.session_id === target.clientId), {
      what: "node 1 to list the connection on node 3",
    });
    const kicked = await admin(1, "POST", `/api/admin/connections/${target.clientId}/kick`, {
      reason: "spam",
    });
    assert.equal(kicked.status, 200, JSON.stringify(kicked.body));
    assert.equal(await goneWithin(target), "1008 Kicked by an operator: spam");
    assert.ok(await answers(bystander));
    const unknown = await admin(1, "POST", "/api/admin/connections/not-a-session/kick");
    assert.equal(unknown.status, 404);
    // The audit log names the kicked connection's address, read from node 3's listing.
    const audit = await admin(1, "GET", "/api/admin/audit?action=connection.kick");
    const entry = (audit.body as { target: string; detail: { address: string } }[])[0]!;
    assert.equal(entry.target, `connection:${target.clientId}`);
    assert.equal(entry.detail.address, "127.0.0.1");
  } finally {
    await target.close().catch(() => {});
    await bystander.close().catch(() => {});
  }
});

Deno.test("cluster admin: a revoke through node 1 closes the player's connections on node 2; a player's own token revoke through node 1 closes it on node 3", async () => {
  const revoked = await createPlayer(node(1), "Revoked");
  const quitter = await createPlayer(node(1), "Quitter");
  const onTwo = [
    await connect(2, "websocket", revoked.token),
    await connect(2, "socket.io", revoked.token),
  ];
  const onThree = await connect(3, "socket.io", quitter.token);
  try {
    const response = await admin(1, "POST", `/api/admin/players/${revoked.player_id}/revoke`);
    assert.equal(response.status, 200);
    assert.equal(await goneWithin(onTwo[0]!), "1008 Token revoked by an operator");
    assert.equal(await goneWithin(onTwo[1]!), "io server disconnect");
    assert.equal((await refusal(2, "websocket", revoked.token)).status, 401);
    const own = await fetch(`${node(1).httpUrl}/api/players/me/token`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${quitter.token}` },
    });
    assert.equal(own.status, 204);
    assert.equal(await goneWithin(onThree), "io server disconnect");
  } finally {
    for (const peer of [...onTwo, onThree]) await peer.close().catch(() => {});
  }
});

Deno.test("cluster admin: a world delete through node 1 tells its members on nodes 2 and 3 they left, and they are out of it", async () => {
  const owner = await GodotClient.connect(cluster.nodes[0]!.wsUrl);
  const raw = await connect(3, "websocket");
  const sio = await connect(2, "socket.io");
  try {
    const created = await owner.request({ type: "world.create", name: "Doomed" }, "world.created");
    const worldId = (created.world as { world_id: string }).world_id;
    for (const peer of [raw, sio]) {
      await peer.request("world.join", { world_id: worldId }, "world.joined");
    }
    await eventually(
      async () => (await listing(1)).filter((e) => e.world_id === worldId).length === 2,
      {
        what: "both members listed in the world",
      },
    );
    assert.equal((await admin(1, "DELETE", `/api/admin/worlds/${worldId}`)).status, 200);
    for (const peer of [raw, sio]) {
      const left = await peer.next("world.left", { timeoutMs: 5000 });
      assert.equal(left.left_world_id, worldId);
    }
    // Their nodes took them out of the world (the listing shows no world for them).
    await eventually(async () => (await listing(1)).every((e) => e.world_id !== worldId), {
      what: "no one listed in the deleted world",
    });
    for (const peer of [raw, sio]) assert.ok(await answers(peer), "still connected");
  } finally {
    await owner.close();
    await raw.close().catch(() => {});
    await sio.close().catch(() => {});
  }
});

Deno.test("cluster admin: the cluster stops", async () => {
  await cluster?.stop();
});
