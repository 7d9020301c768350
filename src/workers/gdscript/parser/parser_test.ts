import assert from "node:assert/strict";
import type * as A from "./ast.ts";
import { MAX_NESTING_DEPTH, parseGdscript, walk } from "./mod.ts";

// -- Helpers ---------------------------------------------------------------------------------

function parse(source: string): A.Script {
  const result = parseGdscript(source);
  if (!result.ok) {
    assert.fail(`expected to parse, got ${JSON.stringify(result.errors)}\n${source}`);
  }
  return result.script;
}

function fails(source: string): A.ParseError[] {
  const result = parseGdscript(source);
  assert.equal(result.ok, false, `expected a parse error:\n${source}`);
  return result.ok ? [] : result.errors;
}

function firstError(source: string): string {
  const [error] = fails(source);
  return `${error!.line}:${error!.col} ${error!.message}`;
}

/** The statements of `func f():` wrapping `body` (tab-indented lines). */
function statements(body: string): A.Statement[] {
  const script = parse(`func f():\n${body.split("\n").map((l) => `\t${l}`).join("\n")}\n`);
  const fn = script.body[0] as A.FuncDecl;
  return fn.body!;
}

/** The initializer of `var x = <source>`. */
function expression(source: string): A.Expression {
  return (parse(`var x = ${source}\n`).body[0] as A.VarDecl).value!;
}

function typeText(type: A.TypeRef): string {
  if (type.isVoid) return "void";
  const name = type.chain.map((i) => i.name).join(".");
  return type.elementTypes.length ? `${name}[${type.elementTypes.map(typeText).join(", ")}]` : name;
}

/** A compact S-expression of an expression, to check structure and precedence. */
function sx(e: A.Expression): string {
  switch (e.kind) {
    case "identifier":
      return e.name;
    case "number":
      return e.raw;
    case "string":
      return (e.stringKind === "string_name" ? "&" : e.stringKind === "node_path" ? "^" : "") +
        JSON.stringify(e.value);
    case "bool":
      return String(e.value);
    case "null":
      return "null";
    case "self":
      return "self";
    case "super":
      return e.method ? `super.${e.method.name}` : "super";
    case "unary":
      return `(${e.op} ${sx(e.operand)})`;
    case "binary":
      return `(${e.op} ${sx(e.left)} ${sx(e.right)})`;
    case "type_test":
      return `(${e.negated ? "is-not" : "is"} ${sx(e.operand)} ${typeText(e.type)})`;
    case "cast":
      return `(as ${sx(e.operand)} ${typeText(e.type)})`;
    case "ternary":
      return `(if ${sx(e.condition)} ${sx(e.whenTrue)} ${sx(e.whenFalse)})`;
    case "assignment":
      return `(${e.op} ${sx(e.target)} ${sx(e.value)})`;
    case "await":
      return `(await ${sx(e.operand)})`;
    case "call":
      return `(call ${[e.callee, ...e.args].map(sx).join(" ")})`;
    case "subscript":
      return `([] ${sx(e.base)} ${sx(e.index)})`;
    case "attribute":
      return `(. ${sx(e.base)} ${e.member.name})`;
    case "array":
      return `[${e.elements.map(sx).join(" ")}]`;
    case "dictionary":
      return `{${e.entries.map((en) => `${sx(en.key)}: ${sx(en.value)}`).join(", ")}}`;
    case "lambda":
      return `(func${e.name ? ` ${e.name.name}` : ""} ${e.params.length} ${e.body.length})`;
    case "get_node":
      return `${e.shorthand}{${e.path}}`;
    case "preload":
      return `(preload ${sx(e.path)})`;
  }
}

function nodesOfKind<K extends A.NodeKind>(root: A.Node, kind: K): Extract<A.Node, { kind: K }>[] {
  const found: A.Node[] = [];
  walk(root, (node) => {
    if (node.kind === kind) found.push(node);
  });
  return found as Extract<A.Node, { kind: K }>[];
}

// -- Script header and members ---------------------------------------------------------------

Deno.test("parseGdscript: script annotations, class_name and every extends form", () => {
  const script = parse('@tool\n@icon("res://i.svg")\nclass_name Foo extends "res://a.gd".Inner\n');
  assert.deepEqual(script.annotations.map((a) => a.name), ["tool", "icon"]);
  assert.equal(script.className?.name.name, "Foo");
  assert.equal(script.extends?.path?.value, "res://a.gd");
  assert.deepEqual(script.extends?.chain.map((i) => i.name), ["Inner"]);

  const dotted = parse("extends Outer.Inner.Deep\nclass_name Bar\n");
  assert.deepEqual(dotted.extends?.chain.map((i) => i.name), ["Outer", "Inner", "Deep"]);
  assert.equal(dotted.className?.name.name, "Bar");
  assert.equal(parse("extends SpellModule\n").extends?.path, null);
});

