import assert from "node:assert/strict";
import { largeSpell } from "../../../../tests/helpers/large_spell.ts";
import { corpus, expectation } from "../../../../tests/helpers/spellscript_corpus.ts";
import { describeViolations, validateSpellScript } from "../mod.ts";

Deno.test("bypass corpus: every spell is refused at its marked line, for its reason", async (t) => {
  const spells = corpus("bypass");
  assert.ok(spells.length >= 60, `only ${spells.length} bypass spells`);
  for (const { name, source } of spells) {
    await t.step(name, () => {
      const { line, fragment } = expectation(source);
      const report = validateSpellScript(source);
      assert.equal(report.ok, false, `${name} was accepted`);
      if (report.ok) return;
      const first = report.violations[0]!;
      assert.equal(first.line, line, describeViolations(report.violations));
      assert.ok(first.message.includes(fragment), `${first.message} (wanted "${fragment}")`);
    });
  }
});

Deno.test("legit corpus: every realistic spell verifies", async (t) => {
  const spells = corpus("legit");
  assert.ok(spells.length >= 20, `only ${spells.length} legit spells`);
  for (const { name, source } of spells) {
    await t.step(name, () => {
      const report = validateSpellScript(source);
      assert.equal(report.ok, true, report.ok ? "" : describeViolations(report.violations));
    });
  }
});

const cast = (body: string, members = "") =>
  `extends SpellModule\n\n${members}\nfunc on_cast(ctx: SpellContext) -> void:\n${
    body.split("\n").map((line) => `\t${line}`).join("\n")
  }\n`;

function refused(source: string): string {
  const report = validateSpellScript(source);
  assert.equal(report.ok, false, "accepted:\n" + source);
  return report.ok ? "" : describeViolations(report.violations, 99);
}

function accepted(source: string): void {
  const report = validateSpellScript(source);
  assert.equal(
    report.ok,
    true,
    report.ok ? "" : describeViolations(report.violations) + "\n" + source,
  );
}

Deno.test("types: members are allowed by the value's type, never on an unknown value", () => {
  accepted(cast('var d: Dictionary = ctx.params\nprint(d.get("k", 0))'));
  assert.match(refused(cast('var d = ctx.params.get("inner")\nprint(d.get("k"))')), /unknown type/);
  // Flow-insensitive: one assignment of something else anywhere makes the variable unknown.
  accepted(cast("var m = BoxMesh.new()\nm.size = Vector3.ONE"));
  assert.match(
    refused(cast('var m = BoxMesh.new()\nm.size = Vector3.ONE\nm = ctx.params.get("x")')),
    /\.size on a value of unknown type/,
  );
  // A typed variable only takes values the verifier knows have its type: release builds of
  // Godot do not check typed variables when the spell runs.
  assert.match(
    refused(cast('var m: BoxMesh = BoxMesh.new()\nm = ctx.params.get("x")\nm.size = Vector3.ONE')),
    /`m` is a BoxMesh, .* `as BoxMesh`/,
  );
  accepted(cast('var m: BoxMesh = BoxMesh.new()\nm = ctx.params.get("x") as BoxMesh'));
  // Casts and typed loop variables give types.
  assert.match(
    refused(
      cast(
        'for e: Dictionary in ctx.world.query_radius(ctx.target_position, 2.0):\n\tprint(e.get("id"))',
      ),
    ),
    /the loop variable `e` is a Dictionary/,
  );
  accepted(
    cast('var rows: Array[Dictionary] = [{}]\nfor e: Dictionary in rows:\n\tprint(e.get("id"))'),
  );
  accepted(cast('var x = ctx.params.get("d")\nprint((x as Dictionary).keys())'));
  // Members that exist in Godot but are not on the API are refused on known types too.
  assert.match(refused(cast("var t := Timer.new()\nt.get_parent()")), /get_parent/);
  assert.match(refused(cast("var t := Timer.new()\nt.process_mode = 0")), /Timer\.process_mode/);
});

Deno.test("inherited members: only SpellModule's, never RefCounted's or Object's", () => {
  accepted(cast('print(get_param(ctx, "power", 1))\nprint(self.has_asset(ctx, "assets/x.png"))'));
  for (const member of ["get_class()", 'is_class("Node")', "reference()", "get_instance_id()"]) {
    assert.match(refused(cast(`print(${member})`)), /is not part of the SpellScript API/, member);
  }
});

