/**
 * Load-generator clients: raw WebSocket (Deno's native client) and Socket.IO v4
 * (`socket.io-client`, websocket transport only, over the native WebSocket) behind one interface. Stamped broadcasts
 * (`spell.cast_event`, `apply_op`) take a fast path that never queues them; everything else lands in a
 * bounded queue that `next()` reads.
 * @module
 */
import { WebSocket as NativeWebSocketTransport } from "engine.io-client";
import { io, type Socket } from "socket.io-client";

/** A received message: the event name in `type`, then its fields. */
export type Message = Record<string, unknown> & { type: string };

/** Which wire protocol a client speaks. */
export type Transport = "raw" | "sio";

/** The broadcasts that carry a latency stamp. */
export type StampedEvent = "spell.cast_event" | "apply_op";

/**
 * Receives one stamped broadcast: `stamp` is the sender's `benchNow()` (cast_params.t or
 * op.center.x), `tag` the sender's tag (cast_params.seq or op.center.z).
 */
export type StampListener = (stamp: number, tag: number) => void;

/** Frames larger than this break the Godot client. */
export const FRAME_CAP = 65535;

const QUEUE_MAX = 2000;
const CONNECT_TIMEOUT_MS = 15_000;
const ERROR_TYPES = new Set(["error", "spell_rejected", "spell.cast_rejected"]);

/** Error-like replies a client received, by type and message (for the report). */
export interface ErrorCounts {
  total: number;
  samples: string[];
}

/** The part of a client that both transports share. */
abstract class BaseClient {
  abstract readonly transport: Transport;
  clientId = "";
  /** Largest frame received, in bytes (raw: exact UTF-8; Socket.IO: the event payload as JSON). */
  maxFrameBytes = 0;
  /** Frames over FRAME_CAP. */
  oversizeFrames = 0;
  readonly errors: ErrorCounts = { total: 0, samples: [] };
  /** True once the connection closed without `close()` being called. */
  droppedByPeer = false;
  /** Called for every queued (non-stamped) message, after the frame-size check. */
  onMessage: ((message: Message) => void) | undefined;
  protected stampEvent: StampedEvent | undefined;
  protected stampListener: StampListener | undefined;
  protected closing = false;
  #queue: Message[] = [];
  #waiters: { match: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];

  /** Sends one event with its payload. */
  abstract send(type: string, payload?: Record<string, unknown>): void;

  /** Closes the connection and waits (bounded) for it to be closed. */
  abstract close(): Promise<void>;

  /** Diverts `event` broadcasts to `listener` (the hot path); `undefined` restores queueing. */
  onStamped(event: StampedEvent | undefined, listener?: StampListener): void {
    this.stampEvent = event;
    this.stampListener = listener;
  }

