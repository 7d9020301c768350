/**
 * The Bus and Presence contract over every implementation: the in-process one, and the Redis bus
 * with summed presence (cluster mode) on a throwaway Redis started by this file.
 * @module
 */
import { busContract, nodeWith } from "./bus_contract.ts";
import { LocalBus } from "./local_bus.ts";
import { LocalPresence } from "./local_presence.ts";
import { RedisBus } from "./redis/redis_bus.ts";
import { redisClient } from "./redis/redis_client.ts";
import { RedisPresence } from "./redis/redis_presence.ts";
import { WorldSequencer } from "./redis/world_sequencer.ts";
import { startRedis, type ThrowawayRedis } from "../../tests/helpers/throwaway_services.ts";
import type { LocalFanout } from "../core/local_fanout.ts";
import type { Rooms } from "../core/rooms.ts";

busContract({
  name: "local",
  make: () =>
    Promise.resolve({
      node: nodeWith(new LocalPresence(), (fanout) => new LocalBus(fanout)),
      settle: () => Promise.resolve(),
      close: () => Promise.resolve(),
    }),
});

let redis: Promise<ThrowawayRedis> | undefined;
let nodes = 0;

busContract({
  name: "redis",
  make: async () => {
    const server = await (redis ??= startRedis());
    const fail = (error: unknown) => {
      throw error;
    };
    const publisher = redisClient(server.url, () => {});
    const subscriber = redisClient(server.url, () => {});
    await publisher.connect();
    await subscriber.connect();
    const late: { fanout?: LocalFanout; rooms?: Rooms } = {};
    // A fresh world's log is empty: its order starts at 1 and there is never a gap to read.
    const sequencer = new WorldSequencer({
      source: { lastSeq: () => Promise.resolve(0), messagesAfter: () => Promise.resolve([]) },
      deliver: (world, message) => late.fanout!.deliver({ world }, message),
      gapMs: 1000,
      onError: fail,
    });
    const nodeId = `contract-${++nodes}`;
    const presence = new RedisPresence({
      client: publisher,
      nodeId,
      heartbeatMs: 100,
      ttlMs: 1000,
      onError: () => {},
      onEntered: (world) => sequencer.track(world),
      onEmptied: (world) => sequencer.untrack(world),
    });
    let bus!: RedisBus;
    const node = nodeWith(presence, (fanout) => {
      late.fanout = fanout;
      return bus = new RedisBus({
        nodeId,
        publisher,
        subscriber,
        local: fanout,
        sequencer,
        isLocalSession: (id) => late.rooms!.get(id) !== undefined,
      });
    });
    late.rooms = node.rooms;
    await bus.start();
    await presence.start();
    return {
      node,
      settle: async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
      },
      close: async () => {
        await presence.close();
        await bus.close();
        sequencer.close();
        await publisher.quit();
        await subscriber.quit();
      },
    };
  },
});

// Registered last: the shared Redis stops after every test above ran.
Deno.test("redis: the throwaway server stops", async () => {
  if (redis) await (await redis).stop();
});
