/**
 * `docs/SPELLSCRIPT.md`, generated from the SpellScript API data (`deno task docs` writes it;
 * `tests/docs_test.ts` fails when the file differs). The rules' prose lives here, next to the
 * lists it explains; every name, signature, bound and capability comes from the data.
 * @module
 */
import { GODOT_VERSION } from "../src/workers/gdscript/api/godot_names.ts";
import {
  MAX_TWEEN_METHOD_SECONDS,
  MIN_FOREVER_STEP,
  SPELLSCRIPT_API,
  TWEEN_METHOD_CALLS_PER_SECOND,
} from "../src/workers/gdscript/api/spellscript_api.ts";
import { MAX_CODE_DEPTH } from "../src/workers/gdscript/verify/depth.ts";
import type {
  ClassSpec,
  LiteralRule,
  MethodSpec,
  ParamSpec,
  PropertySpec,
} from "../src/workers/gdscript/api/types.ts";

const api = SPELLSCRIPT_API;

function param(p: ParamSpec): string {
  const text = `${p.name}: ${p.type === "Element" ? "element type" : p.type}`;
  return p.optional ? `${text} = …` : text;
}

/** A return type as authors read it: the placeholders in words. */
function returns(m: MethodSpec, self?: string): string {
  switch (m.returns) {
    case "Arg0":
      return `type of ${m.params[0]?.name ?? "its argument"}`;
    case "Self":
      return self ?? "same type";
    case "Element":
      return "element type";
    default:
      return m.returns;
  }
}

function signature(m: MethodSpec, owner?: string, self?: string): string {
  const params = m.params.map(param);
  if (m.varargs) params.push(`...${m.varargs}`);
  const name = owner ? `${owner}.${m.name}` : m.name;
  return `${name}(${params.join(", ")}) -> ${returns(m, self)}`;
}

function literal(rule: LiteralRule): string {
  switch (rule.kind) {
    case "asset_path":
      return 'a string literal `"assets/…"`';
    case "property_path":
      return "a string literal naming a tweenable property of the object's type";
    case "options":
      return "omitted or a dictionary literal with keys " +
        Object.entries(rule.keys).map(([key, spec]) =>
          `\`"${key}"\` (${spec.type}${spec.max !== undefined ? `, at most ${spec.max}` : ""})`
        ).join(", ");
    case "flags":
      return `a constant combining ${rule.names.map((n) => `\`${n}\``).join(", ")} with \`|\``;
  }
}

function method(m: MethodSpec, owner?: string, self?: string): string {
  const notes: string[] = [];
  if (m.capability) notes.push(`capability **${m.capability}**`);
  if (m.value) notes.push("may be a function value");
  for (const p of m.params) {
    if (p.max !== undefined) notes.push(`\`${p.name}\` at most ${p.max}`);
    if (p.literal) notes.push(`\`${p.name}\`: ${literal(p.literal)}`);
  }
  const suffix = notes.length > 0 ? ` (${notes.join("; ")})` : "";
  return `- \`${signature(m, owner, self)}\`: ${m.doc}${suffix}`;
}

function property(p: PropertySpec): string {
  const flags = [p.readonly ? "read-only" : "", p.tweenable ? "tweenable" : ""].filter((f) => f);
  return `- \`${p.name}: ${p.type}\`${flags.length > 0 ? ` (${flags.join(", ")})` : ""}: ${p.doc}`;
}

