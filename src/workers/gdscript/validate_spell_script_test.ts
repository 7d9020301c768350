import assert from "node:assert/strict";
import { describeViolations, validateSpellScript } from "./mod.ts";

const SPELLS = new URL("../../../tests/fixtures/spells/", import.meta.url);

function readSpell(path: string): string {
  return Deno.readTextFileSync(new URL(path, SPELLS));
}

const CAST = "func on_cast(ctx: SpellContext) -> void:\n\tpass\n";
const spell = (body: string) => `extends SpellModule\n\n${body}`;

/** One file per structural rule under tests/fixtures/spells/bad/, with where the report points. */
const BAD_FIXTURES: readonly { file: string; line: number; messageIncludes: string }[] = [
  { file: "empty.gd", line: 1, messageIncludes: "spell script is empty" },
  { file: "nul_byte.gd", line: 5, messageIncludes: "U+0000" },
  { file: "extends_other.gd", line: 2, messageIncludes: "must extend SpellModule, not Node3D" },
  { file: "extends_not_first.gd", line: 4, messageIncludes: '"extends"' },
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
  { file: "class_name.gd", line: 2, messageIncludes: "class_name is not part of SpellScript" },
  { file: "tool_annotation.gd", line: 3, messageIncludes: "@tool" },
  { file: "init_required_arg.gd", line: 6, messageIncludes: "_init parameters" },
  { file: "duplicate_func.gd", line: 12, messageIncludes: '"helper"' },
  { file: "uses_os.gd", line: 6, messageIncludes: "OS is not part of the SpellScript API" },
  {
    file: "uses_file_access.gd",
    line: 5,
    messageIncludes: "FileAccess is not part of the SpellScript API",
  },
  { file: "get_tree.gd", line: 6, messageIncludes: "get_tree is not part of the SpellScript API" },
  { file: "dynamic_call.gd", line: 6, messageIncludes: "call is not part of the SpellScript API" },
  {
    file: "world_id.gd",
    line: 5,
    messageIncludes: "SpellContext.world_id is not part of the SpellScript API",
  },
  { file: "unterminated_string.gd", line: 5, messageIncludes: "Unterminated string" },
  { file: "unterminated_triple_string.gd", line: 8, messageIncludes: "Unterminated string" },
  { file: "unclosed_paren.gd", line: 6, messageIncludes: 'closing ")"' },
  { file: "mixed_indentation.gd", line: 9, messageIncludes: "indentation" },
];

/** Scripts that must pass: lexing and structure cases a naive check gets wrong. */
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
    name: "comments naming refused APIs",
    source: spell(CAST.replace("pass", "pass # never OS, FileAccess, get_tree() or .call()")),
  },
  { name: "_init without args", source: spell(CAST + "func _init() -> void:\n\tpass\n") },
  {
    name: "_init with defaults",
    source: spell(CAST + 'func _init(x := 1, y: String = "(") -> void:\n\tpass\n'),
  },
  {
    name: "@warning_ignore on a function",
    source: spell('@warning_ignore("unused_parameter")\n' + CAST),
  },
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
    name: "multi-line dictionary at top level",
    source: spell('var d := {"a": [1,\n\t(2)],\n}\n' + CAST),
  },
  {
    name: "Dictionary .get(",
    source: spell(CAST.replace("pass", 'var d := {"k": 1}\n\tprint(d.get("k", 0))')),
  },
  {
    name: "StringName and raw strings",
    source: spell(CAST.replace("pass", 'var a := &"OS"\n\tvar c := r"\\" OS"\n\tvar m := 7 % 2')),
  },
  {
    name: "a lambda held by a member variable",
    source: spell("var f := func(x):\n\treturn x\n\n\n" + CAST),
  },
];

/** Constructs the old validator let through and the subset refuses, with the reason. */
const REFUSED_NOW: readonly { name: string; source: string; messageIncludes: string }[] = [
  {
    name: "@export and @onready",
    source: spell("@export var speed := 2.0\n" + CAST),
    messageIncludes: "@export is not part of the SpellScript API",
  },
  {
    name: "unicode identifiers",
    source: spell(CAST.replace("pass", "var café := 1")),
    messageIncludes: "non-ASCII",
  },
  {
    name: "inner classes",
    source: spell("class Helper:\n\tvar n := 0\n\n\n" + CAST),
    messageIncludes: "inner classes",
  },
  {
    name: "NodePath literals",
    source: spell(CAST.replace("pass", 'var b := ^"a/b"')),
    messageIncludes: "NodePath",
  },
];

