/**
 * Clients that each create a world, join it and append voxel ops at a steady rate (every 50 ms a
 * batch), counting the `apply_op` echoes without keeping them: the WAL test and bench use them.
 */
export interface OpWriters {
  /** Ops the server acknowledged (echoed) so far. */
  readonly applied: number;
  /** Refusals (rate_limited, quota…) so far. */
  readonly refused: number;
  stop(): Promise<void>;
}

export async function startOpWriters(
  wsUrl: string,
  options: { writers: number; opsPerSecond: number; headers?: Record<string, string> },
): Promise<OpWriters> {
  let applied = 0;
  let refused = 0;
  let running = true;
  const sockets: WebSocket[] = [];
  const loops: Promise<void>[] = [];
  const perTick = Math.max(1, Math.round(options.opsPerSecond / 20));
  for (let w = 0; w < options.writers; w++) {
    const socket = options.headers
      ? new WebSocket(wsUrl, { headers: options.headers } as unknown as string[])
      : new WebSocket(wsUrl);
    sockets.push(socket);
    const joined = Promise.withResolvers<void>();
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "apply_op") applied++;
      else if (message.type === "world.created") {
        socket.send(JSON.stringify({ type: "world.join", world_id: message.world.world_id }));
      } else if (message.type === "world.joined") joined.resolve();
      else if (message.type === "error" || message.type === "spell_rejected") refused++;
    };
    await new Promise((resolve) => socket.onopen = resolve);
    socket.send(JSON.stringify({ type: "world.create", name: `writer ${w}` }));
    await joined.promise;
    loops.push((async () => {
      let x = 0;
      while (running) {
        for (let i = 0; i < perTick; i++) {
          socket.send(JSON.stringify({
            type: "request_spell",
            spell: { type: "create_land", center: { x: x++ % 1000, y: w, z: 0 }, radius: 2 },
          }));
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })());
  }
  return {
    get applied() {
      return applied;
    },
    get refused() {
      return refused;
    },
    async stop() {
      running = false;
      await Promise.all(loops);
      for (const socket of sockets) socket.close();
      await Promise.all(
        sockets.map((socket) =>
          socket.readyState === WebSocket.CLOSED
            ? undefined
            : new Promise((resolve) => socket.addEventListener("close", resolve))
        ),
      );
    },
  };
}

/** Size of `<db>-wal` (0 if absent). */
export function walBytes(dbPath: string): number {
  try {
    return Deno.statSync(`${dbPath}-wal`).size;
  } catch {
    return 0;
  }
}
