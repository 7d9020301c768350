import assert from "node:assert/strict";
import { diffLines, diffStats } from "./diff.ts";

const render = (before: string, after: string) =>
  diffLines(before, after).map((line) =>
    `${line.kind === "same" ? " " : line.kind === "added" ? "+" : "-"}${line.oldLine ?? "."}:${
      line.newLine ?? "."
    } ${line.text}`
  );

Deno.test("diff: identical texts are all unchanged, numbered on both sides", () => {
  assert.deepEqual(render("a\nb", "a\nb"), [" 1:1 a", " 2:2 b"]);
});

Deno.test("diff: a changed line in the middle is removed then added, neighbours kept", () => {
  assert.deepEqual(render("a\nb\nc", "a\nB\nc"), [" 1:1 a", "-2:. b", "+.:2 B", " 3:3 c"]);
});

Deno.test("diff: insertions and deletions are aligned on the common lines", () => {
  const lines = diffLines("x\na\nb\nc\ny", "x\na\nnew\nb\ny\nz");
  assert.deepEqual(lines.map((line) => line.kind), [
    "same",
    "same",
    "added",
    "same",
    "removed",
    "same",
    "added",
  ]);
  assert.deepEqual(diffStats(lines), { added: 2, removed: 1 });
});

Deno.test("diff: from and to empty text", () => {
  assert.deepEqual(render("", "a\nb"), ["+.:1 a", "+.:2 b"]);
  assert.deepEqual(render("a", ""), ["-1:. a"]);
  assert.deepEqual(render("", ""), []);
});

Deno.test("diff: a change of line ending and of a hidden character show as changes", () => {
  assert.deepEqual(diffStats(diffLines("a\nb", "a\r\nb")), { added: 1, removed: 1 });
  assert.deepEqual(diffStats(diffLines("if ok:", "if ok:\u202e")), { added: 1, removed: 1 });
});

Deno.test("diff: a huge changed region falls back to removed-then-added without the table", () => {
  const before = Array.from({ length: 3000 }, (_, i) => `a${i}`).join("\n");
  const after = Array.from({ length: 3000 }, (_, i) => `b${i}`).join("\n");
  assert.deepEqual(diffStats(diffLines(before, after)), { added: 3000, removed: 3000 });
});
