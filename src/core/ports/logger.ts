export type LogFields = Record<string, unknown>;

/** Structured logger: one record per call, with a scope per component (`src/log.ts` writes JSON lines). */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(scope: string): Logger;
}