Deno.test("parseGdscript: extends and class_name only once and only at the top", () => {
  assert.equal(firstError("extends A\nextends B\n"), '2:1 "extends" can only be used once.');
  assert.equal(firstError("var x\nextends A\n"), '2:1 Unexpected "extends" in class body.');
  assert.equal(
    firstError("extends Node\n@tool\n"),
    '2:1 Annotation "@tool" must be at the top of the script, before "extends" and "class_name".',
  );
  assert.equal(
    firstError("extends 5\n"),
    '1:9 Only strings or identifiers can be used after "extends", found "int" instead.',
  );
});

Deno.test("parseGdscript: variables and constants, typed, inferred and static", () => {
  const script = parse(
    "var a\nvar b: int = 1\nvar c := 2.0\nstatic var d: Array[Vector3] = []\n" +
      'const E = 3\nconst F: Dictionary[String, int] = {}\nconst G := &"g"\n',
  );
  const [a, b, c, d] = script.body as A.VarDecl[];
  const [e, f, g] = script.body.slice(4) as A.ConstDecl[];
  assert.equal(a!.kind, "var");
  assert.equal(a!.value, null);
  assert.equal(typeText(b!.type!), "int");
  assert.equal(c!.inferred, true);
  assert.equal(c!.type, null);
  assert.equal(d!.isStatic, true);
  assert.equal(typeText(d!.type!), "Array[Vector3]");
  assert.equal(e!.kind, "const");
  assert.equal(typeText(f!.type!), "Dictionary[String, int]");
  assert.equal(g!.inferred, true);
  assert.equal(firstError("const A\n"), "1:8 Expected initializer after constant name.");
});

Deno.test("parseGdscript: property accessors, named and inline", () => {
  const named = parse("var x: int = 0: set = _set_x, get = _get_x\n").body[0] as A.VarDecl;
  assert.equal(named.property?.style, "named");
  assert.equal(named.property?.setterName?.name, "_set_x");
  assert.equal(named.property?.getterName?.name, "_get_x");

  const inline = parse(
    "var hp: int:\n\tget:\n\t\treturn _hp\n\tset(value):\n\t\t_hp = clamp(value, 0, 100)\n",
  ).body[0] as A.VarDecl;
  assert.equal(inline.property?.style, "inline");
  assert.equal(inline.property?.getter?.body[0]?.kind, "return");
  assert.equal(inline.property?.setter?.param.name, "value");
  assert.equal(inline.property?.setter?.body.length, 1);

  const getParens = parse("var y:\n\tget():\n\t\treturn 1\n").body[0] as A.VarDecl;
  assert.equal(getParens.property?.getter?.body.length, 1);
  assert.equal(
    firstError("var x: get:\n\treturn 1\n"),
    "1:11 Property with inline code must go to an indented block.",
  );
  assert.equal(
    firstError("var x:\n\tset(v):\n\t\tpass\n\tset(w):\n\t\tpass\n"),
    "4:2 Properties can only have one setter.",
  );
});

Deno.test("parseGdscript: functions with typed parameters, defaults, return types, static and rest", () => {
  const script = parse(
    "static func make(a: int, b := 2, c: float = 1.5, ...rest: Array) -> Vector3:\n\treturn Vector3()\n" +
      "func v() -> void:\n\tpass\n",
  );
  const make = script.body[0] as A.FuncDecl;
  assert.equal(make.isStatic, true);
  assert.deepEqual(make.params.map((p) => p.name.name), ["a", "b", "c"]);
  assert.equal(make.params[1]!.inferred, true);
  assert.equal(sx(make.params[2]!.default!), "1.5");
  assert.equal(make.restParam?.name.name, "rest");
  assert.equal(typeText(make.returnType!), "Vector3");
  assert.equal((script.body[1] as A.FuncDecl).returnType?.isVoid, true);
  assert.equal(make.line, 1);
  assert.equal(make.col, 1);
});