function classSection(spec: ClassSpec): string[] {
  const out = [`### ${spec.name}`, "", spec.doc, ""];
  const facts: string[] = [];
  if (spec.extends) facts.push(`Has every member of ${spec.extends}.`);
  if (spec.instantiable) facts.push(`\`${spec.name}.new()\` makes one.`);
  if (spec.iterates) {
    facts.push(
      `\`for x in value\` gives ${spec.iterates === "Element" ? "its elements" : spec.iterates}.`,
    );
  }
  if (spec.index) {
    facts.push(
      `\`value[i]\` (${spec.index.key}) reads${spec.index.writes ? " and writes" : ""} an element.`,
    );
  }
  if (facts.length > 0) out.push(facts.join(" "), "");
  const constructors = spec.constructors ?? [];
  if (constructors.length > 0) {
    out.push(
      "Constructors: " +
        constructors.map((params) => `\`${spec.name}(${params.map(param).join(", ")})\``).join(
          ", ",
        ) + ".",
      "",
    );
  }
  if (spec.constants?.length) {
    out.push(
      "Constants: " + spec.constants.map((c) => `\`${spec.name}.${c.name}\``).join(", ") + ".",
      "",
    );
  }
  const lists: [string, string[]][] = [
    ["Properties", (spec.properties ?? []).map(property)],
    ["Methods", (spec.methods ?? []).map((m) => method(m, undefined, spec.name))],
    ["Static functions", (spec.staticMethods ?? []).map((m) => method(m, spec.name))],
    [
      "Signals",
      (spec.signals ?? []).map((s) => `- \`${s.name}(${s.params.join(", ")})\`: ${s.doc}`),
    ],
  ];
  for (const [title, items] of lists) {
    if (items.length > 0) out.push(`${title}:`, "", ...items, "");
  }
  return out;
}

function grouped(entries: readonly { name: string; why: string }[]): string[] {
  const byWhy = new Map<string, string[]>();
  for (const { name, why } of entries) byWhy.set(why, [...(byWhy.get(why) ?? []), name]);
  return [...byWhy].map(([why, names]) => `- ${names.map((n) => `\`${n}\``).join(", ")}: ${why}.`);
}

const EXAMPLE = `extends SpellModule
## Fire Ring: eight bursts of fire around the target.

const BURSTS := 8


