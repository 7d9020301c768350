import type { LogLevel } from "./config.ts";
import type { LogFields, Logger } from "./core/ports/logger.ts";

export type { LogFields, Logger };

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Creates a logger writing JSON lines through `write` (stderr in production, a buffer in tests). */
export function createLogger(
  options: { level: LogLevel; write: (line: string) => void; scope?: string },
): Logger {
  const threshold = LEVELS[options.level];
  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (LEVELS[level] < threshold) return;
    const record: LogFields = {
      ts: new Date().toISOString(),
      level,
      scope: options.scope ?? "server",
      msg,
    };
    if (fields) {
      for (const [key, value] of Object.entries(fields)) {
        record[key] = value instanceof Error
          ? { name: value.name, message: value.message, stack: value.stack }
          : value;
      }
    }
    options.write(JSON.stringify(record));
  };
  return {
    debug: (msg, fields) => emit("debug", msg, fields),
    info: (msg, fields) => emit("info", msg, fields),
    warn: (msg, fields) => emit("warn", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
    child: (scope) => createLogger({ ...options, scope }),
  };
}

/** A logger that drops everything (for tests that don't look at logs). */
export const silentLogger: Logger = createLogger({ level: "error", write: () => {} });