Deno.test("parseGdscript: function signature errors", () => {
  assert.equal(
    firstError("func f(a = 1, b):\n\tpass\n"),
    "1:16 Cannot have mandatory parameters after optional parameters.",
  );
  assert.equal(
    firstError("func f(a, a):\n\tpass\n"),
    '1:12 Parameter with name "a" was already declared for this function.',
  );
  assert.equal(firstError("func f()\n\tpass\n"), '1:9 Expected ":" after function declaration.');
  assert.equal(
    firstError("func _static_init():\n\tpass\n"),
    "1:20 Static constructor must be declared static.",
  );
  // A bodyless declaration is only valid when abstract.
  const abstract = parse("@abstract\nfunc f()\n").body[0] as A.FuncDecl;
  assert.equal(abstract.body, null);
  assert.deepEqual(abstract.annotations.map((a) => a.name), ["abstract"]);
});

Deno.test("parseGdscript: signals, enums and inner classes", () => {
  const script = parse(
    "signal hit\nsignal moved(from: Vector3, to)\nenum { A, B = 5 }\nenum Kind { FIRE = 1 << 2, ICE, }\n" +
      "class Inner extends RefCounted:\n\tvar n := 1\n\tfunc g():\n\t\treturn n\nclass Tiny: var t\n",
  );
  const [hit, moved, anon, kind, inner, tiny] = script.body;
  assert.deepEqual((hit as A.SignalDecl).params, []);
  assert.deepEqual((moved as A.SignalDecl).params.map((p) => p.name.name), ["from", "to"]);
  assert.equal((anon as A.EnumDecl).name, null);
  assert.equal(sx((anon as A.EnumDecl).values[1]!.value!), "5");
  assert.equal((kind as A.EnumDecl).name?.name, "Kind");
  assert.equal(sx((kind as A.EnumDecl).values[0]!.value!), "(<< 1 2)");
  assert.equal((kind as A.EnumDecl).values.length, 2);
  const cls = inner as A.ClassDecl;
  assert.deepEqual(cls.extends?.chain.map((i) => i.name), ["RefCounted"]);
  assert.deepEqual(cls.body.map((m) => m.kind), ["var", "func"]);
  assert.deepEqual((tiny as A.ClassDecl).body.map((m) => m.kind), ["var"]);
  assert.equal(
    firstError("signal s(a = 1)\n"),
    "1:15 Signal parameters cannot have a default value.",
  );
  assert.equal(
    firstError("enum E { A, A }\n"),
    '1:13 Name "A" was already in this enum (at line 1).',
  );
});

Deno.test("parseGdscript: two members with one name are refused, as Godot does", () => {
  assert.equal(
    firstError("func f():\n\tpass\nvar f\n"),
    '3:5 Variable "f" has the same name as a previously declared function.',
  );
  assert.equal(
    firstError("enum { A }\nconst A = 1\n"),
    '2:7 Constant "A" has the same name as a previously declared enum value.',
  );
});

// -- Annotations -----------------------------------------------------------------------------

Deno.test("parseGdscript: annotations before declarations, with arguments, and standalone", () => {
  const script = parse(
    'extends Node\n@export_group("Stats")\n@export_range(0, 10, 0.5, "or_greater") var speed := 1.0\n' +
      '@onready\nvar label = $Label\n@rpc("any_peer", "call_local")\nfunc sync():\n\tpass\n' +
      '@warning_ignore("unused_signal")\nsignal s\n',
  );
  const [group, speed, label, sync, s] = script.body;
  assert.equal(group?.kind, "annotation");
  assert.equal((group as A.Annotation).name, "export_group");
  assert.deepEqual((speed as A.VarDecl).annotations.map((a) => [a.name, a.args.length]), [[
    "export_range",
    4,
  ]]);
  assert.deepEqual((label as A.VarDecl).annotations.map((a) => a.name), ["onready"]);
  assert.deepEqual((sync as A.FuncDecl).annotations[0]?.args.map(sx), [
    '"any_peer"',
    '"call_local"',
  ]);
  assert.deepEqual((s as A.SignalDecl).annotations.map((a) => a.name), ["warning_ignore"]);
});

Deno.test("parseGdscript: statement annotations attach to the next statement", () => {
  const [call] = statements('@warning_ignore("return_value_discarded")\nfoo()');
  assert.equal(call?.kind, "expression_statement");
  assert.deepEqual((call as A.ExpressionStatement).annotations.map((a) => a.name), [
    "warning_ignore",
  ]);
});