  /** The first unconsumed message of one of `types` matching `where`, waiting up to `timeoutMs`. */
  next(
    types: string | string[],
    timeoutMs = 10_000,
    where: (m: Message) => boolean = () => true,
  ): Promise<Message> {
    const list = Array.isArray(types) ? types : [types];
    const match = (m: Message) => list.includes(m.type) && where(m);
    const index = this.#queue.findIndex(match);
    if (index >= 0) return Promise.resolve(this.#queue.splice(index, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (m: Message) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
        reject(new Error(`${this.transport} client: no ${list.join("|")} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** Sends and waits for the reply of type `replyType`. */
  request(
    type: string,
    payload: Record<string, unknown>,
    replyType: string,
    timeoutMs = 10_000,
  ): Promise<Message> {
    const reply = this.next(replyType, timeoutMs);
    this.send(type, payload);
    return reply;
  }

  /** Forgets every queued message. */
  clearQueue(): void {
    this.#queue.length = 0;
  }

  protected deliver(message: Message): void {
    if (ERROR_TYPES.has(message.type)) {
      this.errors.total++;
      if (this.errors.samples.length < 5) {
        this.errors.samples.push(`${message.type}: ${String(message.message ?? message.error)}`);
      }
    }
    this.onMessage?.(message);
    const waiter = this.#waiters.find((w) => w.match(message));
    if (waiter) {
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve(message);
      return;
    }
    this.#queue.push(message);
    if (this.#queue.length > QUEUE_MAX) this.#queue.shift();
  }

  protected noteFrame(bytes: number): void {
    if (bytes > this.maxFrameBytes) this.maxFrameBytes = bytes;
    if (bytes > FRAME_CAP) this.oversizeFrames++;
  }
}

const encoder = new TextEncoder();
const CAST_PREFIX = '{"type":"spell.cast_event"';
const OP_PREFIX = '{"type":"apply_op"';
const CAST_STAMP = '"cast_params":{"t":';
const OP_STAMP = '"center":{"x":';

/** The raw WebSocket JSON protocol, as the Godot client speaks it (path `/`, no subprotocol). */
export class RawClient extends BaseClient {
  readonly transport = "raw" as const;
  readonly #ws: WebSocket;
  readonly #closed: Promise<void>;

  private constructor(ws: WebSocket) {
    super();
    this.#ws = ws;
    this.#closed = new Promise((resolve) => {
      ws.addEventListener("close", () => {
        if (!this.closing) this.droppedByPeer = true;
        resolve();
      }, { once: true });
    });
    ws.onmessage = (event) => this.#receive(event.data);
  }

  /** Opens a connection and waits for the server's `connected` greeting. */
  static async connect(url: string): Promise<RawClient> {
    const ws = new WebSocket(url);
    const client = new RawClient(ws);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error("raw connect timed out")),
          CONNECT_TIMEOUT_MS,
        );
        ws.addEventListener("open", () => {
          clearTimeout(timer);
          resolve();
        }, { once: true });
        ws.addEventListener("error", () => {
          clearTimeout(timer);
          reject(new Error(`cannot connect to ${url}`));
        }, { once: true });
      });
      client.clientId = String((await client.next("connected", CONNECT_TIMEOUT_MS)).client_id);
    } catch (error) {
      await client.close();
      throw error;
    }
    return client;
  }

  send(type: string, payload: Record<string, unknown> = {}): void {
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify({ type, ...payload }));
  }

  /** Sends an already encoded frame (the pipelining hot path). */
  sendFrame(frame: string): void {
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(frame);
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.#ws.readyState === WebSocket.CLOSED) return;
    try {
      this.#ws.close();
    } catch { /* not open yet */ }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.#closed, new Promise((r) => timer = setTimeout(r, 3000))]);
    clearTimeout(timer);
  }

  #receive(data: unknown): void {
    if (typeof data !== "string") return;
    // Only a frame that could be over the cap is measured exactly (UTF-8 is at most 3 bytes/unit).
    this.noteFrame(data.length * 3 > FRAME_CAP ? encoder.encode(data).length : data.length);
    const listener = this.stampListener;
    if (listener) {
      const event = this.stampEvent;
      if (event === "spell.cast_event" && data.startsWith(CAST_PREFIX)) {
        const at = data.indexOf(CAST_STAMP);
        if (at >= 0) {
          const seqAt = data.indexOf('"seq":', at);
          listener(
            parseFloat(data.slice(at + CAST_STAMP.length, at + CAST_STAMP.length + 24)),
            seqAt >= 0 ? parseFloat(data.slice(seqAt + 6, seqAt + 30)) : -1,
          );
          return;
        }
      } else if (event === "apply_op" && data.startsWith(OP_PREFIX)) {
        const at = data.indexOf(OP_STAMP);
        if (at >= 0) {
          const zAt = data.indexOf('"z":', at);
          listener(
            parseFloat(data.slice(at + OP_STAMP.length, at + OP_STAMP.length + 24)),
            zAt >= 0 ? parseFloat(data.slice(zAt + 4, zAt + 28)) : -1,
          );
          return;
        }
      }
    }
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    if (typeof message === "object" && message !== null && "type" in message) {
      this.deliver(message as Message);
    }
  }
}

/** Socket.IO v4 over the websocket transport: the event name is the type, the payload has none. */
export class SioClient extends BaseClient {
  readonly transport = "sio" as const;
  readonly #socket: Socket;

  private constructor(socket: Socket) {
    super();
    this.#socket = socket;
    socket.on("disconnect", () => {
      if (!this.closing) this.droppedByPeer = true;
    });
    socket.onAny((event: string, payload: unknown) => this.#receive(event, payload));
  }

  /** Connects (no reconnection, no polling) and waits for the server's `connected` event. */
  static async connect(baseUrl: string): Promise<SioClient> {
    const socket = io(baseUrl, {
      // engine.io-client's transport over the runtime's own WebSocket, as in a browser; the default
      // "websocket" transport under Deno is the `ws` package over node:net, which costs the load
      // generator about twice the CPU per message and saturated it at 50k deliveries/s.
      transports: [NativeWebSocketTransport],
      forceNew: true,
      reconnection: false,
      timeout: CONNECT_TIMEOUT_MS,
    });
    const client = new SioClient(socket);
    try {
      const greeting = client.next("connected", CONNECT_TIMEOUT_MS);
      await new Promise<void>((resolve, reject) => {
        socket.once("connect", () => resolve());
        socket.once("connect_error", (error: Error) => reject(error));
      });
      client.clientId = String((await greeting).client_id);
    } catch (error) {
      await client.close();
      throw error;
    }
    return client;
  }

  send(type: string, payload: Record<string, unknown> = {}): void {
    if (this.#socket.connected) this.#socket.emit(type, payload);
  }

  close(): Promise<void> {
    this.closing = true;
    this.#socket.removeAllListeners();
    this.#socket.offAny();
    this.#socket.disconnect();
    return Promise.resolve();
  }

  #receive(event: string, payload: unknown): void {
    const body = (typeof payload === "object" && payload !== null ? payload : {}) as Record<
      string,
      unknown
    >;
    const listener = this.stampListener;
    if (listener && event === this.stampEvent) {
      if (event === "spell.cast_event") {
        const params = body.cast_params as { t?: number; seq?: number } | undefined;
        if (params && typeof params.t === "number") {
          listener(params.t, params.seq ?? -1);
          return;
        }
      } else {
        const center = (body.op as { center?: { x?: number; z?: number } } | undefined)?.center;
        if (center && typeof center.x === "number") {
          listener(center.x, center.z ?? -1);
          return;
        }
      }
    }
    this.deliver({ ...body, type: event });
  }
}

/** A client of either transport. */
export type BenchClient = RawClient | SioClient;

/** Connects one client of `transport` to a target (raw: its ws URL; Socket.IO: its http URL). */
export function connectClient(
  transport: Transport,
  target: { wsUrl: string; httpUrl: string },
): Promise<BenchClient> {
  return transport === "raw" ? RawClient.connect(target.wsUrl) : SioClient.connect(target.httpUrl);
}

/**
 * Connects `count` clients in batches of `batch` (so the listen backlog and the fd table are never
 * flooded). If any connection fails, the ones already open are closed and the error is thrown.
 */
export async function connectMany(
  transport: Transport,
  target: { wsUrl: string; httpUrl: string },
  count: number,
  batch = 100,
  into: BenchClient[] = [],
): Promise<BenchClient[]> {
  const start = into.length;
  try {
    for (let done = 0; done < count; done += batch) {
      const size = Math.min(batch, count - done);
      const settled = await Promise.allSettled(
        Array.from({ length: size }, () => connectClient(transport, target)),
      );
      for (const result of settled) if (result.status === "fulfilled") into.push(result.value);
      const failed = settled.find((r) => r.status === "rejected");
      if (failed) throw (failed as PromiseRejectedResult).reason;
    }
  } catch (error) {
    await closeAll(into.splice(start));
    throw error;
  }
  return into;
}

/** Closes every client (in parallel batches) and empties the array. */
export async function closeAll(clients: BenchClient[], batch = 500): Promise<void> {
  const all = clients.splice(0);
  for (let i = 0; i < all.length; i += batch) {
    await Promise.all(all.slice(i, i + batch).map((client) => client.close().catch(() => {})));
  }
}

/** Joins `world_id` and waits for `world.joined` (sync messages are left in the queue). */
export async function joinWorld(client: BenchClient, worldId: string): Promise<void> {
  const joined = client.next(["world.joined", "error"], 20_000);
  client.send("world.join", { world_id: worldId });
  const reply = await joined;
  if (reply.type !== "world.joined") throw new Error(`join failed: ${JSON.stringify(reply)}`);
}

/** Creates a world and returns its id. */
export async function createWorld(client: BenchClient, name: string): Promise<string> {
  const reply = await client.request("world.create", { name }, "world.created", 20_000);
  return String((reply.world as { world_id: string }).world_id);
}

/** One ping of a Pinger: when it was sent (wall-clock ms) and, once the pong came, its round trip. */
export interface PingSample {
  sentAt: number;
  rtt?: number;
}

/** Messages from the bench to its ping worker. */
export type PingWorkerRequest =
  | { kind: "open"; url: string }
  | { kind: "start"; everyMs: number }
  | { kind: "stop"; waitMs: number }
  | { kind: "close" };

/** Messages from the ping worker to the bench. */
export type PingWorkerReply =
  | { kind: "opened" }
  | { kind: "failed"; reason: string }
  | { kind: "stopped"; pings: PingSample[]; unanswered: number };

const PING_WORKER = new URL("./ping_worker.ts", import.meta.url);

/**
 * An idle raw client, on its own thread (`ping_worker.ts`), that sends `ping` every `everyMs` and
 * times the `pong`s. Its round trips show how long the server's event loop stalls under someone
 * else's load, without the load generator's own event loop in the measurement.
 */
export class Pinger {
  readonly #worker: Worker;
  #pings: PingSample[] = [];
  #replies: ((reply: PingWorkerReply) => void)[] = [];

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.onmessage = (event: MessageEvent<PingWorkerReply>) =>
      this.#replies.shift()?.(event.data);
  }

  /** Connects the pinger's client to a raw WebSocket URL and waits for the server's greeting. */
  static async open(url: string): Promise<Pinger> {
    const pinger = new Pinger(new Worker(PING_WORKER, { type: "module", name: "pinger" }));
    const reply = await pinger.#ask({ kind: "open", url }, CONNECT_TIMEOUT_MS);
    if (reply.kind !== "opened") {
      pinger.close();
      throw new Error(reply.kind === "failed" ? reply.reason : "pinger did not connect");
    }
    return pinger;
  }

  /** Starts pinging (at most 100,000 pings are kept). */
  start(everyMs = 20): void {
    this.#worker.postMessage({ kind: "start", everyMs } satisfies PingWorkerRequest);
  }

  /** Stops pinging and waits (at most `waitMs`) for the outstanding pongs; returns how many never came. */
  async stop(waitMs = 3000): Promise<number> {
    const reply = await this.#ask({ kind: "stop", waitMs }, waitMs + 5000);
    if (reply.kind !== "stopped") return 0;
    this.#pings = reply.pings;
    return reply.unanswered;
  }

  /** Round trips of the pings sent in [from, to] (performance.now() times); unanswered ones are Infinity. */
  rtts(from = 0, to = Number.POSITIVE_INFINITY): number[] {
    const origin = performance.timeOrigin;
    return this.#pings
      .filter((ping) => ping.sentAt - origin >= from && ping.sentAt - origin <= to)
      .map((ping) => ping.rtt ?? Number.POSITIVE_INFINITY);
  }

  close(): void {
    this.#worker.postMessage({ kind: "close" } satisfies PingWorkerRequest);
    setTimeout(() => this.#worker.terminate(), 500);
  }

  #ask(request: PingWorkerRequest, timeoutMs: number): Promise<PingWorkerReply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`pinger: no reply to ${request.kind}`)),
        timeoutMs,
      );
      this.#replies.push((reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.#worker.postMessage(request);
    });
  }
}
