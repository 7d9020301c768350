/** How a store method reaches a network database: through the node's gate, or directly. */
export type AsyncRun = <T>(call: () => Promise<T>) => Promise<T>;

/** Runs `call` directly (inside a unit of work, which owns its transaction until it ends). */
export const runDirect: AsyncRun = (call) => call();

/**
 * The same promise as TransactionGate (src/storage/transaction_gate.ts), for an async database:
 * on this node, a call made while a unit of work is open waits until it commits or rolls back, and
 * units of work run one at a time. So a node's stores behave as the SQLite ones do (the contract
 * suites hold: a read that waited on a unit of work sees its outcome). Across nodes, Postgres's
 * own isolation orders them. Calls made with no unit of work open run at once, concurrently.
 */
export class AsyncGate {
  #open = false;
  #waiting: (() => void)[] = [];

  run<T>(call: () => Promise<T>): Promise<T> {
    if (!this.#open && this.#waiting.length === 0) return call();
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push(() => {
        call().then(resolve, reject);
      });
    });
  }

  async transaction<T>(body: () => Promise<T>): Promise<T> {
    if (this.#open || this.#waiting.length > 0) {
      await new Promise<void>((resolve) =>
        this.#waiting.push(() => {
          this.#open = true;
          resolve();
        })
      );
    } else {
      this.#open = true;
    }
    try {
      return await body();
    } finally {
      this.#open = false;
      this.#drain();
    }
  }

  #drain(): void {
    while (!this.#open && this.#waiting.length > 0) this.#waiting.shift()!();
  }
}
