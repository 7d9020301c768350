import type {
  ConnectionControl,
  ConnectionSelector,
  ConnectionSummary,
} from "../../core/ports/connection_control.ts";
import type { LocalConnectionControl } from "../local_connection_control.ts";
import type { RedisClient } from "./redis_client.ts";

/** The pub/sub channel of operator orders (kick, ban, revoke, world delete). */
export const CONTROL_CHANNEL = "ugc:control";
const NODES_KEY = "ugc:connections:nodes";
const nodeKey = (nodeId: string) => `ugc:connections:node:${nodeId}`;
const MAX_CODE = 4999;
const MAX_TEXT = 1000;

type Order =
  | { from: string; op: "close"; selector: ConnectionSelector; code: number; reason: string }
  | { from: string; op: "leave"; world: string }
  | { from: string; op: "bans" };

/**
 * Connection control across a cluster. An order (close, leave a world, bans changed) is applied to this node's sessions at
 * once and published on `ugc:control`; every other node applies it to its own sessions (a node
 * ignores its own orders when they come back). A node that is not subscribed when the order goes
 * out (Redis down, or restarting) misses it; a ban or revoke still refuses the connection's next
 * authentication there.
 *
 * The listing: every node keeps a summary of its sessions in a Redis hash (`ugc:connections:node:
 * <id>`, one field per session, at most MAX_CONNECTIONS of them) that expires after `ttlMs`; it is
 * rewritten shortly after a change and every `heartbeatMs`. `list` merges this node's live sessions
 * with every other live node's hash, each entry naming its `node_id`; a node that dies drops out
 * when its hash expires.
 */
export class RedisConnectionControl implements ConnectionControl {
  readonly nodeId: string;
  #publisher: RedisClient;
  #subscriber: RedisClient;
  #local: LocalConnectionControl;
  #heartbeatMs: number;
  #ttlMs: number;
  #maxListed: number;
  #onError: (error: unknown) => void;
  #timer: ReturnType<typeof setInterval> | undefined;
  #pushSoon: ReturnType<typeof setTimeout> | undefined;
  #pushing: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: {
    nodeId: string;
    publisher: RedisClient;
    subscriber: RedisClient;
    local: LocalConnectionControl;
    heartbeatMs: number;
    ttlMs: number;
    /** The most sessions this node lists (its MAX_CONNECTIONS). */
    maxListed: number;
    onError: (error: unknown) => void;
  }) {
    this.nodeId = options.nodeId;
    this.#publisher = options.publisher;
    this.#subscriber = options.subscriber;
    this.#local = options.local;
    this.#heartbeatMs = options.heartbeatMs;
    this.#ttlMs = options.ttlMs;
    this.#maxListed = options.maxListed;
    this.#onError = options.onError;
  }

  /** Subscribes to the control channel and publishes this node's listing; then every heartbeat. */
  async start(): Promise<void> {
    await this.#subscriber.subscribe(CONTROL_CHANNEL, (text: string) => this.#received(text));
    await this.#push().catch(this.#onError);
    this.#timer = setInterval(() => this.#pushNow(), this.#heartbeatMs);
  }

  /** Stops the heartbeat and removes this node's listing (a crash just lets it expire). */
  async stop(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#pushSoon) clearTimeout(this.#pushSoon);
    await this.#pushing;
    await this.#subscriber.unsubscribe(CONTROL_CHANNEL).catch(() => {});
    await this.#publisher.multi().del(nodeKey(this.nodeId)).sRem(NODES_KEY, this.nodeId).exec()
      .catch(() => {});
  }

  /** This node's sessions changed (one connected, left, entered a world): list it soon. */
  changed(): void {
    if (this.#closed) return;
    this.#pushSoon ??= setTimeout(() => {
      this.#pushSoon = undefined;
      this.#pushNow();
    }, 20);
  }

  async close(selector: ConnectionSelector, code: number, reason: string): Promise<void> {
    this.#local.closeHere(selector, code, reason);
    await this.#send({ from: this.nodeId, op: "close", selector, code, reason });
  }

  async leaveWorld(worldId: string): Promise<void> {
    this.#local.leaveWorldHere(worldId);
    await this.#send({ from: this.nodeId, op: "leave", world: worldId });
  }

  async bansChanged(): Promise<void> {
    this.#local.bansChangedHere();
    await this.#send({ from: this.nodeId, op: "bans" });
  }

  async list(): Promise<ConnectionSummary[]> {
    const out: ConnectionSummary[] = this.#local.summaries().map((entry) => ({
      ...entry,
      node_id: this.nodeId,
    }));
    const others = (await this.#publisher.sMembers(NODES_KEY)).filter((id) => id !== this.nodeId)
      .sort();
    for (const nodeId of others) {
      const fields = await this.#publisher.hGetAll(nodeKey(nodeId));
      const values = Object.values(fields);
      if (values.length === 0) {
        // Gone (its hash expired) or idle: it adds itself again with its next listing.
        await this.#publisher.sRem(NODES_KEY, nodeId);
        continue;
      }
      for (const value of values) {
        const entry = parseSummary(value);
        if (entry) out.push({ ...entry, node_id: nodeId });
      }
    }
    return out;
  }

  async #send(order: Order): Promise<void> {
    await this.#publisher.publish(CONTROL_CHANNEL, JSON.stringify(order));
  }

  #received(text: string): void {
    const order = parseOrder(text);
    if (!order || order.from === this.nodeId) return; // ours was applied when sent
    if (order.op === "close") this.#local.closeHere(order.selector, order.code, order.reason);
    else if (order.op === "leave") this.#local.leaveWorldHere(order.world);
    else this.#local.bansChangedHere();
  }

  #pushNow(): void {
    if (this.#closed) return;
    this.#pushing = this.#push().catch(this.#onError);
  }

  async #push(): Promise<void> {
    const fields: Record<string, string> = {};
    for (const entry of this.#local.summaries(this.#maxListed)) {
      fields[entry.session_id] = JSON.stringify(entry);
    }
    const key = nodeKey(this.nodeId);
    const write = this.#publisher.multi().del(key);
    if (Object.keys(fields).length > 0) {
      write.hSet(key, fields).pExpire(key, this.#ttlMs).sAdd(NODES_KEY, this.nodeId);
    }
    await write.exec();
  }
}

/** An order from the channel, checked field by field (anything else is ignored). */
export function parseOrder(text: string): Order | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || typeof value.from !== "string") return undefined;
  if (value.op === "leave") {
    return isText(value.world) ? { from: value.from, op: "leave", world: value.world } : undefined;
  }
  if (value.op === "bans") return { from: value.from, op: "bans" };
  if (value.op !== "close") return undefined;
  const { code, reason } = value;
  const selector = parseSelector(value.selector);
  if (
    !selector || typeof code !== "number" || !Number.isInteger(code) || code < 1000 ||
    code > MAX_CODE || !isText(reason)
  ) return undefined;
  return { from: value.from, op: "close", selector, code, reason };
}

function parseSelector(value: unknown): ConnectionSelector | undefined {
  if (!isRecord(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  if (isText(value.session)) return { session: value.session };
  if (isText(value.principal)) return { principal: value.principal };
  if (isText(value.address)) return { address: value.address };
  return undefined;
}

function parseSummary(text: string): ConnectionSummary | undefined {
  try {
    const value = JSON.parse(text);
    if (isRecord(value) && typeof value.session_id === "string" && isRecord(value.principal)) {
      return value as unknown as ConnectionSummary;
    }
  } catch {
    // not a listing entry: skipped
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isText(value: unknown): value is string {
  return typeof value === "string" && value.length <= MAX_TEXT;
}