Deno.test("loops: bounds fold to constants, clamps bound them, products of nests count", () => {
  accepted(cast("const N := 16\nfor i in range(N * 2):\n\tpass"));
  accepted(cast('var n := int(ctx.params.get("n", 4))\nfor i in range(mini(n, 64)):\n\tpass'));
  accepted(
    cast(
      'for i in range(clampi(int(ctx.params.get("n", 4)), 0, 8)):\n\tfor j in range(i):\n\t\tpass',
    ),
  );
  assert.match(
    refused(cast("for i in range(64):\n\tfor j in range(64):\n\t\tfor k in range(2):\n\t\t\tpass")),
    /nested for loops .* up to 8192/,
  );
  assert.match(refused(cast('for i in range(int(ctx.params.get("n"))):\n\tpass')), /at most 4096/);
  assert.match(refused(cast("var r = range(10)")), /only be the iterable of a for loop/);
  assert.match(refused(cast('for c in "text":\n\tpass')), /for can only go over/);
  assert.match(refused(cast('for x in ctx.params.get("list"):\n\tpass')), /give the value a type/);
});

Deno.test("loops over a collection may not change it, even through aliases and calls", () => {
  accepted(cast("var a := [1, 2]\nvar b := []\nfor x in a:\n\tb.append(x)"));
  accepted(
    cast("var grid := [[1], [2]]\nfor row in grid:\n\tvar r := row as Array\n\tr.append(0)"),
  );
  assert.match(refused(cast("var a := [1]\nfor x in a:\n\ta.erase(x)")), /changes/);
  // map/filter/reduce/any/all/sort_custom walk their array like a for loop.
  accepted(cast("var a := [1]\nvar b := []\na.map(func(x): b.append(x))"));
  assert.match(refused(cast("var a := [1]\na.filter(func(x): a.push_back(x))")), /changes/);
  assert.match(refused(cast("var a := [1]\nvar b = a\nfor x in b:\n\ta.push_front(x)")), /changes/);
  assert.match(
    refused(cast("var a := [1]\nfor x in a:\n\t[0].map(func(y): a.append(y))")),
    /changes/,
  );
});

Deno.test("sizes: growth from itself once is linear and allowed; twice is refused", () => {
  const tick = (body: string, members: string) =>
    `extends SpellModule\n\n${members}\n\nfunc on_cast(ctx: SpellContext) -> void:\n\tpass\n\n\n` +
    `func on_tick(ctx: SpellContext, dt: float) -> void:\n\t${body}\n`;
  accepted(tick('trail += "x"', 'var trail := ""'));
  accepted(tick("trail = trail + str(dt)", 'var trail := ""'));
  accepted(tick("items.append(dt)", "var items := []"));
  accepted(tick("var copy := items.duplicate()\n\tprint(copy + items)", "var items := []"));
  assert.match(refused(tick("trail = trail + trail", 'var trail := ""')), /double in size/);
  assert.match(refused(tick("items += items", "var items := []")), /double in size/);
  assert.match(refused(tick("items.append(items)", "var items := []")), /double in size/);
  // Pieces and copies keep their origin: the first piece of s may be all of s.
  assert.match(refused(tick('s = s + s.split(",")[0]', 'var s := "x"')), /double in size/);
  assert.match(
    refused(tick("s = s + str(a.duplicate()[0])\n\ta.append(s)", 'var s := "x"\nvar a := []')),
    /double in size/,
  );
  assert.match(refused(tick('d["k"] = [d]', "var d := {}")), /double in size/);
  assert.match(
    refused(tick('trail = " ".join([trail, trail])', 'var trail := ""')),
    /double in size/,
  );
});

Deno.test("recursion: direct, mutual, through lambdas, callables and callbacks", () => {
  accepted(
    "extends SpellModule\n\nfunc on_cast(ctx: SpellContext) -> void:\n\thelper()\n\thelper()\n\n" +
      "func helper() -> void:\n\t[1].map(func(x): print(x))\n",
  );
  const message = refused(
    "extends SpellModule\n\nfunc on_cast(ctx: SpellContext) -> void:\n\ta()\n\n" +
      "func a() -> void:\n\tb()\n\nfunc b() -> void:\n\tvar t := Timer.new()\n\tt.timeout.connect(a)\n",
  );
  assert.match(message, /recursion: a runs b, b runs a/);
});

