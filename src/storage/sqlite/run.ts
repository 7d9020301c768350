/** How a store method reaches the database: through the transaction gate, or directly. */
export type Run = <T>(call: () => T) => Promise<T>;

/** Runs `call` now (inside a unit of work, which owns the database until it ends). */
export const runNow: Run = <T>(call: () => T): Promise<T> => {
  try {
    return Promise.resolve(call());
  } catch (error) {
    return Promise.reject(error);
  }
};
