import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { isStorageFull } from "./storage_errors.ts";

Deno.test("isStorageFull() knows SQLITE_FULL, ENOSPC and EDQUOT, and nothing else", () => {
  const sqlite = Object.assign(new Error("database or disk is full"), { errcode: 13 });
  const enospc = Object.assign(new Error("No space left on device (os error 28)"), {
    code: "ENOSPC",
  });
  const edquot = Object.assign(new Error("Disk quota exceeded (os error 122)"), { code: "EDQUOT" });
  assert.ok(isStorageFull(sqlite));
  assert.ok(isStorageFull(enospc));
  assert.ok(isStorageFull(edquot));
  assert.ok(isStorageFull(new Error("could not save", { cause: enospc })));
  const db = new DatabaseSync(":memory:");
  try {
    db.exec("SELECT * FROM nowhere");
  } catch (error) {
    assert.equal(isStorageFull(error), false);
  }
  db.close();
  assert.equal(isStorageFull(new Error("boom")), false);
  assert.equal(isStorageFull("ENOSPC"), false);
});