Deno.test("callables: only lambdas and the spell's functions reach the engine", () => {
  accepted(
    cast(
      "var t := Timer.new()\nt.one_shot = true\nvar cb := func(): print(1)\nt.timeout.connect(cb)",
    ),
  );
  accepted(cast("var t := Timer.new()\nt.one_shot = true\nt.timeout.connect(t.queue_free)"));
  assert.match(
    refused(cast('var t := Timer.new()\nt.timeout.connect(ctx.params.get("f"))')),
    /must be a lambda/,
  );
  assert.match(refused(cast("var f := func(): pass\nf.call()")), /call is not part/);
  assert.match(refused(cast("var f := func(): pass\nf()")), /spells cannot call function values/);
});

Deno.test("capabilities: reported sorted, refused by name when the server does not allow them", () => {
  const source = cast(
    'ctx.world.play_sound("s", ctx.target_position)\nctx.world.set_voxel(ctx.target_position, 1)',
  );
  assert.deepEqual(validateSpellScript(source), { ok: true, capabilities: ["sound", "voxel"] });
  const report = validateSpellScript(source, { capabilities: ["sound"] });
  assert.equal(report.ok, false);
  if (!report.ok) {
    assert.equal(report.violations.length, 1);
    assert.equal(report.violations[0]!.line, 6);
    assert.match(report.violations[0]!.message, /"voxel"/);
  }
  // A world method is never a function value (the engine could call it any number of times,
  // uncounted); a lambda that calls it needs its capability as a call does.
  assert.match(
    refused(
      cast(
        "var t := Timer.new()\nt.one_shot = true\n" +
          "t.timeout.connect(ctx.world.set_voxel.bind(Vector3.ZERO, 1))",
      ),
    ),
    /WorldAPIAdapter\.set_voxel cannot be a function value: each call makes objects or acts/,
  );
  assert.deepEqual(
    validateSpellScript(
      cast(
        "var t := Timer.new()\nt.one_shot = true\n" +
          "t.timeout.connect(func() -> void: ctx.world.set_voxel(Vector3.ZERO, 1))",
      ),
    ),
    { ok: true, capabilities: ["voxel"] },
  );
  // A method whose arguments are checked cannot be handed to the engine at all.
  assert.match(
    refused(
      cast('var t := Timer.new()\nt.timeout.connect(ctx.world.play_vfx.bind("x", Vector3.ZERO))'),
    ),
    /WorldAPIAdapter\.play_vfx cannot be a function value/,
  );
});

Deno.test("literal rules: asset paths, tween properties, option dictionaries, format strings", () => {
  accepted(
    cast('ctx.world.spawn_entity("assets/orb.tscn", Transform3D.IDENTITY, {"visible": true})'),
  );
  assert.match(
    refused(
      cast('ctx.world.spawn_entity("assets/orb.tscn", Transform3D.IDENTITY, {"owner": null})'),
    ),
    /may only have the keys/,
  );
  accepted(
    cast(
      'var m := MeshInstance3D.new()\nm.create_tween().tween_property(m, "global_position:x", 1.0, 1.0)',
    ),
  );
  assert.match(
    refused(
      cast('var m := MeshInstance3D.new()\nm.create_tween().tween_property(m, "name", "x", 1.0)'),
    ),
    /not an animatable property/,
  );
  assert.match(
    refused(
      cast(
        'var m := MeshInstance3D.new()\nm.create_tween().tween_property(m, "position:x:y", 1.0, 1.0)',
      ),
    ),
    /not an animatable property/,
  );
  accepted(cast('print("%08.3f|%-10s|%%" % [PI, "x"])'));
  assert.match(refused(cast('print("%65d" % 1)')), /format width of 65/);
  assert.match(refused(cast('print("%.100f" % 1.0)')), /format precision of 100/);
});

Deno.test("a 48,000-byte spell of realistic code verifies", () => {
  const source = largeSpell(48_000);
  assert.ok(source.length >= 45_000 && new TextEncoder().encode(source).length <= 48_000);
  const report = validateSpellScript(source);
  assert.equal(report.ok, true, report.ok ? "" : describeViolations(report.violations));
});
