import assert from "node:assert/strict";
import { ConfigError, parseConfig, redactUrl } from "./config.ts";

const TOKEN = "t".repeat(40);

Deno.test("config: without DATABASE_URL and REDIS_URL, one node on SQLite (nothing changes)", () => {
  const config = parseConfig([], {});
  assert.equal(config.databaseUrl, "");
  assert.equal(config.redisUrl, "");
});

Deno.test("config: cluster options parse; REDIS_URL alone is refused with a message that says why", () => {
  const config = parseConfig(["--node-id", "node-a"], {
    DATABASE_URL: "postgres://ugc:secret@db:5432/ugc",
    REDIS_URL: "redis://cache:6379",
    ADMIN_TOKEN: TOKEN,
    JOB_LEASE_MS: "5000",
  });
  assert.equal(config.databaseUrl, "postgres://ugc:secret@db:5432/ugc");
  assert.equal(config.redisUrl, "redis://cache:6379");
  assert.equal(config.nodeId, "node-a");
  assert.equal(config.jobLeaseMs, 5000);
  // DATABASE_URL alone: one node on Postgres with the in-process bus.
  assert.equal(parseConfig([], { DATABASE_URL: "postgresql://db/ugc" }).redisUrl, "");
  assert.throws(
    () => parseConfig([], { REDIS_URL: "redis://cache:6379" }),
    (error: Error) =>
      error instanceof ConfigError && /REDIS_URL needs DATABASE_URL/.test(error.message),
  );
});

Deno.test("config: a bad URL is refused without repeating it (it may hold a password)", () => {
  for (const value of ["mysql://u:hunter2@db/x", "not a url hunter2", "http://u:hunter2@db"]) {
    assert.throws(
      () => parseConfig([], { DATABASE_URL: value }),
      (error: Error) => error instanceof ConfigError && !error.message.includes("hunter2"),
    );
  }
  assert.throws(() =>
    parseConfig([], { DATABASE_URL: "postgres://db/x", REDIS_URL: "http://x", ADMIN_TOKEN: TOKEN })
  );
  // Several nodes must share one operator token.
  assert.throws(
    () => parseConfig([], { DATABASE_URL: "postgres://db/x", REDIS_URL: "redis://cache" }),
    /needs ADMIN_TOKEN/,
  );
  assert.throws(() => parseConfig(["--node-id", "a b"], {}), /NODE_ID/);
});

Deno.test("config: redactUrl keeps the host and database, never the user or password", () => {
  assert.equal(
    redactUrl("postgres://ugc:hunter2@db.internal:5432/ugc"),
    "postgres://db.internal:5432/ugc",
  );
  assert.equal(redactUrl("redis://:hunter2@cache:6379"), "redis://cache:6379");
  assert.equal(redactUrl("garbage hunter2"), "(invalid URL)");
});
