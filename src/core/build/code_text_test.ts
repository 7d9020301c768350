import assert from "node:assert/strict";
import { findControlCharacter } from "./code_text.ts";

Deno.test("findControlCharacter() allows tab, CR and LF and names anything else with its line", () => {
  assert.equal(findControlCharacter("extends SpellModule\r\n\tpass\n"), undefined);
  assert.equal(findControlCharacter("é ü 漢字 🙂"), undefined);
  assert.deepEqual(findControlCharacter("a\nb\n\u0000"), { codePoint: "U+0000", line: 3 });
  assert.deepEqual(findControlCharacter("\u001b[31m"), { codePoint: "U+001B", line: 1 });
  assert.deepEqual(findControlCharacter("x\n\u007f"), { codePoint: "U+007F", line: 2 });
  assert.deepEqual(findControlCharacter("\n\n\u0085"), { codePoint: "U+0085", line: 3 });
  assert.deepEqual(findControlCharacter("\u000c"), { codePoint: "U+000C", line: 1 });
  assert.equal(findControlCharacter("\u00a0"), undefined); // no-break space is text
});
