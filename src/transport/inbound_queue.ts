import { setImmediate } from "node:timers";

/**
 * A connection's received messages, handed on one per macrotask: between two of them every other
 * socket and timer gets its turn. engine.io delivers a long-polling POST (up to
 * MAX_PACKETS_PER_POLL packets) in one synchronous burst; without this, all its handlers ran in
 * one unbroken stretch. The raw protocol gets the same pacing from `ws` itself.
 */
export class InboundQueue<T> {
  #items: T[] = [];
  #scheduled = false;
  #stopped = false;
  #run: (item: T) => void;
  #limit: number;
  #onOverflow: () => void;

  /**
   * `run` handles one item; more than `limit` items waiting means the peer sends faster than it
   * can be served — a flood, not a player — and `onOverflow` is called once instead.
   */
  constructor(options: { run: (item: T) => void; limit: number; onOverflow: () => void }) {
    this.#run = options.run;
    this.#limit = options.limit;
    this.#onOverflow = options.onOverflow;
  }

  get size(): number {
    return this.#items.length;
  }

  push(item: T): void {
    if (this.#stopped) return;
    if (this.#items.length >= this.#limit) {
      this.stop();
      this.#onOverflow();
      return;
    }
    this.#items.push(item);
    if (!this.#scheduled) this.#next();
  }

  /** Drops what waits and takes nothing more (the connection is gone). */
  stop(): void {
    this.#stopped = true;
    this.#items = [];
  }

  /** Runs the oldest item now and the next one a macrotask later: a message arriving alone is not delayed. */
  #next = (): void => {
    const item = this.#items.shift();
    if (item === undefined || this.#stopped) {
      this.#scheduled = false;
      return;
    }
    this.#scheduled = true;
    setImmediate(this.#next);
    this.#run(item);
  };
}