Deno.test("parseGdscript: unknown, misplaced and miscounted annotations are errors", () => {
  assert.equal(firstError("@hello\nvar x\n"), '1:1 Unrecognized annotation: "@hello".');
  assert.equal(
    firstError("@export\nfunc f():\n\tpass\n"),
    '1:1 Annotation "@export" cannot be applied to a function.',
  );
  assert.equal(
    firstError("@export_range(1)\nvar x := 1\n"),
    '1:1 Annotation "@export_range" requires at least 2 arguments, but 1 were given.',
  );
  assert.equal(
    firstError("@onready(1)\nvar x\n"),
    '1:1 Annotation "@onready" requires at most 0 arguments, but 1 were given.',
  );
  assert.equal(
    firstError("func f():\n\t@export\n\tvar x = 1\n"),
    '2:2 Annotation "@export" is not allowed in this level.',
  );
  assert.equal(
    firstError("var x\n@export\n"),
    '2:1 Annotation "@export" does not precede a valid target, so it will have no effect.',
  );
  assert.equal(
    firstError("@tool\n@tool\nextends Node\n"),
    '2:1 "@tool" annotation can only be used once.',
  );
});

// -- Statements ------------------------------------------------------------------------------

Deno.test("parseGdscript: if, elif, else, while and for with a typed iterator", () => {
  const [ifs, loop, forLoop] = statements(
    "if a:\n\tpass\nelif b:\n\tpass\nelif c: pass\nelse:\n\tpass\n" +
      "while i < 3:\n\ti += 1\n\tif i == 2: break\n\tcontinue\n" +
      "for j: int in range(10):\n\tprint(j)",
  );
  const conditional = ifs as A.IfStatement;
  assert.equal(sx(conditional.condition), "a");
  assert.deepEqual(conditional.elifs.map((e) => sx(e.condition)), ["b", "c"]);
  assert.equal(conditional.elseBody?.length, 1);
  const whileLoop = loop as A.WhileStatement;
  assert.deepEqual(whileLoop.body.map((s) => s.kind), ["expression_statement", "if", "continue"]);
  const forStatement = forLoop as A.ForStatement;
  assert.equal(forStatement.variable.name, "j");
  assert.equal(typeText(forStatement.variableType!), "int");
  assert.equal(sx(forStatement.iterable), "(call range 10)");
});

Deno.test("parseGdscript: return, assert, pass, breakpoint and await", () => {
  const [ret, assertion, pass, bp, awaited, bare] = statements(
    'return 1 + 2\nassert(x > 0, "positive")\npass\nbreakpoint\nawait get_tree_timer(1.0).timeout\nreturn',
  );
  assert.equal(sx((ret as A.ReturnStatement).value!), "(+ 1 2)");
  assert.equal(sx((assertion as A.AssertStatement).message!), '"positive"');
  assert.equal(pass?.kind, "pass");
  assert.equal(bp?.kind, "breakpoint");
  assert.equal(
    sx((awaited as A.ExpressionStatement).expression),
    "(await (. (call get_tree_timer 1.0) timeout))",
  );
  assert.equal((bare as A.ReturnStatement).value, null);
});

Deno.test("parseGdscript: match with every pattern kind and guards", () => {
  const [m] = statements(
    'match v:\n\t1, 2:\n\t\tpass\n\t"s", &"n":\n\t\tpass\n\tKind.FIRE, -x:\n\t\tpass\n' +
      '\t[1, var a, ..]:\n\t\tpass\n\t{"k": var b, "only", ..}:\n\t\tpass\n' +
      "\tvar c when c > 3:\n\t\tpass\n\t_:\n\t\tpass",
  );
  const branches = (m as A.MatchStatement).branches;
  const kindsOf = (b: A.MatchBranch) => b.patterns.map((p) => p.kind);
  assert.deepEqual(branches.map(kindsOf), [
    ["pattern_literal", "pattern_literal"],
    ["pattern_literal", "pattern_literal"],
    ["pattern_expression", "pattern_expression"],
    ["pattern_array"],
    ["pattern_dictionary"],
    ["pattern_bind"],
    ["pattern_wildcard"],
  ]);
  const array = branches[3]!.patterns[0] as A.ArrayPattern;
  assert.deepEqual(array.elements.map((p) => p.kind), [
    "pattern_literal",
    "pattern_bind",
    "pattern_rest",
  ]);
  const dict = branches[4]!.patterns[0] as A.DictionaryPattern;
  assert.deepEqual(dict.entries.map((e) => [e.key && sx(e.key), e.value?.kind ?? null]), [
    ['"k"', "pattern_bind"],
    ['"only"', null],
    [null, "pattern_rest"],
  ]);
  assert.equal(sx(branches[5]!.guard!), "(> c 3)");
});

