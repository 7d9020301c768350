import assert from "node:assert/strict";
import { hasInvisible, splitInvisible } from "./text.ts";

Deno.test("text: an override at the very start is revealed, as are the ones after it", () => {
  const text = "\u202eexe.evil\u202c \u2066admin\u2069";
  // A check first must not make the split skip anything (a shared /g regex would).
  assert.equal(hasInvisible(text), true);
  assert.equal(hasInvisible(text), true);
  assert.deepEqual(splitInvisible(text), [
    { name: "RLO", code: "202E" },
    "exe.evil",
    { name: "PDF", code: "202C" },
    " ",
    { name: "LRI", code: "2066" },
    "admin",
    { name: "PDI", code: "2069" },
  ]);
});

Deno.test("text: plain text and markup are one string, untouched", () => {
  const text = `<img src=x onerror="alert(1)"> </script> \u202e`;
  assert.equal(hasInvisible("<img src=x>"), false);
  assert.deepEqual(splitInvisible("<img src=x>"), ["<img src=x>"]);
  assert.equal(splitInvisible(text).length, 2);
  assert.deepEqual(splitInvisible(""), []);
});

Deno.test("text: zero-width characters and a byte-order mark are revealed too", () => {
  assert.deepEqual(splitInvisible("a\u200bb\ufeff"), [
    "a",
    { name: "ZWSP", code: "200B" },
    "b",
    { name: "BOM", code: "FEFF" },
  ]);
});
