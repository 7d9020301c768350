/**
 * How a database begins, commits and rolls back a transaction (all synchronous). `rollback` must
 * be safe to call when the database already rolled back by itself.
 */
export interface TransactionHooks {
  begin(): void;
  commit(): void;
  rollback(): void;
}

/**
 * Serialises a synchronous database behind async store methods. With no unit of work open, a call
 * runs at once (a resolved promise: no extra turn). While one is open (its body awaits between
 * statements), other callers' calls wait and run, in order, after it commits or rolls back: they
 * never read its uncommitted writes nor land inside it. Units of work run one at a time.
 */
export class TransactionGate {
  #open = false;
  #waiting: (() => void)[] = [];

  /** Runs `call` now, or after the open unit of work (and whatever waited before it). */
  run<T>(call: () => T): Promise<T> {
    if (!this.#open && this.#waiting.length === 0) {
      try {
        return Promise.resolve(call());
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push(() => {
        try {
          resolve(call());
        } catch (error) {
          reject(error);
        }
      });
    });
  }

  /** Runs `body` as one transaction, after the units of work and calls that were first. */
  async transaction<T>(hooks: TransactionHooks, body: () => Promise<T>): Promise<T> {
    if (this.#open || this.#waiting.length > 0) {
      // Our turn is handed over by `#drain`, which marks the gate open before anyone else runs.
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
      hooks.begin();
      try {
        const result = await body();
        hooks.commit();
        return result;
      } catch (error) {
        hooks.rollback(); // a failed COMMIT (a full disk) rolls back too
        throw error;
      }
    } finally {
      this.#open = false;
      this.#drain();
    }
  }

  /** True while a unit of work is open. */
  get open(): boolean {
    return this.#open;
  }

  #drain(): void {
    while (!this.#open && this.#waiting.length > 0) this.#waiting.shift()!();
  }
}