Deno.test("parseGdscript: match pattern errors", () => {
  assert.equal(
    firstError("func f():\n\tmatch v:\n\t\tvar a, 2:\n\t\t\tpass\n"),
    "3:10 Cannot use a variable bind with multiple patterns.",
  );
  assert.equal(
    firstError("func f():\n\tmatch v:\n\t\t[.., 1]:\n\t\t\tpass\n"),
    '3:9 The ".." pattern must be the last element in the pattern array.',
  );
  assert.equal(
    firstError("func f():\n\tmatch v:\n\t\t..:\n\t\t\tpass\n"),
    "3:3 Rest pattern can only be used inside array and dictionary patterns.",
  );
});

Deno.test("parseGdscript: break and continue only in loops, not from a lambda", () => {
  assert.equal(firstError("func f():\n\tbreak\n"), '2:2 Cannot use "break" outside of a loop.');
  assert.equal(
    firstError("func f():\n\tfor i in 3:\n\t\tvar g = func(): continue\n"),
    '3:19 Cannot use "continue" outside of a loop.',
  );
});

Deno.test("parseGdscript: locals declared twice in a scope are refused, shadowing a member is not", () => {
  assert.equal(
    firstError("func f(a):\n\tvar a = 1\n"),
    '2:6 There is already a parameter named "a" declared in this scope.',
  );
  assert.equal(
    firstError("func f():\n\tvar a\n\tif true:\n\t\tvar a\n"),
    '4:7 There is already a variable named "a" declared in this scope.',
  );
  parse("var a\nfunc f():\n\tvar a = 2\nfunc g():\n\tvar a = 3\n");
  parse("func f():\n\tif true:\n\t\tvar a = 1\n\tif true:\n\t\tvar a = 2\n");
});

Deno.test("parseGdscript: semicolons separate statements", () => {
  const body = statements("a = 1; b = 2;\nif a: c(); d()");
  assert.deepEqual(body.map((s) => s.kind), ["expression_statement", "expression_statement", "if"]);
  assert.equal((body[2] as A.IfStatement).body.length, 2);
});

// -- Expressions -----------------------------------------------------------------------------

Deno.test("parseGdscript: operator precedence follows Godot's table", () => {
  const cases: [string, string][] = [
    ["a or b and c", "(or a (and b c))"],
    ["a || b && c", "(or a (and b c))"],
    ["not a == b", "(not (== a b))"],
    ["!a", "(not a)"],
    ["a in b and c", "(and (in a b) c)"],
    ["a not in b", "(not in a b)"],
    ["a == b < c", "(< (== a b) c)"],
    ["a + b * c - d", "(- (+ a (* b c)) d)"],
    ["a & b | c ^ d", "(| (& a b) (^ c d))"],
    ["x << 1 + 2", "(<< x (+ 1 2))"],
    ["-a ** 2", "(- (** a 2))"],
    ["2 ** 3 ** 2", "(** (** 2 3) 2)"],
    ["~a & b", "(& (~ a) b)"],
    ["a % b * c", "(* (% a b) c)"],
    ["x if c else y if d else z", "(if c x (if d y z))"],
    ["a is Node and b is not Node3D", "(and (is a Node) (is-not b Node3D))"],
    ["a as Node3D", "(as a Node3D)"],
    ["await a.b()", "(await (call (. a b)))"],
    ["-a.b(1)[2]", "(- ([] (call (. a b) 1) 2))"],
  ];
  for (const [source, expected] of cases) assert.equal(sx(expression(source)), expected, source);
});

Deno.test("parseGdscript: a sign folds into a number literal where Godot's tokenizer folds it", () => {
  assert.equal(sx(expression("-2 ** 2")), "(** -2 2)");
  assert.equal(sx(expression("a - 2")), "(- a 2)");
  assert.equal(sx(expression("[1, -2]")), "[1 -2]");
});

Deno.test("parseGdscript: calls, subscripts, attribute chains, self and super", () => {
  assert.equal(
    sx(expression('ctx.world.play_vfx("x", p, {})')),
    '(call (. (. ctx world) play_vfx) "x" p {})',
  );
  assert.equal(sx(expression('a[0]["k"].b')), '(. ([] ([] a 0) "k") b)');
  assert.equal(sx(expression("self.x")), "(. self x)");
  assert.equal(sx(expression("x.class.match")), "(. (. x class) match)");
  const body = statements("super()\nsuper.on_cast(ctx)");
  assert.deepEqual(body.map((s) => sx((s as A.ExpressionStatement).expression)), [
    "(call super)",
    "(call super.on_cast ctx)",
  ]);
  assert.equal(
    firstError("var x = f()()\n"),
    '1:9 Cannot call on an expression. Use ".call()" if it\'s a Callable.',
  );
  assert.equal(
    firstError("var x = super()\n"),
    '1:9 Cannot use implicit "super" call outside of a function.',
  );
});