Deno.test("validateSpellScript", async (t) => {
  for (const file of ["demo_spark.gd", "demo_spawn.gd"]) {
    await t.step(`accepts ${file}`, () => {
      const report = validateSpellScript(readSpell(file));
      assert.equal(report.ok, true, JSON.stringify(report));
    });
  }

  await t.step("reports the capabilities a spell uses, sorted", () => {
    assert.deepEqual(validateSpellScript(readSpell("demo_spawn.gd")), {
      ok: true,
      capabilities: ["spawn", "vfx"],
    });
    assert.deepEqual(validateSpellScript(spell(CAST)), { ok: true, capabilities: [] });
  });

  for (const { file, line, messageIncludes } of BAD_FIXTURES) {
    await t.step(`rejects bad/${file} at line ${line}`, () => {
      const report = validateSpellScript(readSpell(`bad/${file}`));
      assert.equal(report.ok, false);
      if (report.ok) return;
      const [first] = report.violations;
      assert.equal(first?.line, line, describeViolations(report.violations));
      assert.ok(first.message.includes(messageIncludes), first.message);
      assert.doesNotMatch(first.message, /^line \d/i);
    });
  }

  await t.step("every bad fixture is in the table", () => {
    const files = [...Deno.readDirSync(new URL("bad/", SPELLS))].map((e) => e.name).sort();
    assert.deepEqual(files, BAD_FIXTURES.map((f) => f.file).sort());
  });

  for (const { name, source } of GOOD_SCRIPTS) {
    await t.step(`accepts ${name}`, () => {
      const report = validateSpellScript(source);
      assert.equal(report.ok, true, report.ok ? "" : describeViolations(report.violations));
    });
  }

  for (const { name, source, messageIncludes } of REFUSED_NOW) {
    await t.step(`refuses ${name}`, () => {
      const report = validateSpellScript(source);
      assert.equal(report.ok, false);
      if (!report.ok) {
        assert.match(describeViolations(report.violations), new RegExp(messageIncludes));
      }
    });
  }

  await t.step("reports every violation in source order; the build message shows five", () => {
    const body = Array.from({ length: 7 }, (_, i) => `OS.alarm(${i})`).join("\n\t");
    const report = validateSpellScript(spell(CAST.replace("pass", body)));
    assert.equal(report.ok, false);
    if (report.ok) return;
    assert.deepEqual(report.violations.map((v) => v.line), [4, 5, 6, 7, 8, 9, 10]);
    const message = describeViolations(report.violations);
    assert.match(message, /^line 4:2: OS is not part of the SpellScript API: .*; line 5:2: /);
    assert.equal(message.match(/line \d+:\d+:/g)?.length, 5);
    assert.match(message, /\(and 2 more\)$/);
  });

  await t.step("a refused capability names itself and its line", () => {
    const report = validateSpellScript(readSpell("demo_spawn.gd"), { capabilities: ["vfx"] });
    assert.equal(report.ok, false);
    if (report.ok) return;
    assert.equal(report.violations.length, 1);
    assert.equal(report.violations[0]!.line, 34);
    assert.match(report.violations[0]!.message, /needs the capability "spawn"/);
  });

  await t.step("the iteration limit is the caller's", () => {
    const source = spell(
      "func on_cast(ctx: SpellContext) -> void:\n\tfor i in range(100):\n\t\tpass\n",
    );
    assert.equal(validateSpellScript(source).ok, true);
    const report = validateSpellScript(source, { maxIterations: 50 });
    assert.equal(report.ok, false);
    if (!report.ok) assert.match(report.violations[0]!.message, /at most 50 times.*up to 100/);
  });

  await t.step("never throws, even on input nested past the parser's limits", () => {
    for (
      const source of [
        spell(CAST.replace("pass", `var x = ${"(".repeat(5000)}1${")".repeat(5000)}`)),
        spell(CAST.replace("pass", `var x = 1${" + 1".repeat(20000)}`)),
        spell(CAST.replace("pass", `var x = ${"[".repeat(3000)}${"]".repeat(3000)}`)),
        "\0\0\0",
        "",
      ]
    ) {
      const report = validateSpellScript(source);
      assert.equal(typeof report.ok, "boolean");
    }
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
      assert.deepEqual(await reply, { ok: true, capabilities: ["spawn", "vfx"] });
    } finally {
      worker.terminate();
      URL.revokeObjectURL(url);
    }
  });
});
