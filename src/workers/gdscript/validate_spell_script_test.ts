import assert from "node:assert/strict";
import { validateSpellScript } from "./mod.ts";

const SPELLS = new URL("../../../tests/fixtures/spells/", import.meta.url);

function readSpell(path: string): string {
  return Deno.readTextFileSync(new URL(path, SPELLS));
}

const CAST = "func on_cast(ctx: SpellContext) -> void:\n\tpass\n";
const spell = (body: string) => `extends SpellModule\n\n${body}`;

/** One file per rule under tests/fixtures/spells/bad/, with the line the report must point at. */
const BAD_FIXTURES: readonly { file: string; line: number; messageIncludes: string }[] = [
  { file: "empty.gd", line: 1, messageIncludes: "spell script is empty" },
  { file: "nul_byte.gd", line: 5, messageIncludes: "NUL byte" },
  { file: "extends_other.gd", line: 2, messageIncludes: "must extend SpellModule, not Node3D" },
  {
    file: "extends_not_first.gd",
    line: 3,
    messageIncludes: "extends SpellModule must be the first",
  },
  {
    file: "missing_on_cast.gd",
    line: 1,
    messageIncludes: "missing func on_cast(ctx: SpellContext)",
  },
  { file: "on_cast_in_comment.gd", line: 1, messageIncludes: "missing func on_cast" },
  { file: "on_cast_in_string.gd", line: 1, messageIncludes: "missing func on_cast" },
  { file: "on_cast_in_inner_class.gd", line: 1, messageIncludes: "missing func on_cast" },
  { file: "on_cast_wrong_params.gd", line: 4, messageIncludes: "on_cast must be declared as" },
  { file: "on_cast_no_return_type.gd", line: 4, messageIncludes: "-> void" },
  { file: "static_on_cast.gd", line: 4, messageIncludes: "must not be static" },
  { file: "on_tick_wrong_signature.gd", line: 8, messageIncludes: "dt: float) -> void" },
  { file: "on_event_wrong_type.gd", line: 8, messageIncludes: "event: Dictionary) -> void" },
  { file: "class_name.gd", line: 2, messageIncludes: "class_name is not allowed" },
  { file: "tool_annotation.gd", line: 3, messageIncludes: "@tool is not allowed" },
  { file: "init_required_arg.gd", line: 6, messageIncludes: "_init parameters" },
  { file: "duplicate_func.gd", line: 12, messageIncludes: "helper is defined twice" },
  { file: "uses_os.gd", line: 6, messageIncludes: "OS is not allowed" },
  { file: "uses_file_access.gd", line: 5, messageIncludes: "FileAccess is not allowed" },
  { file: "get_tree.gd", line: 6, messageIncludes: "get_tree() is not allowed" },
  { file: "dynamic_call.gd", line: 6, messageIncludes: ".call() is not allowed" },
  { file: "world_id.gd", line: 5, messageIncludes: "no world_id" },
  { file: "unterminated_string.gd", line: 5, messageIncludes: "unterminated string" },
  { file: "unterminated_triple_string.gd", line: 8, messageIncludes: "unterminated string" },
  { file: "unclosed_paren.gd", line: 5, messageIncludes: "unclosed '('" },
  { file: "mixed_indentation.gd", line: 9, messageIncludes: "tabs were used before" },
];

/** Scripts that must pass: each exercises a lexing or structure case a naive check gets wrong. */
const GOOD_SCRIPTS: readonly { name: string; source: string }[] = [
  { name: "tab indentation", source: spell(CAST) },
  {
    name: "space indentation",
    source: spell("func on_cast(ctx: SpellContext) -> void:\n    if ctx:\n        pass\n"),
  },
  { name: "\\r\\n line endings", source: readSpell("demo_spawn.gd").replaceAll("\n", "\r\n") },
  { name: "byte-order mark", source: "\uFEFF" + spell(CAST) },
  {
    name: "multi-line signature with trailing comma",
    source: spell("func on_cast(\n\tctx: SpellContext,\n) -> void:\n\tpass\n"),
  },
  {
    name: "on_tick with pass on the same line",
    source: spell(CAST + "func on_tick(ctx: SpellContext, dt: float) -> void: pass\n"),
  },
  {
    name: "strings containing class_name, OS.execute and #",
    source: spell(
      CAST + 'const A := "class_name Foo"\nconst B := \'OS.execute("x") # not a comment\'\n',
    ),
  },
  {
    name: "triple-quoted strings containing func on_cast",
    source: spell(
      `const T := """\nfunc on_cast(ctx: SpellContext) -> void:\n\tOS.kill(1)\n"""\n${CAST}`,
    ),
  },
  {
    name: "comments naming denied APIs",
    source: spell(CAST.replace("pass", "pass # never OS, FileAccess, get_tree() or .call()")),
  },
  { name: "_init without args", source: spell(CAST + "func _init() -> void:\n\tpass\n") },
  {
    name: "_init with defaults",
    source: spell(CAST + 'func _init(x := 1, y: String = "(") -> void:\n\tpass\n'),
  },
  { name: "annotations", source: spell("@export var speed := 2.0\n@onready var n := 1\n" + CAST) },
  {
    name: "static helper and typed return",
    source: spell(
      CAST + "static func helper(a: int) -> int:\n\treturn a\n\n\n" +
        "func many() -> Array[int]:\n\treturn []\n",
    ),
  },
  {
    name: "backslash continuations",
    source: spell("func on_cast(ctx: SpellContext) \\\n\t\t-> void:\n\tvar a := 1 + \\\n\t\t2\n"),
  },
  {
    name: "inner class with its own functions",
    source: spell(
      "class Helper:\n\tvar n := 0\n\tfunc on_cast(x) -> int:\n\t\treturn x\n\n\n" + CAST,
    ),
  },
  {
    name: "multi-line dictionary at top level",
    source: spell('var d := {"a": [1,\n\t(2)],\n}\n' + CAST),
  },
  {
    name: "Dictionary .get(",
    source: spell(CAST.replace("pass", 'var d := {"k": 1}\n\tprint(d.get("k", 0))')),
  },
  {
    name: "StringName, NodePath, raw strings and node paths",
    source: spell(
      CAST.replace(
        "pass",
        'var a := &"OS"\n\tvar b := ^"a/b"\n\tvar c := r"\\" OS"\n\tvar m := 7 % 2',
      ),
    ),
  },
  {
    name: "unicode identifiers",
    source: spell(CAST.replace("pass", "var café := 1\n\tvar 名前 := café")),
  },
  {
    name: "multi-line lambda assigned at top level",
    source: spell("var f := func(x):\n\treturn x\n\n\n" + CAST),
  },
  {
    name: "annotation with arguments before func",
    source: spell('@warning_ignore("unused_parameter")\n' + CAST),
  },
];