Deno.test("parseGdscript: literals of every kind", () => {
  const list = expression(
    '[1, 0x1F, 0b11, 1_000, 1.5e3, .5, "s", \'q\', """t""", r"\\d", &"sn", ^"np", true, null]',
  ) as A.ArrayExpression;
  const strings = list.elements.filter((e): e is A.StringLiteral => e.kind === "string");
  assert.deepEqual(strings.map((s) => [s.value, s.stringKind, s.raw, s.triple]), [
    ["s", "string", false, false],
    ["q", "string", false, false],
    ["t", "string", false, true],
    ["\\d", "string", true, false],
    ["sn", "string_name", false, false],
    ["np", "node_path", false, false],
  ]);
  const numbers = list.elements.filter((e): e is A.NumberLiteral => e.kind === "number");
  assert.deepEqual(numbers.map((n) => [n.value, n.isInt]), [
    [1, true],
    [31, true],
    [3, true],
    [1000, true],
    [1500, false],
    [0.5, false],
  ]);
});

Deno.test("parseGdscript: node path shorthands are their own nodes", () => {
  const cases: [string, string][] = [
    ["$Sprite", "${Sprite}"],
    ["$Path/To/Node", "${Path/To/Node}"],
    ['$"/root"', "${/root}"],
    ["$/root/Main", "${/root/Main}"],
    ["%Label", "%{%Label}"],
    ['%"Unique Name"', "%{%Unique Name}"],
    ["$%Unique/child", "${%Unique/child}"],
    ["$Node.position.x", "(. (. ${Node} position) x)"],
  ];
  for (const [source, expected] of cases) assert.equal(sx(expression(source)), expected, source);
  assert.equal(sx(expression("a % b")), "(% a b)");
  assert.equal(
    firstError("var x = $1\n"),
    '1:10 Expected node path as string or identifier after "$".',
  );
});

Deno.test("parseGdscript: arrays and both dictionary styles", () => {
  assert.equal(sx(expression("[1, [2, 3],]")), "[1 [2 3]]");
  assert.equal(sx(expression('{"a": 1, 2: [3]}')), '{"a": 1, 2: [3]}');
  const lua = expression('{a = 1, "b" = 2}') as A.DictionaryExpression;
  assert.equal(lua.style, "lua");
  // A bare Lua-style key is a literal name, not a variable read.
  assert.deepEqual(lua.entries.map((e) => [e.key.kind, sx(e.key)]), [
    ["string", '&"a"'],
    ["string", '"b"'],
  ]);
  assert.equal(
    firstError('var d = {"a": 1, b = 2}\n'),
    '1:20 Expected ":" after dictionary key. Mixing dictionary styles is not allowed.',
  );
});

Deno.test("parseGdscript: every assignment operator, only at statement level", () => {
  const ops = ["=", "+=", "-=", "*=", "/=", "%=", "**=", "&=", "|=", "^=", "<<=", ">>="];
  const body = statements(ops.map((op) => `a.b[0] ${op} 1`).join("\n"));
  assert.deepEqual(
    body.map((s) => ((s as A.ExpressionStatement).expression as A.AssignmentExpression).op),
    ops,
  );
  assert.equal(
    firstError("func f():\n\tvar x = (a = 1)\n"),
    "2:13 Assignment is not allowed inside an expression.",
  );
  assert.equal(
    firstError("func f():\n\tf() = 1\n"),
    "2:6 Only identifier, attribute access, and subscription access can be used as assignment target.",
  );
});

// -- Lambdas ---------------------------------------------------------------------------------

