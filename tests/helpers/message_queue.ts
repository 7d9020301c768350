export type Message = Record<string, unknown> & { type: string };

/**
 * Received messages in arrival order, with `next(type)` that waits for the first unconsumed one of
 * a type. Both test clients use it, so raw and Socket.IO tests read the same way.
 */
export class MessageQueue {
  #items: Message[] = [];
  #waiters: { match: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  /** Every message ever received, consumed or not. */
  readonly all: Message[] = [];

  push(message: Message): void {
    this.all.push(message);
    const waiter = this.#waiters.find((w) => w.match(message));
    if (waiter) {
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve(message);
    } else {
      this.#items.push(message);
    }
  }

  /** The next message of `type` (or of any of several types) matching `where`, waiting up to `timeoutMs`. */
  next(
    type: string | string[],
    options: { where?: (m: Message) => boolean; timeoutMs?: number } = {},
  ): Promise<Message> {
    const types = Array.isArray(type) ? type : [type];
    const match = (m: Message) => types.includes(m.type) && (options.where?.(m) ?? true);
    const index = this.#items.findIndex(match);
    if (index >= 0) return Promise.resolve(this.#items.splice(index, 1)[0]!);
    const timeoutMs = options.timeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (m: Message) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        const seen = this.all.map((m) => m.type).slice(-20).join(", ");
        reject(
          new Error(`timed out after ${timeoutMs} ms waiting for "${type}"; last seen: ${seen}`),
        );
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** Unconsumed messages of a type (removes them). */
  drain(type: string): Message[] {
    const taken = this.#items.filter((m) => m.type === type);
    this.#items = this.#items.filter((m) => m.type !== type);
    return taken;
  }

  /** True if a message of the type arrived and was not consumed. */
  has(type: string): boolean {
    return this.#items.some((m) => m.type === type);
  }
}
