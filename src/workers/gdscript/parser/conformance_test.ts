import assert from "node:assert/strict";
import { parseGdscript } from "./mod.ts";
import { realisticSpell } from "./testdata/realistic_spell.ts";

const here = new URL(".", import.meta.url);

function gdFiles(dir: URL): URL[] {
  return [...Deno.readDirSync(dir)]
    .filter((e) => e.isFile && e.name.endsWith(".gd"))
    .map((e) => new URL(e.name, dir))
    .sort((a, b) => a.href.localeCompare(b.href));
}

function assertParses(file: URL): void {
  const result = parseGdscript(Deno.readTextFileSync(file));
  assert.ok(result.ok, `${file.pathname}: ${JSON.stringify(!result.ok && result.errors)}`);
}

Deno.test("conformance: every script of the reference Godot client parses", () => {
  const files = gdFiles(new URL("testdata/godot_client/", here));
  assert.equal(files.length, 10);
  files.forEach(assertParses);
});

Deno.test("conformance: every spell fixture at the top of tests/fixtures/spells parses", () => {
  const files = gdFiles(new URL("../../../../tests/fixtures/spells/", here));
  assert.ok(files.length >= 2);
  files.forEach(assertParses);
});

Deno.test("conformance: the 48,000-byte benchmark spell parses", () => {
  const source = realisticSpell(48_000);
  assert.ok(source.length > 45_000);
  const result = parseGdscript(source);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
});

/**
 * Godot's own GDScript test scripts (godotengine/godot, modules/gdscript/tests/scripts), when
 * GODOT_GDSCRIPT_TESTS points at a copy. They are not in this repository. A script must fail to
 * parse exactly when its `.out` says GDTEST_PARSER_ERROR, with one of the messages it lists.
 * `completion/` is skipped: those scripts hold a cursor marker character on purpose.
 */
const godotTests = Deno.env.get("GODOT_GDSCRIPT_TESTS");

Deno.test({
  name: "conformance: Godot's own GDScript test scripts (set GODOT_GDSCRIPT_TESTS)",
  ignore: !godotTests,
  fn() {
    const root = godotTests!.replace(/\/$/, "");
    const failures: string[] = [];
    let count = 0;
    const visit = (dir: string) => {
      for (const entry of Deno.readDirSync(dir)) {
        const path = `${dir}/${entry.name}`;
        if (entry.isDirectory && entry.name !== "completion") visit(path);
        if (!entry.isFile || !entry.name.endsWith(".gd")) continue;
        count++;
        let expected: string[] = [];
        try {
          const out = Deno.readTextFileSync(path.replace(/\.gd$/, ".out"));
          if (out.startsWith("GDTEST_PARSER_ERROR")) {
            expected = out.split("\n").slice(1).filter(Boolean);
          }
        } catch {
          // No .out: the script only has to parse.
        }
        const result = parseGdscript(Deno.readTextFileSync(path));
        const name = path.slice(root.length + 1);
        if (expected.length === 0 && !result.ok) {
          failures.push(`${name}: ${result.errors[0]?.message}`);
        }
        if (expected.length > 0) {
          const got = result.ok ? [] : result.errors.map((e) => e.message);
          if (!expected.some((m) => got.includes(m))) {
            failures.push(`${name}: expected ${expected[0]}, got ${got[0] ?? "no error"}`);
          }
        }
      }
    };
    visit(root);
    assert.ok(count > 100, `only ${count} scripts under ${root}`);
    assert.deepEqual(failures, []);
  },
});