Deno.test("parseGdscript: one-line, named and multi-line lambdas inside brackets", () => {
  const body = statements(
    [
      "var double = func(x): return x * 2",
      "var named = func helper(a: int) -> int:",
      "\treturn a",
      "arr.sort_custom(func(a, b):",
      "\tvar d = a - b",
      "\treturn d < 0",
      ")",
      "var table = {",
      '\t"on_hit": func(target):',
      "\t\ttarget.hp -= 1",
      "\t\tprint(target),",
      '\t"other": func(): pass,',
      "}",
      "tween.tween_callback(func(): queue_free())",
      "var list = [",
      "\tfunc(): return 1,",
      "\tfunc():",
      "\t\treturn 2",
      "\t,",
      "]",
      "after()",
    ].join("\n"),
  );
  assert.deepEqual(body.map((s) => s.kind), [
    "var",
    "var",
    "expression_statement",
    "var",
    "expression_statement",
    "var",
    "expression_statement",
  ]);
  const named = (body[1] as A.VarDecl).value as A.LambdaExpression;
  assert.equal(named.name?.name, "helper");
  assert.equal(typeText(named.returnType!), "int");
  const sort = (body[2] as A.ExpressionStatement).expression as A.CallExpression;
  assert.equal((sort.args[0] as A.LambdaExpression).body.length, 2);
  const table = (body[3] as A.VarDecl).value as A.DictionaryExpression;
  assert.deepEqual(table.entries.map((e) => (e.value as A.LambdaExpression).body.length), [2, 1]);
  const list = (body[5] as A.VarDecl).value as A.ArrayExpression;
  assert.equal(list.elements.length, 2);
  assert.equal(
    firstError("func f():\n\tfunc(): pass\n"),
    "2:2 Standalone lambdas cannot be accessed. Consider assigning it to a variable.",
  );
});

Deno.test("parseGdscript: a lambda body may close its bracket on a shallower line (Godot 4.5+)", () => {
  parse(
    "func f():\n\tvar r := (\n\t\tarr\n\t\t. map(func(a): return a)\n\t\t. filter(\n\t\t\tfunc(s):\n" +
      '\t\t\t\treturn s == "a"\n\t\t)\n\t)\n\tprint(r)\n',
  );
});

// -- Continuations and identifiers -----------------------------------------------------------

Deno.test("parseGdscript: backslash continuations join lines; one inside a name breaks the script", () => {
  const [call] = statements("var total = 1 + \\\n\t2 + \\\n\t3");
  assert.equal(sx((call as A.VarDecl).value!), "(+ (+ 1 2) 3)");
  // Godot reads `get_tr\⏎ee()` as two names: the clients' compiler refuses it, so must we.
  assert.equal(
    firstError("func f():\n\tget_tr\\\nee()\n"),
    '3:1 Expected end of statement after expression, found identifier "ee" instead.',
  );
  assert.equal(
    firstError('func f():\n\tOS.exe\\\ncute("x")\n'),
    '3:1 Expected end of statement after expression, found identifier "cute" instead.',
  );
});

Deno.test("parseGdscript: implicit continuation inside brackets", () => {
  const [v] = statements("var v = Vector3(\n\t1,\n\t\t2,\n3)");
  assert.equal(sx((v as A.VarDecl).value!), "(call Vector3 1 2 3)");
});

Deno.test("parseGdscript: identifiers keep Unicode exactly and say when it is there", () => {
  const script = parse("func f():\n\tvar сtx = 1\n\tprint(сtx)\n");
  const names = nodesOfKind(script, "identifier").map((i) => [i.name, i.nonAscii]);
  assert.deepEqual(names, [["f", false], ["сtx", true], ["print", false], ["сtx", true]]);
});

// -- Spans -----------------------------------------------------------------------------------

Deno.test("parseGdscript: every node has a line, a column and its exact source span", () => {
  const source =
    'extends Node\n\nfunc on_cast(ctx: SpellContext) -> void:\n\tctx.world.play_vfx("spark", ctx.target_position)\n';
  const script = parse(source);
  let count = 0;
  walk(script, (node) => {
    count++;
    assert.ok(node.line >= 1 && node.col >= 1, `${node.kind} has a position`);
    assert.ok(node.start <= node.end && node.end <= source.length, `${node.kind} span`);
  });
  assert.ok(count > 15);
  const call = nodesOfKind(script, "call")[0]!;
  assert.equal(
    source.slice(call.start, call.end),
    'ctx.world.play_vfx("spark", ctx.target_position)',
  );
  assert.deepEqual([call.line, call.col], [4, 2]);
  const member = nodesOfKind(script, "attribute")[1]!.member;
  assert.equal(source.slice(member.start, member.end), member.name);
  const fn = script.body[0] as A.FuncDecl;
  assert.equal(source.slice(fn.start, fn.end).split("\n").length, 2);
});

// -- Robustness ------------------------------------------------------------------------------

