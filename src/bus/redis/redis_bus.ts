import type { Bus, BusSubscriber, Target } from "../../core/ports/bus.ts";
import { OutboundMessage } from "../../core/session.ts";
import type { RedisClient } from "./redis_client.ts";
import type { WorldSequencer } from "./world_sequencer.ts";

/** The one pub/sub channel of a cluster: every node hears every message once. */
export const BUS_CHANNEL = "ugc:bus";

/**
 * The Bus across nodes. A message goes out on Redis pub/sub as its frame (prepared once, never
 * re-encoded), tagged with its target and seq; every node rebuilds it with the same frame and hands
 * it to its LocalFanout. This node's own messages are delivered here at once, never waiting on
 * Redis; other nodes' arrive through the subscription.
 *
 * - `{world}` messages with a seq (ops, clears) go through the WorldSequencer on every node, so each
 *   node delivers a world's ops in seq order exactly once, filling gaps from Postgres.
 * - `{session}` messages are delivered here if the session is connected here, else sent on.
 * - `{all}` messages go everywhere, except those `localOnly` names (each node's world list is its
 *   own: every node builds it from Postgres and the summed presence).
 * - `signal(name)` sends a control record other nodes' `onSignal` receives (a world was created).
 *
 * Publishing never waits and never fails the caller: what is published in one turn goes as one
 * Redis message on the next; while Redis is down the commands are refused at once (the client's
 * offline queue is off) and counted, and after Redis is back the sequencer reads what was missed
 * from Postgres (`catchUp`), so no acknowledged op is lost — casts and other unsequenced messages
 * sent while Redis was down are (they are live effects, not state).
 */
export class RedisBus implements Bus {
  readonly nodeId: string;
  #publisher: RedisClient;
  #subscriber: RedisClient;
  #local: BusSubscriber;
  #sequencer: WorldSequencer;
  #isLocalSession: (sessionId: string) => boolean;
  #localOnly: (target: Target, message: OutboundMessage) => boolean;
  #onSignal: (name: string) => void;
  #outbox: string[] = [];
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  /** Redis messages that could not be published (Redis down). */
  dropped = 0;
  published = 0;

  constructor(options: {
    nodeId: string;
    publisher: RedisClient;
    subscriber: RedisClient;
    local: BusSubscriber;
    sequencer: WorldSequencer;
    isLocalSession: (sessionId: string) => boolean;
    localOnly?: (target: Target, message: OutboundMessage) => boolean;
    onSignal?: (name: string) => void;
  }) {
    this.nodeId = options.nodeId;
    this.#publisher = options.publisher;
    this.#subscriber = options.subscriber;
    this.#local = options.local;
    this.#sequencer = options.sequencer;
    this.#isLocalSession = options.isLocalSession;
    this.#localOnly = options.localOnly ?? (() => false);
    this.#onSignal = options.onSignal ?? (() => {});
  }

  /** Subscribes; resolves once this node hears the channel. */
  async start(): Promise<void> {
    await this.#subscriber.subscribe(BUS_CHANNEL, (text: string) => this.#received(text));
    // After a reconnect node-redis subscribes again; what was published meanwhile is read back.
    this.#subscriber.on("ready", () => this.#sequencer.catchUp());
  }

  publish(target: Target, message: OutboundMessage): void {
    if ("world" in target) {
      if (message.seq !== undefined) this.#sequencer.accept(target.world, message);
      else this.#local.deliver(target, message);
      this.#send(`w\t${target.world}\t${message.seq ?? ""}\t${message.frame}`);
    } else if ("session" in target) {
      if (this.#isLocalSession(target.session)) this.#local.deliver(target, message);
      else this.#send(`s\t${target.session}\t\t${message.frame}`);
    } else {
      this.#local.deliver(target, message);
      if (!this.#localOnly(target, message)) this.#send(`a\t\t\t${message.frame}`);
    }
  }

  /** Tells the other nodes something happened (see `onSignal`). */
  signal(name: string): void {
    this.#send(`c\t${name}\t\t`);
  }

  async close(): Promise<void> {
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    this.#flush();
    await this.#subscriber.unsubscribe(BUS_CHANNEL).catch(() => {});
  }

  #send(record: string): void {
    this.#outbox.push(record);
    this.#flushTimer ??= setTimeout(() => this.#flush(), 0);
  }

  #flush(): void {
    this.#flushTimer = undefined;
    if (this.#outbox.length === 0) return;
    const text = `${this.nodeId}\n${this.#outbox.join("\n")}`;
    this.#outbox = [];
    this.published++;
    // Never awaited on the request's path: an acknowledged op is already committed.
    this.#publisher.publish(BUS_CHANNEL, text).catch(() => {
      this.dropped++;
    });
  }

  #received(text: string): void {
    const lines = text.split("\n");
    if (lines[0] === this.nodeId) return; // our own: delivered when published
    for (let i = 1; i < lines.length; i++) {
      const [kind, id, seqText, frame] = splitRecord(lines[i]!);
      if (kind === "c") {
        this.#onSignal(id);
        continue;
      }
      let message: OutboundMessage;
      try {
        message = OutboundMessage.fromFrame(frame, seqText === "" ? undefined : Number(seqText));
      } catch {
        continue; // not ours: the channel is shared with nothing else, but never trust it
      }
      if (kind === "w") {
        if (message.seq !== undefined) this.#sequencer.accept(id, message);
        else this.#local.deliver({ world: id }, message);
      } else if (kind === "s") {
        this.#local.deliver({ session: id }, message);
      } else if (kind === "a") {
        this.#local.deliver({ all: true }, message);
      }
    }
  }
}

/** `kind \t id \t seq \t frame`; the frame may hold tabs only escaped (it is JSON). */
function splitRecord(line: string): [string, string, string, string] {
  const a = line.indexOf("\t");
  const b = line.indexOf("\t", a + 1);
  const c = line.indexOf("\t", b + 1);
  return [line.slice(0, a), line.slice(a + 1, b), line.slice(b + 1, c), line.slice(c + 1)];
}
