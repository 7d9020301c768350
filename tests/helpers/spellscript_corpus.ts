/**
 * The SpellScript corpora (tests/fixtures/spellscript/): bypass spells that must be refused at a
 * marked line, and legit spells that must build.
 * @module
 */
import assert from "node:assert/strict";

const CORPUS = new URL("../fixtures/spellscript/", import.meta.url);

/** Every `.gd` file of a corpus folder, sorted by name, with its text. */
export function corpus(folder: "bypass" | "legit"): { name: string; source: string }[] {
  const dir = new URL(`${folder}/`, CORPUS);
  return [...Deno.readDirSync(dir)]
    .filter((entry) => entry.name.endsWith(".gd"))
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({ name, source: Deno.readTextFileSync(new URL(name, dir)) }));
}

/** A bypass spell's first line: `# refused: line N: <what the reason mentions>`. */
export function expectation(source: string): { line: number; fragment: string } {
  const match = /^# refused: line (\d+): (.*)$/m.exec(source);
  assert.ok(match, "bypass spells start with # refused: line N: …");
  return { line: Number(match[1]), fragment: match[2]! };
}