Deno.test("parseGdscript: deep nesting gives 'Nesting too deep', never a stack overflow", () => {
  const deep: Record<string, string> = {
    parens: `var x = ${"(".repeat(10_000)}1${")".repeat(10_000)}\n`,
    unclosed: `var x = ${"[".repeat(100_000)}`,
    unary: `var x = ${"-".repeat(10_000)}a\n`,
    ternary: `var x = ${"a if b else ".repeat(5_000)}c\n`,
    lambdas: `var x = ${"func(): return ".repeat(5_000)}1\n`,
    bracketLambdas: `var x = ${"(func(): return ".repeat(5_000)}1`,
    blocks: "func f():\n" +
      Array.from({ length: 1_000 }, (_, i) => `${"\t".repeat(i + 1)}if x:\n`).join("") +
      "\t".repeat(1_001) + "pass\n",
    patterns: `func f():\n\tmatch x:\n\t\t${"[".repeat(10_000)}:\n\t\t\tpass\n`,
    types: `var x: ${"Array[".repeat(10_000)}\n`,
    classes: Array.from({ length: 1_000 }, (_, i) => `${"\t".repeat(i)}class C${i}:\n`).join(""),
  };
  for (const [name, source] of Object.entries(deep)) {
    const errors = fails(source);
    if (name === "types") continue; // Godot refuses nested typed collections anyway.
    assert.ok(
      errors.some((e) => e.message.startsWith("Nesting too deep")),
      `${name}: ${JSON.stringify(errors)}`,
    );
  }
  // Exactly at the limit is fine for real code; the limit is well above it.
  parse(`var x = ${"(".repeat(MAX_NESTING_DEPTH - 10)}1${")".repeat(MAX_NESTING_DEPTH - 10)}\n`);
});

Deno.test("parseGdscript: the nesting and error limits can be set per parse", () => {
  const nested = `var x = ${"(".repeat(20)}1${")".repeat(20)}\n`;
  parse(nested);
  const result = parseGdscript(nested, { maxNestingDepth: 10 });
  assert.equal(result.ok, false);
  assert.match(result.ok ? "" : result.errors[0]!.message, /^Nesting too deep: more than 10 /);
  const many = "var\n".repeat(20);
  const limited = parseGdscript(many, { maxErrors: 2 });
  assert.equal(limited.ok ? 0 : limited.errors.length, 2);
});

Deno.test("parseGdscript: reports a few errors in source order, at most one per line", () => {
  const errors = fails("var\nvar 1\nfunc (:\n\tpass\nvar x = )\nvar y = ]\nvar z = ,\nvar w = ;\n");
  assert.ok(errors.length >= 2 && errors.length <= 5, JSON.stringify(errors));
  const lines = errors.map((e) => e.line);
  assert.deepEqual(lines, [...lines].sort((a, b) => a - b));
  assert.equal(new Set(lines).size, lines.length);
});

Deno.test("parseGdscript: random edits of real spells never throw and never hang", () => {
  const seeds = [
    Deno.readTextFileSync(
      new URL("../../../../tests/fixtures/spells/demo_spark.gd", import.meta.url),
    ),
    Deno.readTextFileSync(
      new URL("../../../../tests/fixtures/spells/demo_spawn.gd", import.meta.url),
    ),
  ];
  const alphabet = "()[]{}:;,.+-*/%&|^!~=<>$@#\"'\\\n\t _aZ09é\u0430\u202e\0\r";
  let state = 0x2545f491;
  const random = (n: number) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
  let failures = 0;
  for (let i = 0; i < 3_000; i++) {
    let source = seeds[i % seeds.length]!;
    for (let edits = 1 + random(4); edits > 0; edits--) {
      const at = random(source.length + 1);
      const op = random(3);
      if (op === 0) {
        source = source.slice(0, at) + alphabet[random(alphabet.length)] + source.slice(at);
      } else if (op === 1) source = source.slice(0, at) + source.slice(at + 1 + random(8));
      else source = source.slice(0, at) + source.slice(at, at + random(40)) + source.slice(at);
    }
    const result = parseGdscript(source);
    if (!result.ok) {
      failures++;
      for (const e of result.errors) {
        assert.ok(Number.isInteger(e.line) && e.line >= 1 && Number.isInteger(e.col) && e.col >= 1);
        assert.equal(typeof e.message, "string");
        assert.notEqual(
          e.message,
          "The script could not be parsed.",
          `internal error on:\n${source}`,
        );
      }
    }
  }
  assert.ok(failures > 500, `most random edits break a script (${failures})`);
});

Deno.test("parseGdscript: NUL bytes and non-string input are refused, not thrown", () => {
  assert.equal(firstError("var x = 1\0\n"), "1:10 Invalid character (U+0000).");
  assert.equal(parseGdscript(42 as unknown as string).ok, false);
  assert.equal(parseGdscript("").ok, true);
  assert.equal(parseGdscript("# only a comment\n\n").ok, true);
});