Deno.test("validateSpellScript", async (t) => {
  for (const file of ["demo_spark.gd", "demo_spawn.gd"]) {
    await t.step(`accepts ${file}`, () => {
      assert.deepEqual(validateSpellScript(readSpell(file)), { ok: true });
    });
  }

  for (const { file, line, messageIncludes } of BAD_FIXTURES) {
    await t.step(`rejects bad/${file} at line ${line}`, () => {
      const report = validateSpellScript(readSpell(`bad/${file}`));
      assert.equal(report.ok, false);
      if (report.ok) return;
      assert.equal(report.line, line, report.message);
      assert.ok(report.message.includes(messageIncludes), report.message);
      assert.doesNotMatch(report.message, /^line \d/i);
    });
  }

  await t.step("every bad fixture is in the table", () => {
    const files = [...Deno.readDirSync(new URL("bad/", SPELLS))].map((e) => e.name).sort();
    assert.deepEqual(files, BAD_FIXTURES.map((f) => f.file).sort());
  });

  for (const { name, source } of GOOD_SCRIPTS) {
    await t.step(`accepts ${name}`, () => {
      assert.deepEqual(validateSpellScript(source), { ok: true });
    });
  }

  await t.step("reports the earliest violation", () => {
    const source = spell(CAST.replace("pass", "OS.alarm()\n\tEngine.x()"));
    assert.deepEqual(validateSpellScript(source), {
      ok: false,
      line: 4,
      message: "OS is not allowed in spells",
    });
  });

  await t.step("names a SpellContext parameter whatever it is called", () => {
    const source = spell("func on_cast(c: SpellContext) -> void:\n\tprint(c.world_id)\n");
    assert.deepEqual(validateSpellScript(source), {
      ok: false,
      line: 4,
      message: "c.world_id does not exist: SpellContext has no world_id",
    });
  });

  await t.step("validates 48 KB in well under 5 ms once warm", () => {
    const source = largeSpell(48 * 1024);
    assert.deepEqual(validateSpellScript(source), { ok: true });
    const times = Array.from({ length: 7 }, () => {
      const start = performance.now();
      validateSpellScript(source);
      return performance.now() - start;
    });
    assert.ok(Math.min(...times) < 5, `best of 7 runs: ${Math.min(...times).toFixed(2)} ms`);
  });

  await t.step("runs inside a Web Worker", async () => {
    const moduleUrl = new URL("./mod.ts", import.meta.url).href;
    const code = `import { validateSpellScript } from ${JSON.stringify(moduleUrl)};
      self.onmessage = (e) => self.postMessage(validateSpellScript(e.data));`;
    const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
    const worker = new Worker(url, { type: "module" });
    try {
      const reply = new Promise((resolve) => worker.onmessage = (e) => resolve(e.data));
      worker.postMessage(readSpell("demo_spawn.gd"));
      assert.deepEqual(await reply, { ok: true });
    } finally {
      worker.terminate();
      URL.revokeObjectURL(url);
    }
  });
});

/** A valid spell of at least `size` characters made of renamed copies of the demo's helpers. */
function largeSpell(size: number): string {
  const demo = readSpell("demo_spawn.gd");
  const body = demo.slice(demo.indexOf("func get_manifest"), demo.indexOf("func on_tick"));
  let source = spell(CAST);
  for (let i = 0; source.length < size; i++) {
    source += "\n\n" + body.replace(/func (\w+)/g, `func $1_${i}`);
  }
  return source;
}