func on_cast(ctx: SpellContext) -> void:
	for i in range(BURSTS):
		var angle := TAU * i / BURSTS
		var offset := Vector3(cos(angle), 0.0, sin(angle)) * 3.0
		ctx.world.play_vfx("fire", ctx.target_position + offset, {"color": Color.ORANGE, "amount": 32})`;

/** The whole document. */
export function spellscriptMarkdown(): string {
  const valueClasses = api.classes.filter((c) => c.kind === "value");
  const worldClasses = api.classes.filter((c) =>
    ["SpellContext", "WorldAPIAdapter", "SpellModule", "RandomNumberGenerator"].includes(c.name)
  );
  const engineClasses = api.classes.filter((c) => c.kind === "object" && !worldClasses.includes(c));
  const limits = api.limits;
  const lines = [
    `# SpellScript ${api.version}`,
    "",
    "<!-- Generated from src/workers/gdscript/api/spellscript_api.ts by `deno task docs`. Do not edit. -->",
    "",
    "Every published spell runs on the machine of every player in a world, and Godot has no sandbox for",
    "scripts. So this server builds only spells written in **SpellScript**: the part of GDScript 4 in",
    "which a spell can use nothing but the API listed here, can never turn a string into the name of",
    "something, and always ends. Everything not listed is refused when the spell is built. The",
    `manifest's \`interface_version\` is \`${api.version}\`.`,
    "",
    "A refused build ends with up to five reasons, each with its line and column:",
    "",
    "```",
    "Build failed: line 6:2: OS is not part of the SpellScript API: it reaches the operating system, files, the network, threads or the engine itself",
    "```",
    "",
    "## A spell",
    "",
    "```gdscript",
    EXAMPLE,
    "```",
    "",
    "## Rules",
    "",
    "**Shape.** The first statement is `extends SpellModule`. `func on_cast(ctx: SpellContext) -> void`",
    "is required; the other callbacks, if defined, have exactly the signatures under Callbacks. An",
    "`_init` must have defaults for all its parameters. Each name is declared once. There is no",
    "`class_name`, no inner `class`, no `signal` declaration (emitting one would run its callables at",
    "once), no property `set`/`get` blocks, no variadic `...` parameters, and none of the engine",
    "functions the engine calls implicitly (listed at the end).",
    "",
    "**Names.** Every name a spell uses is either declared by the spell (variables, constants,",
    "functions, parameters, loop and match variables, enums) or listed here. Names are ASCII letters,",
    "digits and `_`: a look-alike letter from another alphabet is refused. A spell cannot declare a",
    "name the API already uses (`Vector3`, `print`, `PI`…), nor any name Godot itself defines: its",
    "global functions (`typeof`, `var_to_str`, `convert`…: Godot would call its own, not the spell's),",
    "built-in types, classes, singletons, global enums and constants (`KEY_A`, `OK`…), and the",
    `members every spell inherits from Object, RefCounted and SpellModule (Godot ${GODOT_VERSION}; the`,
    "list is `src/workers/gdscript/api/godot_names.ts`). A spell may define the callbacks and",
    "`func get_manifest() -> Dictionary`. What `self` offers is the spell's own members and",
    "SpellModule's methods: nothing inherited from RefCounted or Object.",
    "",
    "**Types.** The verifier knows the type of each value: written (`var d: Dictionary`), inferred",
    "(`var m := BoxMesh.new()`), or, for an untyped variable, the one type of everything assigned to it",
    "anywhere. A member, an index, a `for` or an `in` is allowed only on a value whose type it knows,",
    "because the same name is harmless on one type and dangerous on another (`get` on a Dictionary,",
    "on an Object). Values from `ctx.params`, `Dictionary.get`, untyped arrays and untyped parameters",
    "have an unknown type: give them one with `x as Dictionary` (null, or the type's default, when it",
    "is not one), `int(x)` or `str(x)`.",
    "",
    "**Typed slots.** Release builds of Godot, the ones players run, do not check typed variables,",
    "members, typed `for` variables or return values when the spell runs: they store whatever comes",
    "and then trust the type, so a RefCounted in a `Node` variable runs Node code on it and corrupts",
    "the client's memory. So a value may go into a typed slot (`var n: Node = …`, `n = …`,",
    "`for n: Node in …`, `return …` from a typed function, an argument of the spell's own typed",
    "parameter, a member's initializer) only when the verifier knows it has that type (a class or one",
    "of its subclasses, or `null`; an int may go where a float is expected); otherwise write",
    "`x as Node` (`as` is checked: null when it is not). Typed arrays and dictionaries (`Array[Node]`)",
    "are checked by Godot itself.",
    "",
    "**Godot must compile it.** A spell every client fails to compile is a spell nobody can cast, so",
    "the subset is type-checked the way Godot's analyzer does: `:=` needs a value whose type Godot",
    "knows where it is written; a `const` is a constant expression (literals, constants, operators,",
    "constructors, not `.repeat()` nor a call); a `static func` uses nothing of the instance; no",
    "`static var`; arguments, properties, elements, operands and comparisons of a known wrong type,",
    "impossible `as` casts, a void call used as a value, a return value in a void function, a typed",
    "function where some path does not return, and a wrong number of arguments are refused.",
    "",
    "**Integers** are 64-bit and fold exactly as Godot folds them (anything that may wrap is",
    "unbounded). An integer `/` or `%` (also `/=`, `%=`, `posmod`, `wrapi`, `Vector3i` division) must",
    "provably not divide by 0, nor the smallest int (-9223372036854775808) by -1: release clients do",
    "not check, and crash (already when Godot folds a constant). Keep divisors away from them",
    "(`maxi(n, 1)`, a constant). `%` on floats is refused (use `fmod`); integer literals beyond 64",
    "bits are refused. Shifts do not trap (the count is taken modulo 64).",
    "",
    "**Strings are data.** No part of the API turns a string into a name: there is no `call`, `get`,",
    '`set`, `connect("…")`, `Callable(obj, "…")`, `$`, `%`, `get_node`, `NodePath` or `^"…"`,',
    "`load`, `preload`, `str_to_var` or `JSON`. Where the engine does take a name,",
    "`Tween.tween_property`'s property, it must be a string literal naming a tweenable property of the",
    "object's type; `spawn_entity`'s scene must be a string literal `\"assets/…\"` of the spell's own",
    "package. The `%` format string is a literal whose widths and precisions are at most",
    `${limits.maxFormatWidth}, never \`*\`.`,
    "",
    "**The cast's data is read-only.** `ctx.params`, `ctx.manifest` and `on_event`'s event belong to",
    "the client (and are shared by every spell it runs): a spell may read them but not change them or",
    "anything inside them, nor any value that may be one of them (an alias, `get_param`'s result, a",
    "shallow copy): no element writes, no `clear`, `merge`, `erase`, `append`… Copy first with",
    "`.duplicate(true)`.",
    "",
    "**Function values.** A lambda, one of the spell's functions named without calling it",
    "(`on_hit`), or a method listed below as *may be a function value* (`node.queue_free`, `hide`,",
    "`show`, `Timer.stop`, `Tween.kill`), optionally with `.bind(…)`: never one that makes objects,",
    "acts on the world or starts a timer (wrap it in a lambda, where it is counted). Only",
    "the engine calls them: pass them to `connect`, `tween_callback`, `tween_method`, `sort_custom`,",
    "`map`, `filter`, `reduce`, `any`, `all`, keep them in variables, return them. A spell cannot call",
    "a function value, and cannot store one in an array, a dictionary or an object. `connect` takes",
    "no flags but a constant made of `CONNECT_DEFERRED`, `CONNECT_ONE_SHOT` and",
    "`CONNECT_REFERENCE_COUNTED`.",
    "",
    `**Termination and work.** No \`while\`, no recursion: no function or lambda may run itself,`,
    "directly, through other functions, through the callables it passes on, or through signals and",
    "tweens. `for` goes over `range(…)` or an int whose bound folds (constants, never-reassigned",
    "variables, `mini`, `clampi`, `min`, `clamp`, `size()` of a constant array: `range(mini(n, 8))`;",
    "a `range` whose last step could pass the int limits is refused, Godot would wrap around),",
    "or over an array, a dictionary or a string, which the loop body may not change (directly,",
    "through another variable that may hold it, or through a function it runs). Then the verifier",
    "adds up the work of each run of an entry point (`on_cast`, `on_tick`, `on_event`, `on_cancel`,",
    "`_init` and the member initializers, every callable handed to the engine): loop iterations",
    "(a loop over a collection counts its largest possible size), calls of the spell's functions",
    "(through the whole call graph), `map`/`filter`/`reduce`/`any`/`all` (the array's size),",
    "`sort_custom` (n·log n), world calls; a callable handed to the engine counts for the run that",
    "hands it over, once for each time the engine may run it (a one-shot timer once, a tween step once",
    "a loop); and operations whose time grows with their operands (comparing, searching, copying,",
    "concatenating, converting or hashing strings, arrays and dictionaries) count one unit for every",
    `${limits.charsPerWork} characters or elements of their operands' size bound.`,
    `The total must be at most ${limits.maxIterations} (the server's \`SPELL_MAX_ITERATIONS\`). One run may`,
    `also create at most ${limits.maxObjectsPerRun} nodes, timers, tweens, effects and sounds, and print at most ${limits.maxPrintsPerRun} lines`,
    `(world calls print) of at most ${limits.maxPrintChars} characters each, ${
      limits.maxPrintedPerRun.toLocaleString("en")
    } characters in all. A run of \`on_tick\`, which the engine runs every frame for every active`,
    `cast, may create at most ${limits.maxObjectsPerFrame} and print at most ${limits.maxPrintsPerFrame} lines, ${
      limits.maxPrintedPerFrame.toLocaleString("en")
    } characters in all.`,
    "",
    "**Timers and tweens.** A timer is made as `var t := Timer.new()` and is one-shot",
    "(`t.one_shot = true`), unless every callable connected to its `timeout` is connected with",
    "`CONNECT_ONE_SHOT`; a callback the engine runs (a timer's, a tween's) may start only a timer",
    "it makes itself. A timer with callables connected without `CONNECT_ONE_SHOT` is started once:",
    "one `start()` (or `autostart`), outside the loops around its `Timer.new()`, in the function",
    "that makes it (each start would run them again, and they are counted once); to wait several",
    "times, `await t.timeout` instead. `tween_method` calls its method every frame of its step: the",
    `step lasts at most ${MAX_TWEEN_METHOD_SECONDS} s and the method is counted ${TWEEN_METHOD_CALLS_PER_SECOND} times for each second.`,
    `\`Tween.set_loops(n)\` takes a constant from 1 to ${limits.maxTweenLoops}. A tween may loop forever (\`set_loops()\`) only when`,
    "it is kept in a variable made by `node.create_tween()` and only animates that node's own",
    `properties, or waits, for at least ${MIN_FOREVER_STEP} s a step, with no callbacks (a pulsing light, a`,
    "spinning mesh): a forever loop of steps that take no time would hang the client. `stop`, `play`,",
    "`pause` and `step_finished` are not available.",
    "",
    "**Sizes.** Arguments that size an allocation (`resize`, `repeat`, `lpad`, `play_vfx`'s",
    "`amount`…) are constants or clamped, with the bounds listed below. Beyond that, the verifier",
    "bounds the size (characters, elements, and printed characters, nested values included) of every",
    "value through the whole spell: repeating, joining, appending, `fill`, `format`, `str`, deep",
    "copies multiply and add up, loops multiply by their iterations, and data from outside has",
    "declared bounds (the cast's parameters, the manifest, events, query results). No value may",
    `exceed ${
      limits.maxValueSize.toLocaleString("en")
    }, member initializers and \`_init\` included: \`"x".repeat(256).repeat(256).repeat(256)\` is`,
    "refused, and so are `s1 := s0 + s0`, `s2 := s1 + s1`… as soon as the last one may pass it. Values kept in members may grow by at most",
    `${limits.maxGrowthPerRun} a run, all together, and no value may be built from itself more than once (\`s += s\`,`,
    "`a.append_array(a)`, `t = s` then `s = s + t`, a helper that returns `x + x`): run on every",
    'tick, that doubles until the client runs out of memory. Growing by other values (`log += "x"`,',
    "`items.append(v)`) is fine.",
    "",
    "**Depth.** Blocks, chained operators (`a + b + c…`, `x and y and z…`), calls, brackets and",
    `\`elif\` branches may nest at most ${MAX_CODE_DEPTH} deep (Godot's compiler recurses on them): split long`,
    "chains into variables and long `elif` chains into `match` or a dictionary.",
    "",
    "**Randomness.** Use `ctx.rng` (`ctx.randf()`, `ctx.randi_range(…)`): it is seeded by the cast,",
    "the same on every client. Godot's global generator (`randi`, `randf`, `randf_range`,",
    "`Array.shuffle`, `Array.pick_random`…) differs between clients, so it is not available.",
    "",
    "**`await`** takes a signal (`timer.timeout`, `tween.finished`) or a call of one of the spell's",
    "functions.",
    "",
    "**Annotations.** Only these, which change nothing when the spell runs:",
    "",
    ...api.annotations.map((a) => `- \`@${a.name}\`: ${a.why}.`),
    "",
    "**Capabilities.** The world methods each need a capability. The build lists the ones a spell",
    "uses in its manifest (`capabilities`), and fails naming the first one the server does not allow",
    "(`SPELL_CAPABILITIES`, all by default).",
    "",
    "What SpellScript does not promise: it bounds what one run of a spell sets in motion, not how",
    "often the engine runs it (`on_tick` runs every frame for every active cast, each run within the",
    "limits above), and it says nothing about what a modified client does.",
    "",
    "## Callbacks",
    "",
    ...api.callbacks.map((c) =>
      `- \`func ${c.name}(${c.params.map(([n, t]) => `${n}: ${t}`).join(", ")}) -> void\`: ${c.doc}`
    ),
    "",
    "## Capabilities",
    "",
    ...api.capabilities.map((c) => `- \`${c.name}\`: ${c.doc}.`),
    "",
    "## Global functions",
    "",
    ...api.functions.map((f) => method(f)),
    "",
    "## Constants",
    "",
    ...api.constants.map((c) => `- \`${c.name}: ${c.type}\`: ${c.doc}`),
    "",
    "## The spell's world",
    "",
    ...worldClasses.flatMap(classSection),
    "## Values",
    "",
    ...valueClasses.flatMap(classSection),
    "## Engine objects",
    "",
    "Nodes and resources a spell creates or is given expose only these members: none reaches the",
    "scene tree, another node, a script or a file.",
    "",
    ...engineClasses.flatMap(classSection),
    "## Never allowed",
    "",
    "These names are refused wherever they are written (outside strings and comments):",
    "",
    ...grouped(api.forbidden),
    "",
    "A spell may not define these functions, which the engine calls implicitly:",
    "",
    ...grouped(api.reservedFunctions),
    "",
    "## Left out of the client's classes",
    "",
    ...api.excluded.map((e) => `- \`${e.owner}.${e.name}\`: ${e.why}.`),
    "",
  ];
  return lines.join("\n");
}
