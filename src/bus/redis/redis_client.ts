import { createClient } from "redis";

export type RedisClient = ReturnType<typeof createClient>;

/**
 * A Redis connection for the cluster bus or presence. RESP2 (node-redis 5's RESP3 was slower
 * here). Commands are refused at once while Redis is down instead of queueing (node-redis would
 * otherwise hold every publish in memory); the client reconnects by itself, at most every second.
 * Errors are reported (rate-limited by the caller), never thrown at the event loop.
 */
export function redisClient(url: string, onError: (error: unknown) => void): RedisClient {
  const client = createClient({
    url,
    RESP: 2,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 5000,
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1000),
    },
  });
  client.on("error", onError);
  return client;
}
